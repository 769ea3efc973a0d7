"""Trends of alerts and events over a period: the service behind `/trends`, its JSON API and
`citysoc trends`.

It checks the period, pins a reporter to their own agency (whatever they ask for), asks the
engine for the counts (``Store.trends``) and lays them out as series over every bucket of
the period, gaps as zeros, so a chart and a table can be drawn straight from them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.access import Action, Actor, require_right
from core.errors import InputError
from core.storage.base import Store
from core.trends import AlertDimension, Bucket, Count, TopField, TrendWindow, bucket_starts

__all__ = [
    "DEFAULT_DAYS",
    "MAX_BUCKETS",
    "OTHER",
    "Series",
    "TrendView",
    "default_bucket",
    "folded",
    "trends",
]

DEFAULT_DAYS = 7  # the period when none is asked for: the last week up to now
# More points than this is no longer a chart a person reads (31 days of hours; 2 years of
# days): the period or the bucket has to change.
MAX_BUCKETS = 800
TOP = 10  # rows of the "top rules" and "top hosts" tables
OTHER = "*other*"  # the series folded together past the chart's few lines (see folded)


@dataclass(frozen=True, slots=True)
class Series:
    """One line of a chart: the count in every bucket of the period, in order."""

    key: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True, slots=True)
class TrendView:
    since: datetime
    until: datetime
    bucket: Bucket
    by: AlertDimension
    agency: str | None  # the agency the view is narrowed to (a reporter's own), if any
    starts: tuple[datetime, ...]  # each bucket's start, UTC
    alerts: tuple[Series, ...]  # most alerts first
    events: tuple[Series, ...]  # per agency, most events first
    top_rules: tuple[Count, ...]
    top_hosts: tuple[Count, ...]


def default_bucket(since: datetime, until: datetime) -> Bucket:
    """Hours for a period of up to two days, else days."""
    return Bucket.HOUR if until - since <= timedelta(days=2) else Bucket.DAY


def _period(
    since: datetime | None, until: datetime | None, bucket: Bucket | None, now: datetime
) -> tuple[datetime, datetime, Bucket]:
    until = until or now
    since = since or until - timedelta(days=DEFAULT_DAYS)
    if since >= until:
        raise InputError(
            f"the period is empty: since ({since.isoformat()}) must be before until "
            f"({until.isoformat()})",
            location="since",
            key="trends_empty_period",
        )
    bucket = bucket or default_bucket(since, until)
    buckets = (until - since) / bucket.step
    if buckets > MAX_BUCKETS:
        raise InputError(
            f"the period holds {int(buckets) + 1:,} {bucket.value}s; a trend shows at most "
            f"{MAX_BUCKETS}: choose a shorter period or daily buckets",
            location="bucket",
            key="trends_too_many_buckets",
            params={"count": int(buckets) + 1, "limit": MAX_BUCKETS},
        )
    return since, until, bucket


def _series(found: Sequence[Count], starts: Sequence[datetime]) -> tuple[Series, ...]:
    slot = {at: n for n, at in enumerate(starts)}
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(starts))
    for c in found:
        if c.at in slot:
            counts[c.key][slot[c.at]] += c.count
    made = [Series(key, tuple(values)) for key, values in counts.items()]
    return tuple(sorted(made, key=lambda s: (-s.total, s.key)))


def trends(
    store: Store,
    *,
    actor: Actor,
    now: datetime,
    since: datetime | None = None,
    until: datetime | None = None,
    bucket: Bucket | None = None,
    by: AlertDimension = AlertDimension.AGENCY,
    agency: str | None = None,
) -> TrendView:
    """Alerts (split ``by``) and events (per agency) per bucket over ``[since, until)``,
    the last ``DEFAULT_DAYS`` days when no period is given, with the top rules and hosts.
    A reporter sees their own agency's only, whatever ``agency`` asks for."""
    require_right(
        actor, Action.VIEW, f"role {actor.role.value} may not view trends", location="trends"
    )
    since, until, bucket = _period(since, until, bucket, now)
    scope = actor.scope.agencies([agency] if agency else None)
    window = TrendWindow(since=since, until=until, bucket=bucket, organization_ids=scope)
    starts = tuple(bucket_starts(since, until, bucket))
    return TrendView(
        since=since,
        until=until,
        bucket=bucket,
        by=by,
        agency=scope[0] if scope and len(scope) == 1 else None,
        starts=starts,
        alerts=_series(store.trends.alert_series(window, by), starts),
        events=_series(store.trends.event_series(window), starts),
        top_rules=tuple(store.trends.top_alerts(window, TopField.RULE, TOP)),
        top_hosts=tuple(store.trends.top_alerts(window, TopField.HOST, TOP)),
    )


def folded(series: Sequence[Series], keep: int) -> list[Series]:
    """The ``keep`` largest series, and the rest added up as one ``OTHER`` series (a chart
    with more lines than colours is not read)."""
    if len(series) <= keep:
        return list(series)
    rest = series[keep:]
    summed = tuple(sum(values) for values in zip(*(s.counts for s in rest), strict=True))
    return [*series[:keep], Series(OTHER, summed)]

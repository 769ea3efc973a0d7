"""Source health: per agency and source, the last event, events per hour over the last day,
the dead-letter rate, the expected interval, and whether the source has gone silent; and the
alert a silent source raises (issue 16 item 3).

The expected interval is configured (``Settings.source_intervals``, by source name or agency
code) or learned from the week's hourly counts: a high percentile of the gaps between events,
never below ``Settings.source_interval_floor_minutes``. A source is silent once its last
event is older than ``SILENT_FACTOR`` expected intervals; one too sparse to learn from is
given the learning window itself. Silence raises an ALERT (rule ``citysoc-source-silent``),
a lead that auto-triage never turns into an incident (``incidents.triage``); its id derives
from the source and its last event, so a source stays one open alert however often the check
runs, and a source that comes back and falls silent again raises a new one.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from core import audit
from core.access import SYSTEM, Action, Actor, require_right
from core.alerts import Alert, MatchedEvent, Severity
from core.clock import Clock
from core.errors import NotFoundError
from core.health import Gauge
from core.settings import Settings
from core.sources import SourceActivity, dead_letter_source
from core.storage.base import Store

__all__ = [
    "DAY_HOURS",
    "LEARNING_WINDOW",
    "RULE_ID",
    "SILENT_FACTOR",
    "SourceHealth",
    "raise_silent",
    "source_gauges",
    "source_health",
]

DAY_HOURS = 24  # the sparkline and the rates cover the last day
LEARNING_WINDOW = timedelta(days=7)  # the history an expected interval is learned from
SILENT_FACTOR = 2  # silent past this many expected intervals
PERCENTILE = 0.95  # of the gaps between events: the expected interval
MIN_GAPS = 3  # fewer gaps than this teach nothing: the source is too sparse to learn from
RULE_ID = "citysoc-source-silent"
RULE_TITLE = "Log source silent"

Basis = Literal["configured", "learned", "sparse"]


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """One source of one agency as the page, the API, the CLI and the gauges show it."""

    organization_id: str
    source: str  # "<kind>:<value>" (core.sources)
    last_seen: datetime
    age_seconds: float
    hourly: tuple[int, ...]  # events in each of the last DAY_HOURS hours, oldest first
    dead_letters: int  # in the last day
    expected_seconds: float
    basis: Basis
    threshold_seconds: float
    silent: bool

    @property
    def kind(self) -> str:
        return self.source.split(":", 1)[0]

    @property
    def name(self) -> str:
        return self.source.split(":", 1)[1]

    @property
    def events(self) -> int:
        """Events in the last day."""
        return sum(self.hourly)

    @property
    def events_per_hour(self) -> float:
        return self.events / DAY_HOURS

    @property
    def dead_letter_rate(self) -> float | None:
        """Dead letters / (events + dead letters) over the last day; None with neither."""
        total = self.events + self.dead_letters
        return self.dead_letters / total if total else None

    def as_dict(self) -> dict[str, object]:
        return {
            "organization_id": self.organization_id,
            "source": self.source,
            "kind": self.kind,
            "last_seen": self.last_seen.isoformat(),
            "age_seconds": round(self.age_seconds),
            "events_24h": self.events,
            "events_per_hour": round(self.events_per_hour, 2),
            "hourly": list(self.hourly),
            "dead_letters_24h": self.dead_letters,
            "dead_letter_rate": self.dead_letter_rate,
            "expected_interval_seconds": round(self.expected_seconds),
            "interval_basis": self.basis,
            "silent_after_seconds": round(self.threshold_seconds),
            "silent": self.silent,
        }


def source_health(
    store: Store,
    *,
    actor: Actor,
    settings: Settings,
    clock: Clock,
    organization_id: str | None = None,
) -> list[SourceHealth]:
    """Every source the actor may see (a reporter: their agency's only, whatever is asked),
    silent ones first, then the longest quiet first."""
    require_right(actor, Action.VIEW, "seeing sources takes an account that views records")
    asked = [organization_id] if organization_id else None
    return _judged(store, settings, clock, actor.scope.agencies(asked))


def _judged(
    store: Store, settings: Settings, clock: Clock, organization_ids: Sequence[str] | None
) -> list[SourceHealth]:
    now = clock.now().astimezone(UTC)
    hour = now.replace(minute=0, second=0, microsecond=0)
    day_start = hour - timedelta(hours=DAY_HOURS - 1)
    found = store.sources.activity(
        since=min(day_start, now - LEARNING_WINDOW),
        until=hour + timedelta(hours=1),
        organization_ids=organization_ids,
    )
    letters: dict[str, int] = {}
    for text, n in store.sources.dead_letters(
        since=now - timedelta(hours=DAY_HOURS), until=now
    ).items():
        named = dead_letter_source(text)
        if named is not None:
            letters[named] = letters.get(named, 0) + n
    judged = [_judge(a, settings, now, day_start, letters.get(a.source, 0)) for a in found]
    return sorted(judged, key=lambda h: (not h.silent, -h.age_seconds, h.organization_id, h.source))


def _judge(
    activity: SourceActivity, settings: Settings, now: datetime, day_start: datetime, letters: int
) -> SourceHealth:
    expected, basis = _expected(activity, settings)
    threshold = SILENT_FACTOR * expected if basis != "sparse" else expected
    age = max(0.0, (now - activity.last_seen).total_seconds())
    hourly = tuple(activity.hourly.get(day_start + timedelta(hours=n), 0) for n in range(DAY_HOURS))
    return SourceHealth(
        organization_id=activity.organization_id,
        source=activity.source,
        last_seen=activity.last_seen,
        age_seconds=age,
        hourly=hourly,
        dead_letters=letters,
        expected_seconds=expected,
        basis=basis,
        threshold_seconds=threshold,
        silent=age > threshold,
    )


def _expected(activity: SourceActivity, settings: Settings) -> tuple[float, Basis]:
    """Seconds between events one may expect of this source, and how that was decided."""
    configured = settings.source_intervals.get(activity.source)
    if configured is None:
        configured = settings.source_intervals.get(activity.organization_id)
    if configured is not None:
        return configured * 60.0, "configured"
    gaps = learned_gaps(activity.hourly)
    if sum(gaps.values()) < MIN_GAPS:
        return LEARNING_WINDOW.total_seconds(), "sparse"
    floor = settings.source_interval_floor_minutes * 60.0
    return max(floor, percentile(gaps, PERCENTILE)), "learned"


def learned_gaps(hourly: dict[datetime, int]) -> dict[float, int]:
    """Seconds between events as hourly counts tell them, each with how often it occurs:
    the gap from one busy hour to the next, and inside an hour of n events n-1 gaps of an
    n-th of an hour each (counted, not listed: a busy source sends thousands an hour)."""
    hours = sorted(hourly)
    gaps: dict[float, int] = {}
    for a, b in zip(hours, hours[1:], strict=False):
        gap = (b - a).total_seconds()
        gaps[gap] = gaps.get(gap, 0) + 1
    for at in hours:
        n = hourly[at]
        if n > 1:
            gaps[3600.0 / n] = gaps.get(3600.0 / n, 0) + n - 1
    return gaps


def percentile(counted: dict[float, int], q: float) -> float:
    """The nearest-rank percentile of values given with their counts (a gap that really
    happened, not an interpolation)."""
    rank = max(1, math.ceil(q * sum(counted.values())))
    seen = 0
    for value in sorted(counted):
        seen += counted[value]
        if seen >= rank:
            return value
    raise ValueError("no values")


def raise_silent(store: Store, *, settings: Settings, clock: Clock) -> list[Alert]:
    """One alert per silent source (of every agency) that has none yet; the new ones are
    returned and audited. Run by `serve` (``api.server.SourceWatch``) and by
    `citysoc sources silent --raise`."""
    now = clock.now()
    silent = [h for h in _judged(store, settings, clock, None) if h.silent]
    alerts = [silent_alert(h, now) for h in silent]
    known = {a.id for a in alerts if _exists(store, a.id)}
    new = [a for a in alerts if a.id not in known]
    if new:
        store.alerts.add(new)
        for alert in new:
            audit.record(
                store,
                actor=SYSTEM,
                action="source.silent",
                subject=alert.event.message or alert.id,
                at=now,
                detail={"alert": alert.id, "agency": alert.organization_id},
            )
    return new


def _exists(store: Store, alert_id: str) -> bool:
    try:
        store.alerts.get(alert_id)
    except NotFoundError:
        return False
    return True


def silent_alert(health: SourceHealth, now: datetime) -> Alert:
    """The alert of one silence: the same source silent since the same event is one alert."""
    seed = "\x00".join(
        (RULE_ID, health.organization_id, health.source, health.last_seen.isoformat())
    )
    alert_id = hashlib.sha256(seed.encode()).hexdigest()[:32]
    hours = round(health.age_seconds / 3600, 1)
    return Alert(
        id=alert_id,
        rule_id=RULE_ID,
        rule_title=RULE_TITLE,
        severity=Severity.MEDIUM,
        tags=("citysoc.source_health",),
        author="CitySOC source health",
        organization_id=health.organization_id,
        host_name=health.name if health.kind == "host" else None,
        event=MatchedEvent(
            event_id=alert_id,
            timestamp=health.last_seen,
            message=f"{health.source}: no events for {hours} h "
            f"(silent after {round(health.threshold_seconds / 3600, 1)} h)",
        ),
        created_at=now,
        group_key=f"{RULE_ID}|{health.organization_id}|{health.source}|{alert_id}",
    )


def source_gauges(store: Store, *, settings: Settings, clock: Clock) -> list[Gauge]:
    """Per source: age of the last event, events per hour over the last day, silent (1/0).
    City-wide: ``/metrics`` checks the reader's right before asking."""
    gauges: list[Gauge] = []
    for h in _judged(store, settings, clock, None):
        labels = (("agency", h.organization_id), ("source", h.source))
        gauges += [
            Gauge(
                "citysoc_source_last_event_age_seconds",
                "Seconds since the source's last event.",
                h.age_seconds,
                labels,
            ),
            Gauge(
                "citysoc_source_events_per_hour",
                "The source's events per hour over the last 24 hours.",
                round(h.events_per_hour, 3),
                labels,
            ),
            Gauge(
                "citysoc_source_silent",
                "1 while the source is silent past its expected interval.",
                int(h.silent),
                labels,
            ),
        ]
    return gauges

"""Trends over time: the words a trend query is made of, shared by the storage engines
(which count) and ``reports.trends`` (which scopes, fills the gaps and draws).

Buckets are Taipei hours or Taipei days (UTC+8, no daylight saving), so a daily bucket is
the day a person in the city lived, not a UTC day. Times are aware; bucket starts come back
as UTC instants."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from core.clock import TAIPEI

__all__ = [
    "AlertDimension",
    "Bucket",
    "Count",
    "TopField",
    "TrendWindow",
    "bucket_starts",
    "floor_bucket",
]


class Bucket(StrEnum):
    HOUR = "hour"
    DAY = "day"

    @property
    def step(self) -> timedelta:
        return timedelta(hours=1) if self is Bucket.HOUR else timedelta(days=1)


class AlertDimension(StrEnum):
    """What the alert series are split by."""

    AGENCY = "agency"
    RULE = "rule"
    SEVERITY = "severity"


class TopField(StrEnum):
    """What the "top" tables rank alerts by."""

    RULE = "rule"
    HOST = "host"


@dataclass(frozen=True, slots=True)
class TrendWindow:
    """Which records a trend counts: times in ``[since, until)`` (the alert's matched event
    time, the event's ``@timestamp``), of the given agencies only when ``organization_ids``
    is not None (an empty sequence counts nothing)."""

    since: datetime
    until: datetime
    bucket: Bucket = Bucket.DAY
    organization_ids: Sequence[str] | None = None


@dataclass(frozen=True, slots=True)
class Count:
    """One figure of a series (``at`` the bucket's start, UTC) or of a top table."""

    key: str
    count: int
    at: datetime | None = None
    label: str | None = None  # a rule's title beside its id


def floor_bucket(at: datetime, bucket: Bucket) -> datetime:
    """The start (UTC) of the Taipei hour or day ``at`` falls in."""
    local = at.astimezone(TAIPEI).replace(minute=0, second=0, microsecond=0)
    if bucket is Bucket.DAY:
        local = local.replace(hour=0)
    return local.astimezone(UTC)


def bucket_starts(since: datetime, until: datetime, bucket: Bucket) -> Iterator[datetime]:
    """Every bucket start from the one holding ``since`` up to (not including) ``until``."""
    at = floor_bucket(since, bucket)
    while at < until:
        yield at
        at += bucket.step

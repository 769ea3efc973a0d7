"""Time: an injectable clock, Asia/Taipei presentation and Republic of China (民國) dates.

Everything is stored as aware UTC; conversion to Taipei time and ROC years happens only
when presenting.
"""

from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

__all__ = [
    "TAIPEI",
    "UTC",
    "Clock",
    "FixedClock",
    "SystemClock",
    "ensure_aware",
    "roc_date",
    "taipei_time",
]

TAIPEI = ZoneInfo("Asia/Taipei")


class Clock(Protocol):
    """Source of the current time; inject a FixedClock in tests instead of patching."""

    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, at: datetime) -> None:
        self._at = ensure_aware(at, "FixedClock")

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> None:
        self._at += delta


def ensure_aware(value: datetime, what: str) -> datetime:
    """Reject naive datetimes: a time without a zone is ambiguous for a statutory clock."""
    if value.tzinfo is None or value.utcoffset() is None:
        from core.errors import InputError

        raise InputError(
            f"{what} must include a time zone (e.g. 2026-03-01T09:00:00+08:00), got {value}",
            location=what,
        )
    return value.astimezone(UTC)


def roc_date(value: datetime, *, with_time: bool = True) -> str:
    """Format as a Taipei-time ROC date, e.g. 民國115年03月01日 09:05."""
    local = ensure_aware(value, "datetime").astimezone(TAIPEI)
    year = local.year - 1911
    text = f"民國{year}年{local.month:02d}月{local.day:02d}日"
    return f"{text} {local.hour:02d}:{local.minute:02d}" if with_time else text


def taipei_time(value: datetime) -> str:
    """Short Taipei local time for tables, e.g. 11-27 09:05."""
    return ensure_aware(value, "datetime").astimezone(TAIPEI).strftime("%m-%d %H:%M")

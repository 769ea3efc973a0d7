"""Time: an injectable clock, Asia/Taipei presentation and Republic of China (民國) dates.

Everything is stored as aware UTC; conversion to Taipei time and ROC years happens only
when presenting. The formatters are total: any aware datetime, including ``datetime.min`` and
``datetime.max`` with any offset, formats to text. At the calendar's edges, where the value
has no Taipei (or UTC) wall time inside ``datetime``'s range, it is shown in UTC or in its own
offset, with the offset named, rather than failing the page that shows it.
"""

from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

__all__ = [
    "EARLIEST",
    "LATEST",
    "TAIPEI",
    "UTC",
    "Clock",
    "FixedClock",
    "SystemClock",
    "ensure_aware",
    "later",
    "roc_date",
    "roc_year",
    "taipei_datetime",
    "taipei_time",
    "utc_clamped",
]

TAIPEI = ZoneInfo("Asia/Taipei")
EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)
ROC_EPOCH = 1911  # 民國1年 is 1912


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
    """Reject naive datetimes: a time without a zone is ambiguous for a statutory clock.

    Raises InputError for a naive time, or one that is outside years 1-9999 in UTC."""
    from core.errors import InputError

    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(
            f"{what} must include a time zone (e.g. 2026-03-01T09:00:00+08:00), got {value}",
            location=what,
        )
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise InputError(
            f"{what} {value.isoformat()} is outside years 1-9999 in UTC", location=what
        ) from None


def later(at: datetime, delta: timedelta) -> datetime:
    """``at + delta``, saturating at the calendar's edges instead of overflowing (a deadline
    computed from a stored time in year 9999 is the last representable moment)."""
    try:
        return at + delta
    except OverflowError:
        return LATEST if delta > timedelta(0) else EARLIEST


def utc_clamped(value: datetime) -> datetime:
    """An aware time in UTC; one before year 1 or after 9999 in UTC becomes the first or last
    representable moment (for query bounds: "since 0001-01-01 00:00 Taipei" means "from the
    beginning", not a server error)."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return EARLIEST if value.year == datetime.min.year else LATEST


def _offset_label(value: datetime) -> str:
    offset = value.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _presentable(value: datetime) -> tuple[datetime, str]:
    """The wall time to show and a suffix naming its zone when it is not Taipei's."""
    if value.tzinfo is None or value.utcoffset() is None:
        ensure_aware(value, "datetime")  # raises the InputError that names the problem
    try:
        return value.astimezone(TAIPEI), ""
    except OverflowError:  # Taipei is ahead of UTC: only the last hours of 9999 (or earlier)
        pass
    try:
        return value.astimezone(UTC), " (UTC)"
    except OverflowError:  # before year 1 or after 9999 in UTC: only its own offset exists
        return value, f" ({_offset_label(value)})"


def roc_year(year: int) -> str:
    """民國N年, or 民國前N年 for a Gregorian year before 1912."""
    return f"民國{year - ROC_EPOCH}年" if year > ROC_EPOCH else f"民國前{ROC_EPOCH + 1 - year}年"


def roc_date(value: datetime, *, with_time: bool = True) -> str:
    """Format as a Taipei-time ROC date, e.g. 民國115年03月01日 09:05."""
    local, zone = _presentable(value)
    text = f"{roc_year(local.year)}{local.month:02d}月{local.day:02d}日"
    return f"{text} {local.hour:02d}:{local.minute:02d}{zone}" if with_time else text + zone


def taipei_datetime(value: datetime) -> str:
    """Taipei date and time for documents and pages, e.g. 2026-03-01 09:05."""
    local, zone = _presentable(value)
    return (
        f"{local.year:04d}-{local.month:02d}-{local.day:02d} "
        f"{local.hour:02d}:{local.minute:02d}{zone}"
    )


def taipei_time(value: datetime) -> str:
    """Short Taipei local time for tables, e.g. 11-27 09:05."""
    local, zone = _presentable(value)
    return f"{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}{zone}"

"""STIX/TAXII timestamps in one fixed-width form, so they sort as text."""

from datetime import UTC, datetime

from core.clock import utc_clamped
from core.errors import InputError

__all__ = ["EARLIEST_QUERY", "LATEST_QUERY", "parse_query_time", "parse_stix_time", "stix_time"]

# The span a TAXII query time (added_after, match[version]) may name: nothing was added before
# the Unix epoch, and a date past this century is a typo or a probe, not a filter.
EARLIEST_QUERY = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_QUERY = datetime(2100, 1, 1, tzinfo=UTC)


def stix_time(at: datetime) -> str:
    """UTC with microseconds: ``2026-03-02T01:00:00.000000Z`` (four-digit years; a time
    outside years 1-9999 in UTC becomes the nearest representable one)."""
    u = utc_clamped(at)
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}"
        f".{u.microsecond:06d}Z"
    )


def parse_stix_time(text: str, *, location: str = "timestamp") -> datetime:
    """Raises InputError naming the field when ``text`` is not an RFC 3339 UTC timestamp."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"{text!r} is not a timestamp like 2026-03-02T01:00:00Z", location=location
        ) from None
    if parsed.tzinfo is None:
        raise InputError(f"{text!r} needs a time zone (Z)", location=location)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise _OutOfRangeError(
            f"{text!r} is out of range once converted to UTC", location=location
        ) from None


class _OutOfRangeError(InputError):
    pass


def parse_query_time(text: str, *, location: str) -> datetime:
    """A timestamp a TAXII request filters on; raises InputError outside 1970-2099."""
    try:
        parsed: datetime | None = parse_stix_time(text, location=location)
    except _OutOfRangeError:
        parsed = None
    if parsed is None or not EARLIEST_QUERY <= parsed < LATEST_QUERY:
        raise InputError(
            f"{location} {text!r} is out of range: use a time from "
            f"{stix_time(EARLIEST_QUERY)} to before {stix_time(LATEST_QUERY)}",
            location=location,
        )
    return parsed

"""STIX/TAXII timestamps in one fixed-width form, so they sort as text."""

from datetime import UTC, datetime

from core.clock import utc_clamped
from core.errors import InputError

__all__ = ["parse_stix_time", "stix_time"]


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
    return parsed.astimezone(UTC)

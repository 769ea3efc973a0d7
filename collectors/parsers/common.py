"""Shared bits of the parsers: decoding and time parsing with clear errors."""

import functools
from datetime import datetime

from core.clock import TAIPEI, UTC
from core.errors import RecordParseError

__all__ = ["decode_utf8", "parse_timestamp", "timestamp_from_epoch"]


def decode_utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordParseError(
            f"record is not valid UTF-8 (byte {exc.start}: {data[exc.start : exc.start + 4]!r})"
        ) from exc


@functools.lru_cache(maxsize=4096)
def parse_timestamp(text: str, *, assume_tz: str = "Asia/Taipei") -> datetime:
    """ISO 8601 (with or without zone) or 'YYYY/MM/DD HH:MM:SS'. Naive means Taipei time."""
    value = text.strip().replace(" UTC", "")
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    # Python's fromisoformat takes at most 6 fractional digits; Windows gives 7.
    if "." in value:
        head, _, tail = value.partition(".")
        digits = len(tail) - len(tail.lstrip("0123456789"))
        value = head + "." + tail[: min(digits, 6)] + tail[digits:]
    try:
        parsed = datetime.fromisoformat(value.replace("/", "-"))
    except ValueError as exc:
        raise RecordParseError(f"unrecognized timestamp {text!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=TAIPEI if assume_tz == "Asia/Taipei" else UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError as exc:  # year 1 at +14:00 is before datetime.min in UTC
        raise RecordParseError(
            f"timestamp {text!r}: year {parsed.year} {_offset(parsed)} is outside what can "
            "be represented (years 1-9999 in UTC)"
        ) from exc


def _offset(value: datetime) -> str:
    offset = value.strftime("%z")  # +1400
    return f"{offset[:3]}:{offset[3:5]}" if offset else "UTC"


def timestamp_from_epoch(value: float, *, key: str) -> datetime:
    """Seconds (or, past 1e11, milliseconds) since 1970 as aware UTC.

    Raises RecordParseError for values no datetime can hold (1e300, NaN).
    """
    seconds = value / 1000 if value > 1e11 else value
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise RecordParseError(
            f"{key} {value!r} (seconds since 1970) is outside what can be represented "
            "(years 1-9999); send ISO 8601 text or a Unix time in seconds or milliseconds"
        ) from exc

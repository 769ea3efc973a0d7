"""Shared bits of the parsers: decoding and time parsing with clear errors."""

import functools
from datetime import datetime

from core.clock import TAIPEI, UTC
from core.errors import RecordParseError

__all__ = ["decode_utf8", "parse_timestamp"]


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
    return parsed.astimezone(UTC)

"""What every CSV export shares, whichever layer writes it (core.audit, reports.tables):
the UTF-8 byte order mark, the guard against formula injection and times in Taipei."""

from datetime import UTC, datetime

from core.clock import TAIPEI

__all__ = ["BOM", "formula_safe", "in_taipei"]

# Excel opens a CSV in the system's ANSI code page (Big5 on Taiwanese Windows) unless the
# file starts with a UTF-8 byte order mark: without it every Chinese header is mojibake.
BOM = b"\xef\xbb\xbf"

# A spreadsheet runs a cell that starts like a formula (CSV injection: =HYPERLINK(...),
# +cmd|...); such text gets a leading apostrophe, which spreadsheets show as text.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA) else text


def in_taipei(at: datetime) -> datetime:
    """``at`` in Taipei to the whole second (microseconds mean nothing to a reader); in UTC,
    or its own offset, at the calendar's edges where Taipei's wall time does not exist
    (the last hours of year 9999). Written with ``isoformat()`` the offset always shows."""
    at = at.replace(microsecond=0)
    for zone in (TAIPEI, UTC):
        try:
            return at.astimezone(zone)
        except OverflowError:
            continue
    return at

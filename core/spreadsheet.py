"""What every CSV export shares, whichever layer writes it (core.audit, event search,
reports.tables): the UTF-8 byte order mark, the guard against formula injection, times in
Taipei, and the streaming writer that applies them."""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime

from core.clock import TAIPEI

__all__ = ["BOM", "Cell", "csv_cell", "csv_chunks", "formula_safe", "in_taipei"]

Cell = str | int | float | bool | datetime | date | None

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


def csv_cell(value: Cell) -> str | int | float:
    """A cell as CSV writes it: a time in Taipei (ISO 8601 with the offset), text guarded."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return in_taipei(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return formula_safe(value)
    return value


def csv_chunks(
    headers: Sequence[str], rows: Iterable[Sequence[Cell]], *, rows_per_chunk: int = 500
) -> Iterator[bytes]:
    """CSV (UTF-8 with a BOM) in pieces as ``rows`` come: for streaming an export whose rows
    are read page by page, never held whole."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([formula_safe(h) for h in headers])
    head = BOM
    for n, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(v) for v in row])
        if n % rows_per_chunk == 0:
            yield head + buffer.getvalue().encode("utf-8")
            head = b""
            buffer.seek(0)
            buffer.truncate()
    yield head + buffer.getvalue().encode("utf-8")

"""Tables people open in a spreadsheet: a header row and typed cells, written as CSV or as
XLSX sheets. The one place that decides how a time, a formula-like text or a column width
looks in an export.

Times are shown in Taipei: in CSV as ISO 8601 with +08:00 and whole seconds; in XLSX as
real Excel datetimes (``yyyy-mm-dd hh:mm``), tz-naive Taipei values, because Excel has no
time zones (the sheets say so in their headers). JSON exports do not pass through here:
they stay machine-readable, ISO 8601 with the offset.
"""

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from core.clock import TAIPEI
from core.spreadsheet import Cell, csv_chunks, in_taipei

__all__ = [
    "Cell",
    "Table",
    "csv_bytes",
    "csv_chunks",
    "display_width",
    "xlsx_bytes",
]


XLSX_TIME_FORMAT = "yyyy-mm-dd hh:mm"
XLSX_HOURS_FORMAT = "0.00"
_MAX_WIDTH = 60  # characters: a long detail shows its start, not a screen-wide column
# Excel's serial dates start at 1900 (and count a 29 February 1900 that never was): earlier
# times are written as text rather than as a wrong date.
_EXCEL_FIRST = datetime(1900, 3, 1)


@dataclass(frozen=True, slots=True)
class Table:
    """One sheet: ``title`` names it (Excel allows 31 characters, no ``[]:*?/\\``)."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    # Columns whose fractions are hours (time to detect, delays): two decimals in XLSX.
    hours_columns: frozenset[int] = field(default_factory=frozenset)


def csv_bytes(table: Table) -> bytes:
    """The table as CSV: UTF-8 with a BOM, text cells guarded (core.spreadsheet)."""
    return b"".join(csv_chunks(table.headers, table.rows))


def display_width(text: str) -> int:
    """Columns ``text`` takes on screen: CJK (wide and full-width) characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _xlsx_value(value: Cell) -> Cell:
    if isinstance(value, datetime):
        local = in_taipei(value)
        if local.tzinfo is not TAIPEI or local.replace(tzinfo=None) < _EXCEL_FIRST:
            return local.isoformat()  # not a Taipei wall time Excel can hold: text
        return local.replace(tzinfo=None)
    if isinstance(value, date) and value < _EXCEL_FIRST.date():
        return value.isoformat()
    return value


def _shown(value: Cell) -> str:
    """The text a cell shows, for fitting the column width."""
    if isinstance(value, datetime):
        return "0000-00-00 00:00"
    if isinstance(value, float):
        return f"{value:.2f}"
    return "" if value is None else str(value)


def _write_sheet(sheet: Any, table: Table) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter

    widths = [display_width(h) for h in table.headers]
    sheet.append(list(table.headers))
    for row in table.rows:
        values = [_xlsx_value(v) for v in row]
        # XLSX cannot hold control characters (openpyxl refuses them); drop them.
        values = [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values]
        sheet.append(values)
        for n, (value, cell) in enumerate(zip(values, sheet[sheet.max_row], strict=True)):
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, never a formula (openpyxl guesses formula)
            elif isinstance(value, datetime):
                cell.number_format = XLSX_TIME_FORMAT
            elif n in table.hours_columns and isinstance(value, float):
                cell.number_format = XLSX_HOURS_FORMAT
            widths[n] = max(widths[n], display_width(_shown(value)))
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = min(width + 2, _MAX_WIDTH)
    sheet.freeze_panes = "A2"  # the header stays in view while scrolling
    if table.rows:
        sheet.auto_filter.ref = sheet.dimensions


def xlsx_bytes(tables: Sequence[Table]) -> bytes:
    """A workbook with one sheet per table, in order."""
    from openpyxl import Workbook  # imported here: only exports need it

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        _write_sheet(book.create_sheet(table.title), table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

"""Exports read like reports: headers in the reader's language, Taipei times (real Excel
datetimes in XLSX, ISO with +08:00 in CSV), fitted sheets, and a summary with the mean
times to detect and to recover (test_detection_time.py: detection counts from receipt)."""

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from core.access import Actor, Role
from core.clock import TAIPEI, FixedClock
from incidents import closing, notification
from incidents.levels import Availability, LevelAnswers, SystemClass
from reports.compliance import build_compliance, compliance_csv, compliance_xlsx, export
from reports.tables import Table, csv_bytes, display_width, xlsx_bytes
from tests.factories import open_incident

pytestmark = pytest.mark.reports

AUDITOR = Actor("audrey", Role.AUDITOR)
LEVEL2 = LevelAnswers(system_class=SystemClass.CORE_NON_CI, availability=Availability.WITHIN_MTD)
AWARE = datetime(2026, 5, 4, 10, 0, 0, 123456, tzinfo=TAIPEI)  # microseconds: never shown
MAY = {"start": date(2026, 5, 1), "end": date(2026, 5, 31)}
NOW = datetime(2026, 7, 1, tzinfo=UTC)


def _police_incident(store) -> str:
    """Aware 10:00 Taipei, notified 13:00 (due 11:00: two hours late), contained 15:00."""
    clock = FixedClock(AWARE)
    reporter = Actor("r", Role.REPORTER, agency="police")
    created = open_incident(store, clock, actor=reporter, organization_id="police")
    clock.advance(timedelta(hours=3))
    notification.file_notification(
        store=store,
        actor=reporter,
        incident_id=created.id,
        answers=LEVEL2,
        description="d",
        response_measures="m",
        outside_support_needed=False,
        clock=clock,
    )
    clock.advance(timedelta(hours=2))
    closing.mark_contained(store=store, actor=reporter, incident_id=created.id, clock=clock)
    return created.id


@pytest.fixture
def report(store, registry):
    _police_incident(store)
    return build_compliance(store=store, actor=AUDITOR, registry=registry, now=NOW, **MAY)


def _rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese as UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_speaks_chinese_by_default_with_taipei_times(report, registry):
    [notify, *_] = _rows(compliance_csv(report, registry=registry))
    assert list(notify)[:5] == ["事件編號", "機關代碼", "機關名稱", "等級", "法定時限"]
    assert (notify["法定時限"], notify["機關代碼"], notify["機關名稱"]) == (
        "機關通報",
        "police",
        "警察局",
    )
    assert (notify["狀態"], notify["逾時（小時）"]) == ("逾期完成", "2.0")
    # one hour after awareness, in Taipei, to the second: no microseconds, no UTC
    assert notify["期限（臺北時間）"] == "2026-05-04T11:00:00+08:00"
    assert notify["完成時間（臺北時間）"] == "2026-05-04T13:00:00+08:00"


def test_csv_in_english_names_clocks_and_agencies(report, registry):
    rows = _rows(compliance_csv(report, registry=registry, lang="en"))
    assert list(rows[0])[:5] == ["Incident", "Agency code", "Agency", "Level", "Statutory clock"]
    names = {r["Statutory clock"] for r in rows}
    assert "Agency notification" in names and "notify" not in names
    assert rows[0]["Agency"] == registry.get("police").name_en
    assert rows[0]["Due (Taipei time)"].endswith("+08:00")


def test_xlsx_holds_excel_datetimes_fitted_columns_frozen_header_and_filter(report, registry):
    book = load_workbook(io.BytesIO(compliance_xlsx(report, registry=registry)))
    assert book.sheetnames == ["摘要", "法定時限", "各機關", "演練義務"]
    clocks = book["法定時限"]
    headers = [c.value for c in clocks[1]]
    due = clocks.cell(row=2, column=headers.index("期限（臺北時間）") + 1)
    # a real datetime, Taipei wall time without a zone (Excel has none), minutes shown
    assert due.value == datetime(2026, 5, 4, 11, 0) and due.is_date
    assert due.number_format == "yyyy-mm-dd hh:mm"
    assert clocks.freeze_panes == "A2"
    assert clocks.auto_filter.ref == clocks.dimensions
    assert clocks.column_dimensions["B"].width >= len("機關代碼") * 2  # CJK counts double
    agency_col = headers.index("機關名稱") + 1
    assert clocks.cell(row=2, column=agency_col).value == "警察局"
    for sheet in book:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(sheet.column_dimensions[c].width for c in "AB"), sheet.title


def test_the_summary_sheet_has_the_mean_times_and_their_counts(report, registry):
    book = load_workbook(io.BytesIO(compliance_xlsx(report, registry=registry, lang="en")))
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Mean time to recover (hours)"] == pytest.approx(5.0)
    assert summary["Incidents timed for recovery"] == 1
    assert summary["Incidents"] == 1
    assert summary["Generated (Taipei time)"] == datetime(2026, 7, 1, 8, 0)
    assert "Taipei time (UTC+8)" in next(iter(summary))  # the first row says so
    assert summary["Audit trail"] == "intact"


def test_json_stays_machine_readable_with_offsets(report, registry):
    data = json.loads(export(report, "json", registry=registry))
    assert data["rows"][0]["clock"] == "notify"
    assert datetime.fromisoformat(data["rows"][0]["due_at"]).utcoffset() is not None


def test_cells_that_look_like_formulas_stay_text():
    table = Table("t", ["=header"], [["=HYPERLINK(1)"], ["+1"], ["-2"], ["@x"], [-3], ["ok"]])
    rows = list(csv.reader(io.StringIO(csv_bytes(table).decode("utf-8-sig"))))
    assert rows == [["'=header"], ["'=HYPERLINK(1)"], ["'+1"], ["'-2"], ["'@x"], ["-3"], ["ok"]]
    sheet = load_workbook(io.BytesIO(xlsx_bytes([table])))["t"]
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("=HYPERLINK(1)", "s")


def test_times_excel_cannot_hold_are_written_as_text():
    old = datetime(1899, 6, 1, tzinfo=UTC)
    sheet = load_workbook(io.BytesIO(xlsx_bytes([Table("t", ["at"], [[old], ["a\x07b"]])])))["t"]
    assert sheet["A2"].value == "1899-06-01T08:00:00+08:00"  # with its offset
    assert sheet["A3"].value == "ab"  # control characters cannot be stored in XLSX


def test_display_width_counts_cjk_double():
    assert (display_width("abc"), display_width("機關"), display_width("ＡＢ")) == (3, 4, 4)

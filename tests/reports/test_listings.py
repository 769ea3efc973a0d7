"""The alert queue and the incident list as spreadsheets: the reader's language, Taipei
times, the caller's agency scope, through the API and the command line."""

import csv
import io
import json
import re
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from collectors.records import RawRecord
from core.access import Actor, Role
from core.alerts import AlertQuery
from core.errors import InputError, NotFoundError
from core.settings import Settings
from reports import listings
from reports.listings import export_incidents
from tests.data.events import winlogbeat
from tests.factories import logged_in, make_user, open_incident

pytestmark = pytest.mark.reports

TOKEN = "test-token-0123456789"  # noqa: S105


@pytest.fixture
def seeded(soc):
    """One Xitun alert (an account added to Administrators) and a police incident."""
    ingestor = soc.ingestor()
    doc = winlogbeat("Security", 4732, {"TargetSid": "S-1-5-32-544", "MemberName": "m"})
    ingestor.submit(RawRecord("t", json.dumps(doc).encode(), soc.clock.now()), "jsonl")
    ingestor.flush()
    soc.process()
    return open_incident(soc.store, soc.clock, organization_id="police", title="勒索軟體")


@pytest.fixture
def client(soc, seeded):
    with TestClient(create_app(soc, api_token=TOKEN)) as c:
        c.headers["Authorization"] = f"Bearer {TOKEN}"
        yield c


def _rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_alerts_export_in_chinese_with_taipei_times(client):
    got = client.get("/api/v1/exports/alerts", params={"format": "csv", "agency": "district-xitun"})
    assert got.status_code == 200 and got.headers["content-disposition"].startswith("attachment")
    [alert, *_] = _rows(got.content)
    assert alert["機關名稱"] == "西屯區公所" and alert["機關代碼"] == "district-xitun"
    assert alert["處理狀態"] in ("待處理", "已升級")
    assert alert["嚴重度"] in ("資訊", "低", "中", "高", "嚴重")
    assert alert["事件時間（臺北時間）"].endswith("+08:00")
    en = client.get("/api/v1/exports/alerts", params={"format": "csv", "lang": "en"})
    assert list(_rows(en.content)[0])[:3] == ["Alert", "Rule", "Rule id"]
    none = client.get("/api/v1/exports/alerts", params={"format": "csv", "agency": "finance"})
    assert _rows(none.content) == []  # the queue's filters apply


def test_incidents_export_as_xlsx_names_states_and_the_next_clock(client, seeded):
    got = client.get("/api/v1/exports/incidents")  # XLSX by default
    sheet = load_workbook(io.BytesIO(got.content))["事件"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    [row] = [r for r in rows if r["事件編號"] == seeded.id]
    [suspected] = [r for r in rows if r["事件編號"] != seeded.id]  # from the alert
    assert suspected["事件狀態"] == "疑似事件（待確認）"
    assert (row["事件編號"], row["事件名稱"], row["機關名稱"]) == (seeded.id, "勒索軟體", "警察局")
    assert row["事件狀態"] == "已確認，待通報"
    assert row["下一法定時限"] == "機關通報"
    assert isinstance(row["知悉時間（臺北時間）"], datetime)
    assert row["知悉時間（臺北時間）"] == datetime(2026, 3, 2, 9, 0)  # 01:00 UTC
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    bad = client.get("/api/v1/exports/incidents", params={"format": "pdf"})
    assert bad.status_code == 422 and "format" in bad.text


def test_a_reporter_exports_only_their_agency(soc, seeded, registry):
    open_incident(soc.store, soc.clock, organization_id="district-xitun")
    data = export_incidents(
        soc.store,
        actor=Actor("x", Role.REPORTER, agency="district-xitun"),
        registry=registry,
        lang="zh",
        fmt="csv",
        now=soc.clock.now(),
    )
    assert {r["機關代碼"] for r in _rows(data)} == {"district-xitun"}


def test_the_command_line_writes_both_spreadsheets(soc, seeded, settings, tmp_path):
    alerts, incidents = tmp_path / "a.xlsx", tmp_path / "i.csv"
    common = ["--store", settings.store]
    result = CliRunner().invoke(cli, ["report", "alerts", "--out", str(alerts), *common])
    assert result.exit_code == 0, result.output
    assert load_workbook(alerts).sheetnames == ["告警"]
    args = ["report", "incidents", "--out", str(incidents), "--lang", "en", *common]
    assert CliRunner().invoke(cli, args).exit_code == 0
    states = {r["Incident"]: r["State"] for r in _rows(incidents.read_bytes())}
    assert states[seeded.id] == "Confirmed, not yet notified"
    bad = CliRunner().invoke(cli, ["report", "incidents", "--out", str(tmp_path / "i.pdf")])
    assert bad.exit_code == 2 and ".csv or .xlsx" in bad.output


def test_an_export_too_large_to_read_is_refused_with_the_count(soc, seeded, registry, monkeypatch):
    monkeypatch.setattr(listings, "MAX_ROWS", 0)
    with pytest.raises(InputError, match="1 alerts match; an export holds at most 0"):
        listings.export_alerts(
            soc.store,
            actor=Actor("a", Role.AUDITOR),
            query=AlertQuery(),
            registry=registry,
            lang="zh",
            fmt="csv",
        )


def test_the_queue_and_the_board_link_their_exports(soc, seeded):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)  # plain http here
    make_user(soc, "audrey", Role.AUDITOR)
    app = create_app(soc, api_token=TOKEN)
    browser, _csrf = logged_in(app, "audrey")
    queue = browser.get("/alerts", params={"agency": "district-xitun"}).text
    [href] = re.findall(r'href="([^"]+)" id="alerts-export-xlsx"', queue)
    assert "agency=district-xitun" in href
    book = browser.get(href.replace("&amp;", "&"))
    assert book.status_code == 200 and load_workbook(io.BytesIO(book.content)).sheetnames == [
        "告警"
    ]
    board = browser.get("/").text
    [href] = re.findall(r'href="([^"]+)" id="incidents-export-csv"', board)
    assert _rows(browser.get(href).content)[0]["機關代碼"]


def test_the_alert_csv_streams_in_pieces_that_make_the_same_file(soc):
    """``stream_alerts_csv`` reads the queue page by page and hands out CSV as it goes; the
    pieces joined are exactly the file ``export_alerts`` writes at once."""
    from datetime import UTC, timedelta

    from core.alerts import Alert, MatchedEvent, Severity

    t0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    soc.store.alerts.add(
        [
            Alert(
                id=f"a{n:04d}",
                rule_id="r",
                rule_title="=cmd|' /C calc'!A0" if n == 7 else "規則",
                severity=Severity.LOW,
                organization_id="district-xitun",
                event=MatchedEvent(event_id=f"e{n}", timestamp=t0),
                created_at=t0 + timedelta(seconds=n),
                group_key="g",
            )
            for n in range(1200)  # more than one page of the queue, more than one piece
        ]
    )
    who, query = Actor("amy", Role.ANALYST), AlertQuery(newest_first=True)
    kw = {"actor": who, "query": query, "registry": soc.registry, "lang": "zh"}
    pieces = list(listings.stream_alerts_csv(soc.store, **kw))
    assert len(pieces) > 2 and pieces[0].startswith(b"\xef\xbb\xbf")
    whole = listings.export_alerts(soc.store, fmt="csv", **kw)
    assert b"".join(pieces) == whole
    assert b"'=cmd" in whole  # formula-safe, as every export
    reporter = Actor("p", Role.REPORTER, agency="police")
    with pytest.raises(NotFoundError):  # refused before the first piece
        listings.stream_alerts_csv(
            soc.store,
            **{**kw, "actor": reporter, "query": AlertQuery(organization_id="district-xitun")},
        )

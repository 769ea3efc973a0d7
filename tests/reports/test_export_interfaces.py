"""The exports through the API and the command line: the language is the request's
(``lang``, else the page language; ``--lang``), Chinese by default."""

import csv
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from api.sessions import LANG_COOKIE
from core.access import Actor, Role
from core.audit import record
from core.storage.base import GENESIS_HASH, audit_hash
from tests.factories import open_incident

pytestmark = pytest.mark.reports

TOKEN = "test-token-0123456789"  # noqa: S105
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def client(soc):
    open_incident(soc.store, soc.clock, organization_id="police")
    with TestClient(create_app(soc, api_token=TOKEN)) as c:
        c.headers["Authorization"] = f"Bearer {TOKEN}"
        yield c


def _header(data: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_api_exports_in_chinese_unless_english_is_asked_for(client):
    zh = client.get("/api/v1/reports/compliance", params={**MARCH, "format": "csv"})
    assert zh.status_code == 200 and zh.headers["content-disposition"].startswith("attachment")
    assert _header(zh.content)[:3] == ["事件編號", "機關代碼", "機關名稱"]
    assert "警察局" in zh.content.decode("utf-8-sig")
    en = client.get("/api/v1/reports/compliance", params={**MARCH, "format": "csv", "lang": "en"})
    assert _header(en.content)[:3] == ["Incident", "Agency code", "Agency"]
    book = client.get("/api/v1/reports/compliance", params={**MARCH, "format": "xlsx"})
    assert load_workbook(io.BytesIO(book.content)).sheetnames[0] == "摘要"
    bad = client.get("/api/v1/reports/compliance", params={**MARCH, "format": "csv", "lang": "fr"})
    assert bad.status_code == 422 and "lang" in bad.text


def test_the_command_line_takes_lang_and_refuses_other_languages(soc, settings, tmp_path):
    open_incident(soc.store, soc.clock, organization_id="police")
    out = tmp_path / "c.csv"
    args = ["report", "compliance", "--from", "2026-03-01", "--to", "2026-03-31"]
    args += ["--store", settings.store, "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert _header(out.read_bytes())[:3] == ["Incident", "Agency code", "Agency"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert _header(out.read_bytes())[0] == "事件編號"
    refused = CliRunner().invoke(cli, [*args, "--lang", "fr"])
    assert refused.exit_code == 2 and "--lang must be zh or en" in refused.output


def test_the_audit_export_speaks_the_page_language_and_still_recomputes(client, soc):
    at = soc.clock.now().replace(microsecond=250000)
    record(soc.store, actor=Actor("=cmd", Role.ANALYST), action="x.y", subject="s", at=at)
    zh = client.get("/api/v1/audit/export")
    rows = list(csv.DictReader(io.StringIO(zh.content.decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "序號",
        "時間（臺北時間）",
        "執行者",
        "動作",
        "對象",
        "內容",
        "雜湊所含時間（UTC，原值）",
        "前一筆雜湊",
        "雜湊",
    ]
    last = rows[-1]
    assert last["時間（臺北時間）"] == "2026-03-02T09:00:00+08:00"  # whole seconds, Taipei
    assert last["執行者"].startswith("'=")  # a formula stays text in a spreadsheet
    prev = GENESIS_HASH
    for row in rows:
        actor = row["執行者"].removeprefix("'") if row["執行者"].startswith("'=") else row["執行者"]
        fields = (row["雜湊所含時間（UTC，原值）"], actor, row["動作"], row["對象"], row["內容"])
        assert audit_hash(prev, *fields) == row["雜湊"], row["序號"]
        prev = row["雜湊"]
    client.cookies.set(LANG_COOKIE, "en")  # the page language chosen
    en = client.get("/api/v1/audit/export")
    assert _header(en.content)[:3] == ["Sequence", "Time (Taipei time)", "Actor"]
    asked = client.get("/api/v1/audit/export", params={"lang": "zh"})  # explicit wins
    assert _header(asked.content)[0] == "序號"

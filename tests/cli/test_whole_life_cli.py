"""The whole life of an incident with `citysoc` commands only (issue 14 item 7), on a real
SQLite file: the demo's agency logs are ingested and detected into suspected cases; one is
confirmed, notified, reviewed, forwarded, contained, reported and closed, another dismissed;
`citysoc report compliance` for the period shows every clock met, none overdue, one
dismissed."""

import json
import re
from datetime import UTC, datetime, timedelta

from typer.testing import CliRunner

from api.cli import app
from api.cli.demo_inputs import write_demo_inputs
from core.clock import TAIPEI

runner = CliRunner()
INCIDENT_ID = re.compile(r"INC-\d{8}-[0-9A-F]{6}")


def test_an_incident_from_suspicion_to_closure_and_a_case_dismissed(tmp_path):
    store = ["--store", f"sqlite:///{tmp_path / 'citysoc.db'}"]

    def citysoc(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, [*args, *store])
        assert result.exit_code == code, result.output
        return " ".join(result.output.split())  # Rich wraps long lines: compare words

    def state(incident_id: str) -> str:
        shown = citysoc("incidents", "show", incident_id)
        return re.search(r"state: (\w+)", shown).group(1)  # type: ignore[union-attr]

    files = write_demo_inputs(tmp_path / "logs", now=datetime.now(UTC))
    assert "suspected cases opened" in citysoc("ingest", *map(str, files.all()))
    listed = citysoc("incidents", "list")
    titles = {i: citysoc("incidents", "show", i) for i in set(INCIDENT_ID.findall(listed))}
    assert all("state: suspected" in shown for shown in titles.values())
    [life] = [i for i, t in titles.items() if "Log Cleared — D-XITUN-FS01" in t]
    [school] = [i for i, t in titles.items() if "RDP Logon From Outside" in t]

    # No clock before a person confirms; nothing but a confirmation or dismissal is offered.
    assert "confirm the suspected case" in citysoc(
        "incidents", "notify", life, "--answers", str(_answers(tmp_path)),
        "--description", "x", "--measures", "y", code=2,
    )  # fmt: skip
    assert "dismissed" in citysoc("incidents", "dismiss", school, "--reason", "教師遠端教學")
    assert state(school) == "false_positive"
    assert "state open" in citysoc("incidents", "confirm", life)
    assert "state notified, level 2" in citysoc(
        "incidents", "notify", life, "--answers", str(_answers(tmp_path)),
        "--description", "檔案伺服器遭入侵並清除日誌", "--measures", "已隔離主機",
    )  # fmt: skip
    assert "state reviewed" in citysoc("incidents", "review", life, "--note", "等級無誤")
    assert "forwarded to 數位發展部資通安全署 (TW-2026-0042)" in citysoc(
        "incidents", "forward", life, "--to", "數位發展部資通安全署", "--reference", "TW-2026-0042"
    )
    assert "cannot be closed without its investigation report" in citysoc(
        "incidents", "close", life, code=2
    )
    assert "state contained" in citysoc("incidents", "contained", life, "--note", "服務恢復")
    assert "state reported" in citysoc(
        "incidents", "report", life, "--file", str(_report(tmp_path))
    )
    assert "state closed" in citysoc("incidents", "close", life, "--reason", "改善已排定")
    assert state(life) == "closed"
    shown = citysoc("incidents", "show", life)
    assert shown.count(" met ") == 5 and "overdue" not in shown

    today = datetime.now(TAIPEI).date()
    out = tmp_path / "compliance.json"
    said = citysoc(
        "report", "compliance", "--from", str(today - timedelta(days=1)),
        "--to", str(today + timedelta(days=1)), "--out", str(out),
    )  # fmt: skip
    assert "1 incidents (5 clocks met, 0 missed, 0 overdue; 1 suspected cases dismissed)" in said
    assert "0 open overdue items" in said
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["incidents"] == 1 and report["dismissed_suspected"] == 1
    assert {row["status"] for row in report["rows"]} == {"met"} and len(report["rows"]) == 5
    assert report["open_overdue"] == []
    assert "audit trail intact" in citysoc("audit", "verify")


def _answers(folder):
    path = folder / "level.yaml"
    path.write_text(
        "info_class: core_non_ci\ntamper: minor\nsystem_class: core_non_ci\n"
        "availability: within_mtd\n",
        encoding="utf-8",
    )
    return path


def _report(folder):
    path = folder / "report.yaml"
    path.write_text(
        "scope_and_damage: 一台檔案伺服器\ncontainment_process: 隔離、還原\n"
        "investigation_process: 分析事件紀錄\nroot_cause: 弱密碼\n"
        "preventive_measures: 多因素驗證\nschedule_and_tracking: 三個月內完成\n",
        encoding="utf-8",
    )
    return path

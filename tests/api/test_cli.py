"""The `citysoc` command line, run in-process against real files."""

import json

from typer.testing import CliRunner

from api.cli import app
from tests.data.events import winlogbeat

runner = CliRunner()


def test_demo_runs_the_whole_path_and_writes_a_notification(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["demo", "--folder", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    [form] = list((tmp_path / "demo").glob("notification-INC-*.html"))
    html = form.read_text(encoding="utf-8")
    assert "西屯區公所" in html and "第二級" in html
    assert "audit trail:" in result.output and "intact" in result.output


def test_ingest_alerts_deadletters_and_audit_commands(tmp_path):
    store = f"sqlite:///{tmp_path / 'c.db'}"
    logs = tmp_path / "logs.jsonl"
    doc = winlogbeat("Security", 1102, {"SubjectUserName": "eve"})
    logs.write_text(json.dumps(doc) + "\n{broken\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(logs), "--store", store])
    assert result.exit_code == 0, result.output
    assert "dead lettered" in result.output
    listed = runner.invoke(app, ["alerts", "list", "--store", store, "--format", "json"])
    [alert] = json.loads(listed.stdout)
    assert alert["rule_title"] == "Windows Security Event Log Cleared"
    dead = runner.invoke(app, ["deadletter", "list", "--store", store])
    assert "not valid JSON" in dead.output
    shown = runner.invoke(app, ["deadletter", "show", "1", "--store", store])
    assert "b'{broken'" in shown.output
    verified = runner.invoke(app, ["audit", "verify", "--store", store])
    assert verified.exit_code == 0 and "intact" in verified.output


def test_rules_check_lists_broken_rules_and_fails(tmp_path):
    (tmp_path / "bad.yml").write_text("title: x\n", encoding="utf-8")
    result = runner.invoke(app, ["rules", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert "bad.yml" in result.output and "0 of 1 rules compiled" in result.output

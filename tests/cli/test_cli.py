"""The `citysoc` command line, run in-process against real files."""

import json
import subprocess
import sys

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
    for flags, found in (
        (["--severity", alert["severity"]], 1),
        (["--status", "false_positive"], 0),
    ):
        narrowed = runner.invoke(
            app, ["alerts", "list", "--store", store, "--format", "json", *flags]
        )
        assert len(json.loads(narrowed.stdout)) == found, flags
    bad = runner.invoke(app, ["alerts", "list", "--store", store, "--severity", "huge"])
    assert bad.exit_code != 0 and "huge" in bad.output
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


def test_incident_opened_by_hand_shows_its_clocks(tmp_path):
    store = f"sqlite:///{tmp_path / 'c.db'}"
    opened = runner.invoke(
        app,
        [
            "incidents",
            "open",
            "--agency",
            "police",
            "--title",
            "網站遭竄改",
            "--aware-at",
            "2026-03-02T09:00:00+08:00",
            "--store",
            store,
        ],
    )
    assert opened.exit_code == 0, opened.output
    assert "notification due 民國115年03月02日 10:00" in opened.output
    incident_id = opened.output.split()[1].rstrip(";")
    shown = runner.invoke(app, ["incidents", "show", incident_id, "--store", store])
    assert "機關通報" in shown.output and "overdue" in shown.output
    naive = runner.invoke(
        app,
        [
            "incidents",
            "open",
            "--agency",
            "police",
            "--title",
            "x",
            "--aware-at",
            "2026-03-02T09:00:00",
            "--store",
            store,
        ],
    )
    assert "time zone" in str(naive.exception)
    # the real entry point turns it into a one-line message and exit status 2
    real = subprocess.run(
        [
            sys.executable,
            "-m",
            "api.cli",
            "incidents",
            "open",
            "--agency",
            "police",
            "--title",
            "x",
            "--aware-at",
            "2026-03-02T09:00:00",
            "--store",
            store,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert real.returncode == 2
    assert "error: aware_at must include a time zone" in " ".join(real.stderr.split())


def test_triage_from_the_command_line(tmp_path):
    store = f"sqlite:///{tmp_path / 'c.db'}"
    logs = tmp_path / "logs.jsonl"
    logs.write_text(
        json.dumps(winlogbeat("Security", 4720, {"TargetUserName": "eve"})) + "\n", encoding="utf-8"
    )
    runner.invoke(app, ["ingest", str(logs), "--store", store])
    [alert] = json.loads(
        runner.invoke(app, ["alerts", "list", "--store", store, "--format", "json"]).stdout
    )
    result = runner.invoke(
        app,
        [
            "alerts",
            "false-positive",
            alert["group_key"],
            "--reason",
            "新進人員帳號",
            "--store",
            store,
        ],
    )
    assert result.exit_code == 0 and "1 alerts marked false positive" in result.output

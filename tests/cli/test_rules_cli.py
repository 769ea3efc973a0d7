"""`citysoc rules`: list, show, disable/enable, exceptions, upload, preview, stats and noisy
over a real SQLite file, as an operator on the SOC host runs them."""

import json
from datetime import UTC, datetime, timedelta

from typer.testing import CliRunner

from api.cli import app
from tests.data.events import winlogbeat

runner = CliRunner()
UPLOAD = """title: Local Group Enumerated
id: 7d1f2a0e-8c55-4d8e-9d0a-2f1c5b8e9a11
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4798}
  condition: selection
level: low
"""


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_rules_commands_over_a_store(tmp_path):
    store = f"sqlite:///{tmp_path / 'c.db'}"
    logs = tmp_path / "logs.jsonl"
    recent = (datetime.now(UTC) - timedelta(hours=1)).isoformat()  # the CLI's clock is real
    lines = [
        winlogbeat("Security", 4720, {"TargetUserName": "a"}),
        winlogbeat("Security", 4798, {"TargetUserName": "Administrators"}, at=recent),
    ]
    logs.write_text("\n".join(json.dumps(d) for d in lines) + "\n", encoding="utf-8")
    _run("ingest", str(logs), "--store", store)
    rule = "16728b4d-9edc-5348-8e53-1b9b8cb7b78c"  # win_user_account_created.yml
    listed = json.loads(
        _run("rules", "list", "--technique", "T1136", "--format", "json", "--store", store)
    )
    assert [(r["rule_id"], r["enabled"], r["hits_24h"]) for r in listed["items"]] == [
        (rule, True, 1)
    ]
    shown = _run("rules", "show", rule, "--store", store)
    assert "EventID: 4720" in shown and "T1136" in shown
    stats = json.loads(_run("rules", "stats", "--format", "json", "--store", store))
    [run] = stats["runs"]
    assert {"rule_id": rule, "hits": 1} in [
        {k: v for k, v in r.items() if k != "seconds"} for r in run["rules"]
    ]
    assert "1 runs" in _run("rules", "stats", "--store", store)
    noisy = json.loads(_run("rules", "noisy", "--days", "30", "--format", "json", "--store", store))
    assert rule in [i["rule_id"] for i in noisy["items"]]
    assert "disabled" in _run("rules", "disable", rule, "--store", store)
    off = _run("rules", "list", "-q", "account created", "--format", "json", "--store", store)
    assert [r["enabled"] for r in json.loads(off)["items"]] == [False]
    _run("rules", "enable", rule, "--store", store)
    added = _run(
        "rules",
        "exceptions",
        "add",
        rule,
        "--host",
        "D-XITUN-FS01",
        "--reason",
        "vendor",
        "--expires",
        "2099-01-01T00:00",
        "--store",
        store,
    )
    exception_id = added.split()[1]
    listed_x = _run("rules", "exceptions", "list", rule, "--format", "json", "--store", store)
    assert [(x["id"], x["host"]) for x in json.loads(listed_x)] == [(exception_id, "D-XITUN-FS01")]
    _run("rules", "exceptions", "remove", rule, exception_id, "--store", store)
    assert "0 exceptions" in _run("rules", "exceptions", "list", "--store", store)
    path = tmp_path / "enum.yml"
    path.write_text(UPLOAD, encoding="utf-8")
    previewed = _run("rules", "preview", str(path), "--days", "7", "--store", store)
    assert "1 events" in previewed
    assert "disabled" in _run("rules", "upload", str(path), "--store", store)
    bad = runner.invoke(app, ["rules", "list", "--level", "huge", "--store", store])
    assert bad.exit_code != 0 and "level must be one of" in str(bad.exception)
    scopeless = runner.invoke(
        app,
        [
            "rules",
            "exceptions",
            "add",
            rule,
            "--reason",
            "r",
            "--expires",
            "2099-01-01",
            "--store",
            store,
        ],
    )
    assert scopeless.exit_code != 0 and "needs a scope" in str(scopeless.exception)

"""`citysoc alerts` on a real SQLite store (issue 16 item 6): host and rule filters take
part of a name in any case, the filtered queue streams as CSV, and alerts go to a
colleague (audited); a refusal names what was wrong."""

import csv
import io
import json

from typer.testing import CliRunner

from api.cli import app
from core.errors import InputError
from core.settings import Settings
from core.storage import open_store
from tests.data.events import winlogbeat
from tests.factories import PASSWORD

runner = CliRunner()


def _listed(store: str, *flags: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["alerts", "list", "--store", store, "--format", "json", *flags])
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


def test_filters_csv_and_assignment_to_a_colleague(tmp_path):
    store = f"sqlite:///{tmp_path / 'c.db'}"
    logs = tmp_path / "logs.jsonl"
    docs = [
        winlogbeat("Security", 1102, {"SubjectUserName": "eve"}, host=host)
        for host in ("D-XITUN-PC07", "POLICE-FS01")
    ]
    logs.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(logs), "--store", store]).exit_code == 0

    assert [a["host_name"] for a in _listed(store, "--host", "pc07")] == ["D-XITUN-PC07"]
    assert len(_listed(store, "--rule", "LOG CLEARED")) == 2  # part of the title, any case
    assert _listed(store, "--rule", "%") == []

    exported = runner.invoke(
        app, ["alerts", "list", "--store", store, "--format", "csv", "--host", "police"]
    )
    assert exported.exit_code == 0, exported.output
    assert exported.stdout_bytes.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.stdout_bytes.decode("utf-8-sig"))))
    assert rows[0][0] == "告警編號" and len(rows) == 2 and "POLICE-FS01" in rows[1]

    created = runner.invoke(
        app,
        ["users", "create", "bob", "--role", "analyst", "--password-stdin", "--store", store],
        input=PASSWORD + "\n",
    )
    assert created.exit_code == 0, created.output
    ids = [str(a["id"]) for a in _listed(store)]
    given = runner.invoke(app, ["alerts", "assign", *ids, "--to", "bob", "--store", store])
    assert given.exit_code == 0 and "2 alerts assigned to bob" in given.output
    assert len(_listed(store, "--assignee", "bob")) == 2
    with open_store(Settings(store=store)) as opened:
        [entry] = [r for r in opened.audit.rows() if r.action == "alerts.assign"]
    assert json.loads(entry.detail)["assignee"] == "bob" and entry.actor.startswith("cli:")

    refused = runner.invoke(app, ["alerts", "assign", ids[0], "--to", "ghost", "--store", store])
    assert refused.exit_code != 0 and isinstance(refused.exception, InputError)
    assert "ghost" in str(refused.exception)
    back = runner.invoke(app, ["alerts", "assign", ids[0], "--store", store])
    assert back.exit_code == 0 and "1 unassigned" in back.output
    bad = runner.invoke(app, ["alerts", "list", "--store", store, "--format", "xml"])
    assert bad.exit_code != 0 and "--format" in bad.output

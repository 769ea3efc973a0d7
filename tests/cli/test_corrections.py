"""`citysoc incidents correct`: the corrections service from the command line."""

import json

from typer.testing import CliRunner

from api.cli import app
from core.settings import Settings
from core.storage import open_store
from incidents.models import CorrectedField

runner = CliRunner()


def _open(store: str) -> str:
    opened = runner.invoke(
        app,
        [
            "incidents",
            "open",
            "--agency",
            "police",
            "--title",
            "x",
            "--aware-at",
            "2026-03-02T09:00:00+08:00",
            "--store",
            store,
        ],
    )
    assert opened.exit_code == 0, opened.output
    return opened.output.split()[1].rstrip(";")


def test_correct_records_the_change_and_refuses_the_future(tmp_path):
    store = f"sqlite:///{tmp_path / 'c.db'}"
    incident_id = _open(store)
    corrected = runner.invoke(
        app,
        [
            "incidents",
            "correct",
            incident_id,
            "--field",
            "occurred_at",
            "--value",
            "2026-03-01T22:00:00+08:00",
            "--reason",
            "主機日誌",
            "--store",
            store,
        ],
    )
    assert corrected.exit_code == 0, corrected.output
    assert f"corrected {incident_id}: occurred_at" in corrected.output
    with open_store(Settings(store=store)) as opened:  # type: ignore[call-arg]
        [row] = [r for r in opened.audit.rows(subject=incident_id) if "occurred" in r.action]
        document, _version = opened.incidents.get(incident_id)
    assert row.action == "incident.occurred_at" and "主機日誌" in row.detail
    [correction] = json.loads(document)["corrections"]
    assert (correction["field"], correction["reason"]) == (CorrectedField.OCCURRED_AT, "主機日誌")
    future = runner.invoke(
        app,
        [
            "incidents",
            "correct",
            incident_id,
            "--field",
            "aware_at",
            "--value",
            "2999-01-01T00:00:00+08:00",
            "--store",
            store,
        ],
    )
    assert future.exit_code != 0
    assert "future" in str(future.exception) or "future" in future.output
    bad = runner.invoke(
        app,
        ["incidents", "correct", incident_id, "--field", "level", "--value", "x"],
    )
    assert bad.exit_code != 0 and "level" in bad.output

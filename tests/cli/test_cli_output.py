"""Stored text reaches the terminal shown, never obeyed: escape sequences from logs and Rich
markup in host names, titles and reasons are printed as visible text by every command."""

import json

import pytest
from typer.testing import CliRunner

from api import cli
from tests.data.events import winlogbeat

HOSTILE = "FS01\x1b]0;pwned\x07\x1b[2J[red]x[/red]:thumbs_up:\x9b31m"
SHOWN = "FS01\\x1b]0;pwned\\x07\\x1b[2J[red]x[/red]:thumbs_up:\\x9b31m"
runner = CliRunner(env={"COLUMNS": "1000"})  # one table row per line


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    logs = tmp_path / "hostile.jsonl"
    cleared = winlogbeat("Security", 1102, {"SubjectUserName": HOSTILE}, host=HOSTILE)
    logs.write_text(
        json.dumps(cleared) + "\n" + '{"broken \x1b[2J [red]x[/red]\n', encoding="utf-8"
    )
    ingested = runner.invoke(cli.app, ["ingest", str(logs), "--store", url])
    assert ingested.exit_code == 0, ingested.output
    return url


def _clean(output: str) -> None:
    for control in ("\x1b", "\x07", "\x9b", "👍"):
        assert control not in output, f"{control!r} reached the terminal: {output!r}"


def test_tables_and_messages_show_stored_text_inert(store):
    listed = runner.invoke(cli.app, ["alerts", "list", "--store", store])
    assert listed.exit_code == 0, listed.output
    _clean(listed.output)
    assert SHOWN in listed.output  # the markup is shown as typed, not applied
    groups = runner.invoke(cli.app, ["alerts", "groups", "--store", store])
    _clean(groups.output)
    incidents = runner.invoke(cli.app, ["incidents", "list", "--store", store])
    _clean(incidents.output)
    assert SHOWN in incidents.output
    incident_id = next(w for w in incidents.output.split() if w.startswith("INC-"))
    shown = runner.invoke(cli.app, ["incidents", "show", incident_id, "--store", store])
    _clean(shown.output)
    assert SHOWN in shown.output
    for args in (["deadletter", "list"], ["deadletter", "show", "1"]):
        dead = runner.invoke(cli.app, [*args, "--store", store])
        assert dead.exit_code == 0, dead.output
        _clean(dead.output)


def test_json_output_escapes_every_control_character(store):
    listed = runner.invoke(cli.app, ["alerts", "list", "--store", store, "--format", "json"])
    _clean(listed.stdout)
    [alert] = json.loads(listed.stdout)
    assert alert["host_name"] == HOSTILE  # the data itself is kept whole

"""`citysoc events search|top|sigma|save|saved|unsave` on a real SQLite store: a table with
the total, every match as CSV or JSON lines, top values, the Sigma draft, saved searches
(audited), and refusals that say what was wrong."""

import json
from datetime import UTC, datetime, timedelta

from typer.testing import CliRunner

from api.cli import app
from core.errors import InputError
from core.events import Event
from core.storage import SqliteStore

runner = CliRunner()


def _store(tmp_path) -> str:
    path = tmp_path / "s.db"
    now = datetime.now(UTC)
    with SqliteStore(path) as store:
        store.events.append(
            [
                Event(
                    event_id=f"ev{n}",
                    timestamp=now - timedelta(hours=n * 5, minutes=1),
                    dataset="windows.security",
                    organization_id="district-xitun",
                    original=f"logon {n}",
                    fields={"host.name": f"WS-{n % 2}", "winlog.event_id": 4624 + n % 2},
                )
                for n in range(8)  # 0-35 hours ago
            ]
        )
    return f"sqlite:///{path}"


def run(*args: str):
    return runner.invoke(app, ["events", *args])


def test_search_as_a_table_csv_and_json_lines(tmp_path):
    store = _store(tmp_path)
    table = run("search", "winlog.event_id:4625", "--store", store)
    assert table.exit_code == 0, table.output
    assert "2 events" in " ".join(table.output.split())
    assert "ev1" in table.output and "ev3" in table.output
    week = run("search", "winlog.event_id:4625", "--since", "7d", "--store", store)
    assert "4 events" in " ".join(week.output.split())
    lines = run("search", "host.name:ws-0", "--since", "7d", "--format", "jsonl", "--store", store)
    assert lines.exit_code == 0, lines.output
    assert [json.loads(x)["event.id"] for x in lines.output.splitlines()] == [
        "ev0",
        "ev2",
        "ev4",
        "ev6",
    ]
    csv_out = run("search", "--since", "7d", "--format", "csv", "--store", store)
    assert csv_out.output.count("\n") == 9  # the header and every event, no cap


def test_top_values_sigma_and_refusals(tmp_path):
    store = _store(tmp_path)
    top = run("top", "host.name", "--since", "7d", "--store", store)
    assert top.exit_code == 0, top.output
    shown = " ".join(top.output.split())  # the title may wrap
    assert "ws-0" in shown and "ws-1" in shown and "among 8 events" in shown
    draft = run("sigma", "winlog.event_id:4625 AND host.name:ws-*", "--store", store)
    assert draft.exit_code == 0 and "Computer|startswith: ws-" in draft.output
    bad = run("search", "host.name:(x", "--store", store)
    assert isinstance(bad.exception, InputError) and "character 11" in str(bad.exception)
    span = run("search", "--since", "yesterday", "--store", store)
    assert isinstance(span.exception, InputError) and "--since" in str(span.exception)


def test_saved_searches_from_the_command_line(tmp_path):
    store = _store(tmp_path)
    saved = run("save", "Failed logons", "winlog.event_id:4625", "--shared", "--store", store)
    assert saved.exit_code == 0, saved.output
    search_id = saved.output.split()[2].rstrip(":")
    listing = run("saved", "--store", store)
    assert "Failed logons" in listing.output and "yes" in listing.output
    assert run("unsave", search_id, "--store", store).exit_code == 0
    assert "Failed logons" not in run("saved", "--store", store).output
    with SqliteStore(tmp_path / "s.db") as opened:
        actions = [r.action for r in opened.audit.rows()]
    assert actions == ["search.save", "search.delete"]

"""Case work from the command line on a real SQLite store: the checklist (tasks, task-done,
task-undo), the owner and watchers, a comment with a mention (progress), and the timeline
that shows them all; a refusal names what was wrong."""

from typer.testing import CliRunner

from api.cli import app
from core.errors import InputError
from tests.cli.test_workflow_cli import opened, step
from tests.factories import PASSWORD

runner = CliRunner()


def test_tasks_owner_comment_and_timeline(tmp_path):
    store = f"sqlite:///{tmp_path / 'c.db'}"
    incident = opened(store)
    created = runner.invoke(
        app,
        ["users", "create", "amy", "--role", "analyst", "--password-stdin", "--store", store],
        input=PASSWORD + "\n",
    )
    assert created.exit_code == 0, created.output
    listed = step(store, "tasks", incident, "--lang", "en")
    assert "scope" in listed and "Preserve evidence" in listed
    done = step(store, "task-done", incident, "scope")
    assert "✓" in done and "cli:" in done
    assert "✓" not in step(store, "task-undo", incident, "scope")
    assert "owner amy; watchers amy" in step(store, "assign", incident, "amy")
    assert "owner -" in step(store, "assign", incident, "-")
    assert "progress recorded" in step(store, "progress", incident, "--text", "@amy 請協助")
    watched = step(store, "watch", incident)
    assert "watchers amy, cli:" in watched
    timeline = step(store, "timeline", incident)
    for shown in ("state", "task", "casework", "comment", "請協助"):
        assert shown in timeline
    refused = runner.invoke(app, ["incidents", "task-done", incident, "nope", "--store", store])
    assert refused.exit_code != 0 and isinstance(refused.exception, InputError)
    assert "nope" in str(refused.exception)
    unknown = runner.invoke(app, ["incidents", "assign", incident, "ghost", "--store", store])
    assert isinstance(unknown.exception, InputError) and "ghost" in str(unknown.exception)

"""`citysoc incidents list` with the board's filters and orders (incidents.board)."""

from typer.testing import CliRunner

from api.cli import app
from tests.cli.test_workflow_cli import opened

runner = CliRunner()


def test_list_filters_and_counts(tmp_path):
    store = f"sqlite:///{tmp_path / 'b.db'}"
    incident = opened(store)
    listed = runner.invoke(app, ["incidents", "list", "--state", "open", "--store", store])
    assert listed.exit_code == 0, listed.output
    assert incident in listed.output and "of 1" in listed.output
    none = runner.invoke(
        app, ["incidents", "list", "--search", "no such words", "--sort", "level", "--store", store]
    )
    assert none.exit_code == 0 and incident not in none.output and "of 0" in none.output
    bad = runner.invoke(app, ["incidents", "list", "--level", "7", "--store", store])
    assert bad.exit_code == 2

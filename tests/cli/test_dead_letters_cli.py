"""`citysoc dead-letters list|show|reprocess` (issue 16 item 7); `deadletter` still works."""

from typer.testing import CliRunner

from api.cli import app
from tests.collectors.test_auth_and_web_logs import IIS

runner = CliRunner()


def test_dead_letters_are_listed_filtered_and_reprocessed_from_the_command_line(tmp_path):
    store = f"sqlite:///{tmp_path / 'c.db'}"
    old = tmp_path / "u_ex.txt"  # IIS lines read by default fields; "# …" lines are no header
    old.write_text("just text\n" + IIS.replace("#", "# "), encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(old), "--store", store]).exit_code == 0
    listed = runner.invoke(app, ["dead-letters", "list", "--store", store, "--source", "U_EX"])
    assert listed.exit_code == 0 and "selected" in listed.output
    legacy = runner.invoke(app, ["deadletter", "list", "--store", store])
    assert legacy.exit_code == 0
    one = runner.invoke(app, ["dead-letters", "reprocess", "1", "--store", store])
    assert one.exit_code == 0, one.output
    said = " ".join(one.output.split())  # Rich wraps at the terminal width
    assert "1 examined" in said and "1 still not parsed" in said
    late = runner.invoke(
        app, ["dead-letters", "reprocess", "--since", "2099-01-01", "--store", store]
    )
    assert "0 examined" in late.output
    far = runner.invoke(app, ["dead-letters", "list", "--until", "0001-01-01", "--store", store])
    assert far.exit_code != 0 and "--until" in str(far.exception)

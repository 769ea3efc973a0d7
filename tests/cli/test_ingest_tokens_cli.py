"""`citysoc ingest-tokens create|list|revoke` on a real SQLite store: the token is printed
once and works for its agency, the list never shows it, a revoked token stops working."""

import pytest
from typer.testing import CliRunner

from api.cli import app
from core.errors import NotFoundError, UnauthenticatedError
from core.ingest_tokens import ingest_token_for
from core.settings import Settings
from core.storage import open_store

runner = CliRunner()


def test_create_list_revoke(tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    empty = runner.invoke(app, ["ingest-tokens", "list", "--store", url])
    assert empty.exit_code == 0 and "no ingest tokens yet" in empty.output
    made = runner.invoke(
        app,
        ["ingest-tokens", "create", "--agency", "police", "--name", "vector", "--store", url],
    )
    assert made.exit_code == 0, made.output
    plain = made.output.strip().splitlines()[-1]
    assert plain.startswith("csin_")
    with open_store(Settings(store=url)) as store:
        token = ingest_token_for(store=store, plain=plain)
        assert token is not None and token.agency == "police"
    listed = runner.invoke(app, ["ingest-tokens", "list", "--agency", "police", "--store", url])
    assert token.id in listed.output and "vector" in listed.output
    assert plain not in listed.output
    gone = runner.invoke(app, ["ingest-tokens", "revoke", token.id, "--store", url])
    assert gone.exit_code == 0 and f"revoked {token.id}" in gone.output
    with open_store(Settings(store=url)) as store, pytest.raises(UnauthenticatedError):
        ingest_token_for(store=store, plain=plain)
    other = runner.invoke(app, ["ingest-tokens", "list", "--agency", "finance", "--store", url])
    assert token.id not in other.output


def test_an_unknown_agency_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    done = runner.invoke(
        app, ["ingest-tokens", "create", "--agency", "atlantis", "--name", "x", "--store", url]
    )
    assert isinstance(done.exception, NotFoundError)
    assert "atlantis" in str(done.exception)

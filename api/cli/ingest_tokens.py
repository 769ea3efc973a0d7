"""`citysoc ingest-tokens`: the tokens log shippers send events with over HTTP
(POST /api/v1/ingest), one agency each (core.ingest_tokens)."""

import sys
from typing import Annotated

import typer

from api.cli.common import StoreOpt, console, open_soc
from api.context import local_operator
from api.terminal import Table, safe

__all__ = ["ingest_tokens_app"]

ingest_tokens_app = typer.Typer(
    help="Tokens for log shippers (HTTP ingest), bound to one agency.", no_args_is_help=True
)


@ingest_tokens_app.command("create")
def create(
    agency: Annotated[str, typer.Option(help="the agency code its events belong to")],
    name: Annotated[str, typer.Option(help="the shipper that uses it, e.g. fluent-bit@fw1")],
    store: StoreOpt = None,
) -> None:
    """Issue an ingest token; it is printed once (on standard output) and kept only as a hash."""
    from core.ingest_tokens import issue_ingest_token

    with open_soc(store) as soc:
        plain, token = issue_ingest_token(
            store=soc.store,
            actor=local_operator(),
            registry=soc.registry,
            agency=agency,
            name=name,
            clock=soc.clock,
        )
        console.print(f"ingest token {token.id} for {safe(token.agency)} (shown once):")
        sys.stdout.write(plain + "\n")


@ingest_tokens_app.command("list")
def list_(
    agency: Annotated[str | None, typer.Option(help="only this agency's")] = None,
    store: StoreOpt = None,
) -> None:
    """Ingest tokens, revoked ones too (never the tokens themselves)."""
    from core.ingest_tokens import list_ingest_tokens

    with open_soc(store) as soc:
        tokens = list_ingest_tokens(store=soc.store, actor=local_operator(), agency=agency)
        if not tokens:
            console.print("no ingest tokens yet: make one with `citysoc ingest-tokens create`")
            return
        table = Table(title="Ingest tokens")
        for col in ("id", "agency", "name", "created", "revoked"):
            table.add_column(col)
        for t in tokens:
            row = t.as_dict()
            table.add_row(
                t.id, t.agency, t.stored.name, str(row["created_at"]), str(row["revoked_at"] or "")
            )
        console.print(table)


@ingest_tokens_app.command("revoke")
def revoke(token_id: str, store: StoreOpt = None) -> None:
    """Revoke an ingest token: its shipper is refused (401) from its next request."""
    from core.ingest_tokens import revoke_ingest_token

    with open_soc(store) as soc:
        token = revoke_ingest_token(
            store=soc.store, actor=local_operator(), token_id=token_id, clock=soc.clock
        )
        console.print(f"revoked {token.id} ({safe(token.agency)})")

"""The `citysoc` command line: every command calls the same services as the API.

This module only assembles the Typer app from one module per command group; `main` is the
console script (pyproject's `citysoc`) and `python -m api.cli`.
"""

import sys

import typer

from api.cli import (
    alerts,
    attack,
    audit,
    casework,
    corrections,
    dead_letters,
    demo,
    drills,
    incidents,
    ingest,
    ingest_tokens,
    merging,
    messages,
    reports,
    rules,
    scan,
    search,
    serve,
    share,
    sources,
    trends,
    users,
)
from api.cli.common import err
from api.terminal import safe
from core.errors import CitySocError

__all__ = ["app", "main"]

app = typer.Typer(
    help="CitySOC: security operations and incident reporting for city agencies.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
# Typer lists commands in the order they are registered, then the groups: keep it stable.
app.command()(ingest.ingest)
app.command()(ingest.detect)
app.command()(scan.scan)
app.command()(serve.agencies)
app.command()(serve.serve)
app.command()(demo.demo)
app.command("trends")(trends.trends_command)
app.command()(attack.attack)
app.add_typer(alerts.alerts_app, name="alerts")
app.add_typer(dead_letters.dead_app, name="dead-letters")
app.add_typer(dead_letters.dead_app, name="deadletter", hidden=True)  # its first name
incidents.incidents_app.command("correct")(corrections.correct)
incidents.incidents_app.command("merge")(merging.merge)
casework.add_casework_commands(incidents.incidents_app)
app.add_typer(incidents.incidents_app, name="incidents")
app.add_typer(audit.audit_app, name="audit")
rules.add_rule_commands(ingest.rules_app)
app.add_typer(ingest.rules_app, name="rules")
app.add_typer(scan.assets_app, name="assets")
app.add_typer(drills.drills_app, name="drills")
app.add_typer(users.users_app, name="users")
app.add_typer(ingest_tokens.ingest_tokens_app, name="ingest-tokens")
app.add_typer(messages.messages_app, name="messages")
app.add_typer(sources.sources_app, name="sources")
app.add_typer(reports.report_app, name="report")
app.add_typer(share.share_app, name="share")
app.add_typer(search.events_app, name="events")


def main() -> None:
    try:
        app()
    except CitySocError as exc:
        err.print(f"[red]error:[/] {safe(exc)}")
        sys.exit(2)

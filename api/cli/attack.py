"""`citysoc attack`: a period's alerts and incidents by ATT&CK tactic and technique."""

import json
from datetime import datetime
from typing import Annotated

import typer

from api.cli.common import StoreOpt, console, open_soc
from api.context import local_operator
from api.terminal import Table, safe
from detections.attack import TACTICS
from detections.attack_view import attack_view, taipei_period

__all__ = ["attack"]


def attack(
    start: Annotated[
        datetime | None,
        typer.Option(
            "--from", formats=["%Y-%m-%d"], help="first day (Taipei); default: 30 days ago"
        ),
    ] = None,
    end: Annotated[
        datetime | None,
        typer.Option("--to", formats=["%Y-%m-%d"], help="last day (Taipei); default today"),
    ] = None,
    agency: Annotated[str | None, typer.Option(help="one agency's code")] = None,
    output: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    store: StoreOpt = None,
) -> None:
    """Alerts and incidents of a period by ATT&CK technique (from the rules' tags), with
    the technique's name and tactics."""
    with open_soc(store) as soc:
        first, last, since, until = taipei_period(
            start.date() if start else None, end.date() if end else None, soc.clock.now()
        )
        view = attack_view(
            soc.store, actor=local_operator(), since=since, until=until, organization_id=agency
        )
    if output == "json":
        console.print_json(json.dumps(view.as_dict(), ensure_ascii=False))
        return
    table = Table(title=f"ATT&CK {first} – {last}: {view.alerts} alerts, {view.untagged} untagged")
    for col in ("technique", "name", "tactics", "alerts", "incidents"):
        table.add_column(col)
    for row in view.rows():
        tactics = [TACTICS[t][1] if t in TACTICS else "-" for t in row["tactics"]]  # type: ignore[attr-defined]
        table.add_row(
            str(row["technique"]),
            safe(row["name"] or ""),
            ", ".join(tactics),
            str(row["alerts"]),
            str(row["incidents"]),
        )
    console.print(table)
    if view.capped:
        console.print("only the first alerts of the period were counted: narrow the period")

"""`citysoc sources`: source health (list every source; the silent ones, and raise their
alerts as `serve` does every CITYSOC_SOURCE_CHECK_SECONDS)."""

import json
from typing import Annotated

import typer

from api.cli.common import StoreOpt, console, open_soc
from api.context import local_operator
from api.terminal import Table, safe
from core.source_health import SourceHealth, raise_silent, source_health

__all__ = ["sources_app"]

sources_app = typer.Typer(
    help="Where events come from: last event, events per hour, silence.", no_args_is_help=True
)
Format = Annotated[str, typer.Option("--format", help="table or json")]
Agency = Annotated[str | None, typer.Option(help="one agency's code")]


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h"


def _print(rows: list[SourceHealth], title: str, output: str) -> None:
    if output == "json":
        console.print_json(json.dumps([h.as_dict() for h in rows], ensure_ascii=False))
        return
    table = Table(title=title)
    for col in (
        "agency",
        "source",
        "last event",
        "quiet for",
        "per hour",
        "dead letters",
        "expected",
        "silent",
    ):
        table.add_column(col)
    for h in rows:
        rate = h.dead_letter_rate
        table.add_row(
            h.organization_id,
            safe(h.source),
            h.last_seen.isoformat(timespec="seconds"),
            _hours(h.age_seconds),
            f"{h.events_per_hour:.1f}",
            f"{h.dead_letters} ({rate:.0%})" if rate is not None else "0",
            f"{_hours(h.expected_seconds)} ({h.basis})",
            "SILENT" if h.silent else "",
        )
    console.print(table)


@sources_app.command("list")
def sources_list(agency: Agency = None, output: Format = "table", store: StoreOpt = None) -> None:
    """Every source, silent ones first: last event, events per hour over the last day,
    dead-letter rate, expected interval (learned or configured)."""
    with open_soc(store) as soc:
        rows = source_health(
            soc.store,
            actor=local_operator(),
            settings=soc.settings,
            clock=soc.clock,
            organization_id=agency,
        )
    _print(rows, f"Sources ({len(rows)})", output)


@sources_app.command("silent")
def sources_silent(
    raise_alerts: Annotated[
        bool, typer.Option("--raise", help="raise an alert for each (once per silence)")
    ] = False,
    output: Format = "table",
    store: StoreOpt = None,
) -> None:
    """The sources silent past their threshold; with --raise, one alert each in the queue
    (never an incident), as `serve` does."""
    with open_soc(store) as soc:
        rows = [
            h
            for h in source_health(
                soc.store, actor=local_operator(), settings=soc.settings, clock=soc.clock
            )
            if h.silent
        ]
        raised = (
            raise_silent(soc.store, settings=soc.settings, clock=soc.clock) if raise_alerts else []
        )
    _print(rows, f"Silent sources ({len(rows)})", output)
    if raise_alerts and output != "json":
        console.print(f"{len(raised)} new alert(s) raised")

"""`citysoc drills`: record the drills agencies hold and track their result reports."""

from datetime import datetime
from typing import Annotated

import typer

from api.cli.common import StoreOpt, console, open_soc
from api.context import local_operator
from api.terminal import Table
from core.clock import roc_date
from core.errors import InputError
from core.time_range import check_day, check_time

__all__ = ["drills_app"]

drills_app = typer.Typer(help="Drills and their result reports.", no_args_is_help=True)


@drills_app.command("record")
def drills_record(
    agency: Annotated[str, typer.Option()],
    kind: Annotated[str, typer.Option(help="social_engineering or notification_response")],
    held_on: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    completed_at: Annotated[str, typer.Option(help="ISO 8601 with zone")],
    participants: Annotated[int, typer.Option()],
    opened: int | None = None,
    clicked: int | None = None,
    scenario: str = "",
    findings: str = "",
    store: StoreOpt = None,
) -> None:
    """Record a drill an agency held."""
    from datetime import date

    from incidents.drills import DrillKind, record_drill

    try:
        drill_kind = DrillKind(kind)
        held, completed = date.fromisoformat(held_on), datetime.fromisoformat(completed_at)
        check_day(held, "--held-on")
        check_time(completed, "--completed-at")
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    except InputError as exc:
        raise typer.BadParameter(exc.message) from None
    with open_soc(store) as soc:
        drill = record_drill(
            store=soc.store,
            actor=local_operator(),
            registry=soc.registry,
            organization_id=agency,
            kind=drill_kind,
            held_on=held,
            completed_at=completed,
            participants=participants,
            opened=opened,
            clicked=clicked,
            scenario=scenario,
            findings=findings,
            clock=soc.clock,
        )
        console.print(f"recorded {drill.id}; result report due {roc_date(drill.report_due_at)}")


@drills_app.command("list")
def drills_list(store: StoreOpt = None, agency: str | None = None) -> None:
    """Drills with their result-report status."""
    from incidents.drills import list_drills

    with open_soc(store) as soc:
        table = Table(title="Drills")
        for col in ("id", "agency", "kind", "held on", "participants", "report"):
            table.add_column(col)
        for d in list_drills(store=soc.store, actor=local_operator(), agency=agency):
            table.add_row(
                d.id,
                d.organization_id,
                d.kind.value,
                d.held_on.isoformat(),
                str(d.participants),
                d.report_status.value,
            )
        console.print(table)


@drills_app.command("submit-report")
def drills_submit_report(drill_id: str, store: StoreOpt = None) -> None:
    """Mark a drill's result report as submitted to the competent authority."""
    from incidents.drills import submit_drill_report

    with open_soc(store) as soc:
        drill = submit_drill_report(
            store=soc.store, actor=local_operator(), drill_id=drill_id, clock=soc.clock
        )
        console.print(f"{drill.id}: result report {drill.report_status.value}")

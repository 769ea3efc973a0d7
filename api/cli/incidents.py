"""`citysoc incidents`: list, open by hand and show with the statutory clocks; each workflow
step's command comes from api.cli.workflow."""

from datetime import datetime
from typing import Annotated

import typer
from rich.text import Text

from api.cli.common import Limit, Offset, StoreOpt, console, open_soc
from api.cli.workflow import add_step_commands
from api.context import local_operator
from api.terminal import Table, safe
from core.clock import roc_date, taipei_time
from incidents import service
from incidents.board import BoardQuery, BoardSort, board
from incidents.models import IncidentState

__all__ = ["incidents_app", "incidents_list"]

incidents_app = typer.Typer(help="Incidents and their statutory clocks.", no_args_is_help=True)


@incidents_app.command("list")
def incidents_list(
    store: StoreOpt = None,
    state: Annotated[IncidentState | None, typer.Option(help="only this state")] = None,
    level: Annotated[int | None, typer.Option(min=1, max=4, help="only this level")] = None,
    agency: Annotated[str | None, typer.Option(help="agency code")] = None,
    assignee: Annotated[str | None, typer.Option(help="who owns the case")] = None,
    overdue: Annotated[
        bool | None, typer.Option("--overdue/--not-overdue", help="a clock or target passed")
    ] = None,
    search: Annotated[str | None, typer.Option(help="text in the id, title or event name")] = None,
    sort: Annotated[BoardSort, typer.Option(help="the order")] = BoardSort.NEWEST,
    limit: Limit = 50,
    offset: Offset = 0,
) -> None:
    """Incidents with their level, state and the next statutory deadline (the board's
    filters and orders)."""
    query = BoardQuery(
        state=state,
        level=level,
        agency=agency,
        assignee=assignee,
        overdue=overdue,
        text=search,
        sort=sort,
    )
    with open_soc(store) as soc:
        now = soc.clock.now()
        total, rows = board(
            soc.store,
            actor=local_operator(),
            query=query,
            now=now,
            triage_targets=soc.settings.triage_target_minutes,
            limit=limit,
            offset=offset,
        )
        table = Table(
            title=f"Incidents {offset + 1 if rows else 0}-{offset + len(rows)} of {total}"
        )
        table.add_column("id", no_wrap=True)
        for col in ("agency", "level", "state", "next deadline (Taipei)", "title"):
            table.add_column(col)
        for row in rows:
            i, nxt = row.incident, row.next
            label = (
                Text.from_markup(
                    f"{'[red]OVERDUE[/] ' if nxt.due_at and nxt.due_at < now else ''}"
                    f"{nxt.title_zh} {taipei_time(nxt.due_at)}"
                )
                if nxt and nxt.due_at
                else "-"
            )
            table.add_row(
                i.id, i.organization_id, str(i.level or "-"), i.state.value, label, i.title
            )
        console.print(table)


@incidents_app.command("open")
def incidents_open(
    agency: Annotated[str, typer.Option(help="agency code (see: citysoc agencies)")],
    title: Annotated[str, typer.Option()],
    aware_at: Annotated[
        str,
        typer.Option(
            help="when the agency became aware, ISO 8601 with zone, e.g. 2026-03-02T09:00:00+08:00"
        ),
    ],
    description: str = "",
    store: StoreOpt = None,
) -> None:
    """Open an incident by hand (not from alerts)."""
    with open_soc(store) as soc:
        soc.registry.get(agency)
        try:
            aware = datetime.fromisoformat(aware_at)
        except ValueError as exc:
            raise typer.BadParameter(f"not an ISO 8601 time: {aware_at}") from exc
        incident = service.open_incident(
            store=soc.store,
            actor=local_operator(),
            organization_id=agency,
            title=title,
            aware_at=aware,
            description=description,
            clock=soc.clock,
        )
        console.print(
            f"opened {incident.id}; notification due "
            f"{roc_date(service.deadlines(incident, now=soc.clock.now())[0].due_at or aware)}"
        )


@incidents_app.command("show")
def incidents_show(incident_id: str, store: StoreOpt = None) -> None:
    """One incident with its statutory clocks."""
    with open_soc(store) as soc:
        i = service.get_incident(store=soc.store, actor=local_operator(), incident_id=incident_id)
        console.print(
            f"[bold]{safe(i.id)}[/] {safe(i.title)}\nagency: {safe(i.organization_id)}  level: "
            f"{i.level or '-'}  state: {i.state.value}  alerts: {i.alert_count}"
        )
        for reason in i.level_reasons:
            console.print(f"  {safe(reason)}")
        table = Table(title="Statutory clocks (Taipei time)")
        for col in ("clock", "due", "done", "status", "basis"):
            table.add_column(col)
        for d in service.deadlines(i, now=soc.clock.now()):
            table.add_row(
                d.title_zh,
                roc_date(d.due_at) if d.due_at else "-",
                roc_date(d.done_at) if d.done_at else "-",
                d.status.value,
                d.basis,
            )
        console.print(table)


add_step_commands(incidents_app)  # after show: Typer lists commands in registration order

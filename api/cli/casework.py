"""`citysoc incidents timeline/tasks/task-done/task-undo/assign/watch/unwatch`: case work
on an incident, through the same services as /api/v1/incidents/{id}/... (incidents.casework,
incidents.timeline). Comments with @mentions are `citysoc incidents progress ID --text`.

Registered in the incidents group by ``add_casework_commands`` (api/cli/__init__.py)."""

from typing import Annotated, Literal

import typer

from api.cli.common import StoreOpt, console, open_soc
from api.context import local_operator
from api.terminal import Table, safe
from core.clock import taipei_time
from incidents import casework, service, timeline
from incidents.models import ChecklistTask, Incident

__all__ = ["add_casework_commands"]

TaskId = Annotated[str, typer.Argument(help="the task's id (see: citysoc incidents tasks ID)")]
Lang = Annotated[Literal["zh", "en"], typer.Option(help="language of the task titles")]


def _print_tasks(incident_id: str, tasks: list[ChecklistTask], lang: str) -> None:
    table = Table(title=f"Tasks of {incident_id}")
    for col in ("id", "done", "by", "at (Taipei)", "task"):
        table.add_column(col)
    for t in tasks:
        table.add_row(
            t.id,
            "✓" if t.done_at else "-",
            t.done_by or "",
            taipei_time(t.done_at) if t.done_at else "",
            t.title_zh if lang == "zh" else t.title_en,
        )
    console.print(table)


def incident_timeline(incident_id: str, store: StoreOpt = None) -> None:
    """Alerts, comments, steps, corrections, evidence, case work and shares, oldest first."""
    with open_soc(store) as soc:
        entries = timeline.timeline(
            store=soc.store, actor=local_operator(), incident_id=incident_id
        )
        table = Table(title=f"Timeline of {incident_id} (Taipei time)")
        for col in ("at", "kind", "who", "what"):
            table.add_column(col)
        for e in entries:
            table.add_row(taipei_time(e.at), e.kind.value, e.who, e.summary)
        console.print(table)


def tasks(incident_id: str, lang: Lang = "zh", store: StoreOpt = None) -> None:
    """The checklist of the incident's category: each task open or done (who, when)."""
    with open_soc(store) as soc:
        i = service.get_incident(store=soc.store, actor=local_operator(), incident_id=incident_id)
        _print_tasks(i.id, casework.tasks_of(i), lang)


def _set(incident_id: str, task_id: str, done: bool, lang: str, store: str | None) -> None:
    with open_soc(store) as soc:
        i = casework.set_task(
            store=soc.store,
            actor=local_operator(),
            incident_id=incident_id,
            task_id=task_id,
            done=done,
            clock=soc.clock,
        )
        _print_tasks(i.id, i.tasks, lang)


def task_done(incident_id: str, task_id: TaskId, lang: Lang = "zh", store: StoreOpt = None) -> None:
    """Tick a task off (recorded with who and when)."""
    _set(incident_id, task_id, True, lang, store)


def task_undo(incident_id: str, task_id: TaskId, lang: Lang = "zh", store: StoreOpt = None) -> None:
    """Reopen a task."""
    _set(incident_id, task_id, False, lang, store)


def _people(i: Incident) -> None:
    console.print(
        f"{safe(i.id)}: owner {safe(i.assignee or '-')}; "
        f"watchers {safe(', '.join(i.watchers) or '-')}",
        highlight=False,
    )


def assign(
    incident_id: str,
    username: Annotated[
        str, typer.Argument(help="an account that may see the incident; '-' for nobody")
    ],
    store: StoreOpt = None,
) -> None:
    """Make someone the case's owner (they watch it too)."""
    with open_soc(store) as soc:
        _people(
            casework.assign(
                store=soc.store,
                actor=local_operator(),
                incident_id=incident_id,
                assignee=None if username.strip() == "-" else username,
                clock=soc.clock,
            )
        )


User = Annotated[str | None, typer.Option("--user", help="someone else (as a lead would)")]


def watch(incident_id: str, user: User = None, store: StoreOpt = None) -> None:
    """Follow the case (the operator, or --user)."""
    with open_soc(store) as soc:
        _people(
            casework.watch(
                store=soc.store,
                actor=local_operator(),
                incident_id=incident_id,
                username=user,
                clock=soc.clock,
            )
        )


def unwatch(incident_id: str, user: User = None, store: StoreOpt = None) -> None:
    """Stop following the case (the operator, or --user)."""
    with open_soc(store) as soc:
        _people(
            casework.unwatch(
                store=soc.store,
                actor=local_operator(),
                incident_id=incident_id,
                username=user,
                clock=soc.clock,
            )
        )


def add_casework_commands(app: typer.Typer) -> None:
    """Register the case-work commands on the incidents group."""
    app.command("timeline")(incident_timeline)
    app.command("tasks")(tasks)
    app.command("task-done")(task_done)
    app.command("task-undo")(task_undo)
    app.command("assign")(assign)
    app.command("watch")(watch)
    app.command("unwatch")(unwatch)

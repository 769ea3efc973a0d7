"""`citysoc incidents <step>`: one command for each step of the statutory workflow
(``STEP_COMMANDS`` names them), acting as the local operator through the same services as
the API. Each prints the incident's new state; a refusal prints the service's message and
exits 2."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import yaml
from pydantic import BaseModel, ValidationError

from api.cli.common import StoreOpt, console, err, open_soc
from api.context import local_operator
from api.errors import input_error
from api.ioc_lines import parse_ioc_lines
from api.schemas import (
    CloseCreate,
    ConfirmCreate,
    ContainmentUpdate,
    DismissCreate,
    ForwardCreate,
    LevelChangeCreate,
    NotificationCreate,
    ProgressCreate,
    ReopenCreate,
    ReportUpdate,
    ReviewCreate,
)
from api.terminal import safe
from core.errors import CitySocError, InputError
from incidents import awareness, casework, closing, notification
from incidents.models import Incident, IncidentCategory
from incidents.workflow import Step

__all__ = ["STEP_COMMANDS", "add_step_commands"]

# The command (under `citysoc incidents`) that takes each workflow step; a test checks every
# Step has one registered.
STEP_COMMANDS: dict[Step, str] = {
    Step.CONFIRM: "confirm",
    Step.NOTIFY: "notify",
    Step.CHANGE_LEVEL: "change-level",
    Step.REVIEW: "review",
    Step.FORWARD: "forward",
    Step.CONTAIN: "contained",
    Step.REPORT: "report",
    Step.CLOSE: "close",
    Step.DISMISS: "dismiss",
    Step.REOPEN: "reopen",
    Step.EDIT: "progress",
}
_COMMANDS: dict[Step, Callable[..., None]] = {}
M = TypeVar("M", bound=BaseModel)

IncidentId = Annotated[str, typer.Argument(help="the incident's id, e.g. INC-20260302-1A2B3C")]
AnswersFile = Annotated[
    Path,
    typer.Option(
        "--answers",
        exists=True,
        dir_okay=False,
        help="YAML of the level questions: info_class, leak, tamper, system_class, availability",
    ),
]


def _step(step: Step) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def register(command: Callable[..., None]) -> Callable[..., None]:
        _COMMANDS[step] = command
        return command

    return register


def add_step_commands(app: typer.Typer) -> None:
    """Register every step's command on ``app`` (the `incidents` group), in Step order."""
    for step in Step:
        app.command(STEP_COMMANDS[step])(_COMMANDS[step])


@contextmanager
def _refusal() -> Iterator[None]:
    """A refused step (workflow, access, input) is the service's message and exit code 2."""
    try:
        yield
    except CitySocError as exc:
        err.print(f"[red]refused:[/] {safe(exc.message)}")
        raise typer.Exit(2) from None


def _body(model: type[M], **fields: Any) -> M:
    """The API's input model, so the command line refuses exactly as the API does."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        raise input_error(exc) from None


def _yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read {path}: {exc}", location=str(path)) from None


def _done(i: Incident, what: str) -> None:
    console.print(
        f"{safe(i.id)}: {what}; state {i.state.value}, level {i.level or '-'}",
        highlight=False,
    )


@_step(Step.CONFIRM)
def confirm(
    incident_id: IncidentId,
    aware_at: Annotated[
        str | None,
        typer.Option(help="when the agency became aware (知悉), ISO 8601; default: now"),
    ] = None,
    reason: Annotated[str, typer.Option(help="why awareness is earlier than now")] = "",
    store: StoreOpt = None,
) -> None:
    """Confirm a suspected case as an incident (確認為資安事件); the statutory clocks start."""
    with _refusal(), open_soc(store) as soc:
        body = _body(ConfirmCreate, aware_at=aware_at, reason=reason)
        i = awareness.confirm(
            store=soc.store,
            actor=local_operator(),
            incident_id=incident_id,
            aware_at=body.aware_at,
            reason=body.reason,
            clock=soc.clock,
        )
        _done(i, f"confirmed, aware at {i.aware_at.isoformat() if i.aware_at else '-'}")


@_step(Step.NOTIFY)
def notify(
    incident_id: IncidentId,
    answers: AnswersFile,
    description: Annotated[str, typer.Option(help="狀況之描述")],
    measures: Annotated[str, typer.Option(help="因應事件所採取之措施")],
    outside_support: Annotated[bool, typer.Option(help="outside support needed")] = False,
    outside_support_detail: str = "",
    other_matters: str = "",
    category: Annotated[IncidentCategory | None, typer.Option(help="事件類型 (event type)")] = None,
    event_name: Annotated[str, typer.Option(help="事件名稱; default: the incident's")] = "",
    ioc: Annotated[
        list[str] | None,
        typer.Option(help="an IoC as 'type value' or the value alone; repeat for more"),
    ] = None,
    store: StoreOpt = None,
) -> None:
    """File the statutory notification (通報); the level follows from the answers."""
    with _refusal(), open_soc(store) as soc:
        body = _body(
            NotificationCreate,
            answers=_yaml(answers),
            description=description,
            response_measures=measures,
            outside_support_needed=outside_support,
            outside_support_detail=outside_support_detail,
            other_matters=other_matters,
            category=category,
            event_name=event_name,
            iocs=parse_ioc_lines(ioc or [], "--ioc"),
        )
        i = notification.file_notification(
            store=soc.store,
            actor=local_operator(),
            incident_id=incident_id,
            answers=body.answers,
            description=body.description,
            response_measures=body.response_measures,
            outside_support_needed=body.outside_support_needed,
            outside_support_detail=body.outside_support_detail,
            other_matters=body.other_matters,
            category=body.category,
            event_name=body.event_name,
            iocs=[x.ioc() for x in body.iocs],
            clock=soc.clock,
        )
        _done(i, "notified")


@_step(Step.CHANGE_LEVEL)
def change_level(
    incident_id: IncidentId,
    answers: AnswersFile,
    reason: Annotated[str, typer.Option(help="why the level changes")],
    store: StoreOpt = None,
) -> None:
    """Re-assess the level from new answers (續行通報); a different level is notified again."""
    with _refusal(), open_soc(store) as soc:
        body = _body(LevelChangeCreate, answers=_yaml(answers), reason=reason)
        i = notification.change_level(
            store=soc.store,
            actor=local_operator(),
            incident_id=incident_id,
            answers=body.answers,
            reason=body.reason,
            clock=soc.clock,
        )
        _done(i, "level re-assessed")


@_step(Step.REVIEW)
def review(
    incident_id: IncidentId,
    level: Annotated[int | None, typer.Option(help="another level (1-4); omit to confirm")] = None,
    note: str = "",
    store: StoreOpt = None,
) -> None:
    """The superior agency's review of the level (審核): confirm it or set another."""
    with _refusal(), open_soc(store) as soc:
        body = _body(ReviewCreate, level=level, note=note)
        i = notification.review_level(
            store=soc.store,
            actor=local_operator(),
            incident_id=incident_id,
            level=body.level,
            note=body.note,
            clock=soc.clock,
        )
        _done(i, "reviewed")


@_step(Step.FORWARD)
def forward(
    incident_id: IncidentId,
    to: Annotated[str, typer.Option(help="the competent authority it was sent to")],
    reference: Annotated[str, typer.Option(help="the platform's reference number or receipt")],
    at: Annotated[
        str | None, typer.Option(help="when it was sent, ISO 8601 with zone (default: now)")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """The review result was sent to the competent authority (審核結果送主管機關)."""
    with _refusal(), open_soc(store) as soc:
        body = _body(ForwardCreate, to=to, reference=reference, at=at)
        i = notification.record_forwarded(
            store=soc.store,
            actor=local_operator(),
            incident_id=incident_id,
            to=body.to,
            reference=body.reference,
            at=body.at,
            clock=soc.clock,
        )
        _done(i, f"forwarded to {safe(i.forwarded_to)} ({safe(i.forward_reference)})")


@_step(Step.CONTAIN)
def contained(incident_id: IncidentId, note: str = "", store: StoreOpt = None) -> None:
    """Damage control or recovery is complete (損害控制或復原作業完成)."""
    with _refusal(), open_soc(store) as soc:
        i = closing.mark_contained(
            store=soc.store,
            actor=local_operator(),
            incident_id=incident_id,
            note=_body(ContainmentUpdate, note=note).note,
            clock=soc.clock,
        )
        _done(i, "recovery complete")


@_step(Step.REPORT)
def report(
    incident_id: IncidentId,
    file: Annotated[
        Path,
        typer.Option(
            "--file",
            exists=True,
            dir_okay=False,
            help="YAML of the report's items (scope_and_damage, containment_process, "
            "investigation_process, root_cause, preventive_measures, schedule_and_tracking)",
        ),
    ],
    store: StoreOpt = None,
) -> None:
    """Submit the investigation, handling and improvement report (調查、處理及改善報告)."""
    with _refusal(), open_soc(store) as soc:
        items = _yaml(file)
        if not isinstance(items, dict):
            raise InputError(f"{file} is not a mapping of the report's items", location="file")
        i = closing.submit_report(
            store=soc.store,
            actor=local_operator(),
            incident_id=incident_id,
            report=_body(ReportUpdate, **items).report(),
            clock=soc.clock,
        )
        _done(i, "report submitted")


@_step(Step.CLOSE)
def close(incident_id: IncidentId, reason: str = "", store: StoreOpt = None) -> None:
    """Close the incident; refused until its investigation report is submitted."""
    with _refusal(), open_soc(store) as soc:
        i = closing.close_incident(
            store=soc.store,
            actor=local_operator(),
            incident_id=incident_id,
            reason=_body(CloseCreate, reason=reason).reason,
            clock=soc.clock,
        )
        _done(i, "closed")


@_step(Step.DISMISS)
def dismiss(
    incident_id: IncidentId,
    reason: Annotated[str, typer.Option(help="why it is a false positive")],
    store: StoreOpt = None,
) -> None:
    """Dismiss a suspected case (or an incident never notified) as a false positive."""
    with _refusal(), open_soc(store) as soc:
        i = closing.dismiss(
            store=soc.store,
            actor=local_operator(),
            incident_id=incident_id,
            reason=_body(DismissCreate, reason=reason).reason,
            clock=soc.clock,
        )
        _done(i, "dismissed as a false positive")


@_step(Step.REOPEN)
def reopen(
    incident_id: IncidentId,
    reason: Annotated[str, typer.Option(help="why it is worked again")],
    store: StoreOpt = None,
) -> None:
    """Reopen a closed incident or a dismissed case (重新開啟): back to its furthest step."""
    with _refusal(), open_soc(store) as soc:
        i = closing.reopen(
            store=soc.store,
            actor=local_operator(),
            incident_id=incident_id,
            reason=_body(ReopenCreate, reason=reason).reason,
            clock=soc.clock,
        )
        _done(i, "reopened")


@_step(Step.EDIT)
def progress(
    incident_id: IncidentId,
    text: Annotated[str, typer.Option(help="what has been done (應變處置進度)")],
    store: StoreOpt = None,
) -> None:
    """Add a comment: how the response is going (應變處置進度); @username mentions someone."""
    with _refusal(), open_soc(store) as soc:
        i = casework.add_comment(
            store=soc.store,
            actor=local_operator(),
            incident_id=incident_id,
            text=_body(ProgressCreate, text=text).text,
            clock=soc.clock,
        )
        _done(i, "progress recorded")

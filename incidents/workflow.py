"""What each step of the incident workflow requires, as tables: the right it takes
(``core.access``) and the state it needs; and which steps an actor may take now.

The state is the furthest milestone reached; the steps do not form a strict line (the
superior may review the level after recovery is complete), so each step names what must
and must not have happened before it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from core.access import Action, Actor, allowed
from core.errors import TransitionError
from incidents.models import Incident, IncidentState

__all__ = ["Step", "available_steps", "check", "derive_state", "permits", "right_for"]


class Step(StrEnum):
    CONFIRM = "confirm"  # 確認為資安事件: a suspected case becomes an incident (知悉)
    NOTIFY = "notify"
    CHANGE_LEVEL = "change_level"
    REVIEW = "review"
    FORWARD = "forward"
    CONTAIN = "contain"
    REPORT = "report"
    CLOSE = "close"
    DISMISS = "dismiss"
    REOPEN = "reopen"  # 重新開啟: a closed incident or a dismissed case is worked again
    EDIT = "edit"


@dataclass(frozen=True, slots=True)
class Requirement:
    holds: Callable[[Incident], bool]
    message: str


def _open(i: Incident) -> bool:
    return i.state not in (IncidentState.CLOSED, IncidentState.FALSE_POSITIVE)


def _suspected(i: Incident) -> bool:
    return i.aware_at is None


def _dismissed(i: Incident) -> bool:
    return i.state is IncidentState.FALSE_POSITIVE


_REQUIRES: dict[Step, tuple[Requirement, ...]] = {
    Step.CONFIRM: (
        Requirement(_open, "the case is already closed or dismissed"),
        Requirement(_suspected, "the incident is already confirmed"),
    ),
    Step.NOTIFY: (
        Requirement(_open, "the incident is already closed"),
        # The notification clock starts at awareness, and only a person becomes aware.
        Requirement(lambda i: not _suspected(i), "confirm the suspected case as an incident first"),
        Requirement(
            lambda i: not i.notifications,
            "the notification was already filed; change the level to re-notify",
        ),
    ),
    Step.CHANGE_LEVEL: (
        Requirement(_open, "the incident is already closed"),
        Requirement(lambda i: bool(i.notifications), "file the notification first"),
    ),
    Step.REVIEW: (
        Requirement(_open, "the incident is already closed"),
        Requirement(lambda i: bool(i.notifications), "there is no notification to review yet"),
        Requirement(lambda i: i.reviewed_at is None, "the level was already reviewed"),
    ),
    Step.FORWARD: (
        Requirement(lambda i: i.reviewed_at is not None, "review the level before forwarding"),
        Requirement(lambda i: i.forwarded_at is None, "the review was already forwarded"),
    ),
    Step.CONTAIN: (
        Requirement(_open, "the incident is already closed"),
        Requirement(lambda i: bool(i.notifications), "file the notification first"),
        Requirement(lambda i: i.contained_at is None, "recovery was already marked complete"),
    ),
    Step.REPORT: (
        Requirement(_open, "the incident is already closed"),
        Requirement(
            lambda i: i.contained_at is not None,
            "mark damage control or recovery complete before the investigation report",
        ),
        Requirement(lambda i: i.report_submitted_at is None, "the report was already submitted"),
    ),
    Step.CLOSE: (
        Requirement(_open, "the incident is already closed"),
        Requirement(
            lambda i: i.report_submitted_at is not None,
            "an incident cannot be closed without its investigation report (調查、處理及改善報告)",
        ),
    ),
    Step.DISMISS: (
        Requirement(_open, "the incident is already closed"),
        Requirement(
            lambda i: not i.notifications,
            "a notified incident cannot be dismissed as a false positive; change its "
            "level or close it with its report",
        ),
    ),
    Step.REOPEN: (
        Requirement(lambda i: not _open(i), "the incident is not closed or dismissed"),
        Requirement(lambda i: i.merged_into is None, "the case was merged: work the survivor"),
    ),
    Step.EDIT: (Requirement(_open, "the incident is already closed"),),
}


# The right each step takes. Attaching alerts is an EDIT taken by triage (TRIAGE), so
# service.attach_alerts names its right itself.
_RIGHT: dict[Step, Action] = {
    # Awareness is the agency's: its reporter may confirm, as may the SOC's analysts.
    Step.CONFIRM: Action.FILE_NOTIFICATION,
    Step.NOTIFY: Action.FILE_NOTIFICATION,
    Step.CHANGE_LEVEL: Action.EDIT_INCIDENT,
    Step.REVIEW: Action.REVIEW_LEVEL,
    Step.FORWARD: Action.REVIEW_LEVEL,
    Step.CONTAIN: Action.EDIT_INCIDENT,
    Step.REPORT: Action.FILE_NOTIFICATION,  # the investigation report is statutory filing
    Step.CLOSE: Action.EDIT_INCIDENT,
    Step.DISMISS: Action.TRIAGE,
    # Reopening undoes an ending, so it takes the right of the ending it undoes: closing
    # (EDIT_INCIDENT: the agency and the SOC) here, dismissing (TRIAGE) in _REOPEN_DISMISSED.
    Step.REOPEN: Action.EDIT_INCIDENT,
    Step.EDIT: Action.EDIT_INCIDENT,
}
# A dismissed case was judged by the SOC's triage: only who may triage (not the agency's
# reporter, who may not dismiss either) may judge it again.
_REOPEN_DISMISSED = Action.TRIAGE


def right_for(step: Step, incident: Incident | None = None) -> Action:
    """The action (core.access) an actor needs to take ``step`` (on ``incident``: reopening
    a dismissed case takes TRIAGE, reopening a closed incident EDIT_INCIDENT)."""
    if step is Step.REOPEN and incident is not None and _dismissed(incident):
        return _REOPEN_DISMISSED
    return _RIGHT[step]


def _holds(incident: Incident, step: Step) -> bool:
    return all(requirement.holds(incident) for requirement in _REQUIRES[step])


def available_steps(actor: Actor, incident: Incident) -> frozenset[Step]:
    """The steps this actor may take on this incident now: the role's rights, the agency
    (none on another agency's incident) and the state's requirements together. What the
    pages offer; ``service.change`` still checks each step it is asked to take."""
    if not actor.sees(incident.organization_id):
        return frozenset()
    rights = allowed(actor)
    return frozenset(s for s in Step if right_for(s, incident) in rights and _holds(incident, s))


def permits(actor: Actor, incident: Incident, step: Step, right: Action) -> bool:
    """Whether ``actor`` may take ``step`` now under ``right`` instead of the step's own: for
    a service that names its right itself (``awareness.correct_time`` is an EDIT under the
    right to file), so a page offers its form exactly when ``service.change`` would allow it."""
    return (
        actor.sees(incident.organization_id) and right in allowed(actor) and _holds(incident, step)
    )


def check(incident: Incident, step: Step) -> None:
    """Raises TransitionError with the first requirement that does not hold."""
    for requirement in _REQUIRES[step]:
        if not requirement.holds(incident):
            raise TransitionError(
                f"cannot {step.value.replace('_', ' ')} incident {incident.id}: "
                f"{requirement.message}",
                location="incident.state",
                key="transition",
                params={"state": incident.state.value, "step": step.value},
            )


def derive_state(incident: Incident) -> IncidentState:
    if incident.state in (IncidentState.CLOSED, IncidentState.FALSE_POSITIVE):
        return incident.state
    if incident.aware_at is None:
        return IncidentState.SUSPECTED
    if incident.report_submitted_at:
        return IncidentState.REPORTED
    if incident.contained_at:
        return IncidentState.CONTAINED
    if incident.reviewed_at:
        return IncidentState.REVIEWED
    if incident.notifications:
        return IncidentState.NOTIFIED
    return IncidentState.OPEN

"""What each step of the incident workflow requires, as a table.

The state is the furthest milestone reached; the steps do not form a strict line (the
superior may review the level after recovery is complete), so each step names what must
and must not have happened before it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from core.errors import TransitionError
from incidents.models import Incident, IncidentState

__all__ = ["Step", "check", "derive_state"]


class Step(StrEnum):
    NOTIFY = "notify"
    CHANGE_LEVEL = "change_level"
    REVIEW = "review"
    FORWARD = "forward"
    CONTAIN = "contain"
    REPORT = "report"
    CLOSE = "close"
    DISMISS = "dismiss"
    EDIT = "edit"


@dataclass(frozen=True, slots=True)
class Requirement:
    holds: Callable[[Incident], bool]
    message: str


def _open(i: Incident) -> bool:
    return i.state not in (IncidentState.CLOSED, IncidentState.FALSE_POSITIVE)


_REQUIRES: dict[Step, tuple[Requirement, ...]] = {
    Step.NOTIFY: (
        Requirement(_open, "the incident is already closed"),
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
    Step.EDIT: (Requirement(_open, "the incident is already closed"),),
}


def check(incident: Incident, step: Step) -> None:
    """Raises TransitionError with the first requirement that does not hold."""
    for requirement in _REQUIRES[step]:
        if not requirement.holds(incident):
            raise TransitionError(
                f"cannot {step.value.replace('_', ' ')} incident {incident.id}: "
                f"{requirement.message}",
                location="incident.state",
            )


def derive_state(incident: Incident) -> IncidentState:
    if incident.state in (IncidentState.CLOSED, IncidentState.FALSE_POSITIVE):
        return incident.state
    if incident.report_submitted_at:
        return IncidentState.REPORTED
    if incident.contained_at:
        return IncidentState.CONTAINED
    if incident.reviewed_at:
        return IncidentState.REVIEWED
    if incident.notifications:
        return IncidentState.NOTIFIED
    return IncidentState.OPEN

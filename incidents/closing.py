"""The end of an incident: damage control or recovery complete, the investigation report
(調查、處理及改善報告), closing, dismissing a case that is not an incident, and reopening
either (重新開啟)."""

from collections.abc import Callable, Mapping
from datetime import datetime

from core.access import Actor
from core.alerts import AlertStatus
from core.clock import Clock
from core.errors import InputError
from core.storage.base import Store
from incidents.models import (
    Incident,
    IncidentState,
    InvestigationReport,
    Reopening,
)
from incidents.service import change
from incidents.workflow import Step

__all__ = ["close_incident", "dismiss", "mark_contained", "reopen", "submit_report"]


def mark_contained(
    *, store: Store, actor: Actor, incident_id: str, clock: Clock, note: str = ""
) -> Incident:
    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:
        i.contained_at = now
        return {"note": note}

    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.CONTAIN,
        mutate=mutate,
        clock=clock,
    )


def submit_report(
    *, store: Store, actor: Actor, incident_id: str, report: InvestigationReport, clock: Clock
) -> Incident:
    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:
        # Checked here, after access and workflow: who may not file learns only that.
        missing = report.missing()
        if missing:
            raise InputError(
                "the investigation report is missing required items: " + ", ".join(missing),
                location="report",
                key="report_missing",
                params={"field": list(missing)},
            )
        i.investigation = report
        i.report_submitted_at = now
        return {}

    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.REPORT,
        mutate=mutate,
        clock=clock,
    )


def _ending(
    state: IncidentState, reason: str
) -> Callable[[Incident, datetime], Mapping[str, object]]:
    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:
        i.state = state
        i.closed_at = now
        i.close_reason = reason
        return {"reason": reason}

    return mutate


def close_incident(
    *, store: Store, actor: Actor, incident_id: str, reason: str, clock: Clock
) -> Incident:
    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.CLOSE,
        mutate=_ending(IncidentState.CLOSED, reason),
        clock=clock,
    )


def dismiss(*, store: Store, actor: Actor, incident_id: str, reason: str, clock: Clock) -> Incident:
    """A suspected case (or an incident never notified) that turned out not to be an
    incident; its alerts are marked false positive with the reason."""
    end = _ending(IncidentState.FALSE_POSITIVE, reason)

    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:
        # After access and workflow, so that who may not dismiss learns only that.
        if not reason.strip():
            raise InputError(
                "say why this is a false positive", location="reason", key="dismiss_reason"
            )
        return end(i, now)

    with store.transaction():
        dismissed = change(
            store=store,
            actor=actor,
            incident_id=incident_id,
            step=Step.DISMISS,
            mutate=mutate,
            clock=clock,
        )
        if dismissed.alert_ids:
            store.alerts.update_status(
                dismissed.alert_ids,
                status=AlertStatus.FALSE_POSITIVE,
                reason=reason,
                incident_id=dismissed.id,
            )
    return dismissed


def reopen(*, store: Store, actor: Actor, incident_id: str, reason: str, clock: Clock) -> Incident:
    """Work an ended incident again (重新開啟), with the reason; who, when, why and the
    ending undone are appended to ``Incident.reopenings`` and audited.

    What it returns to: the furthest milestone on record (``workflow.derive_state``). A
    dismissed suspected case is suspected again (no awareness, so still no clock) and its
    alerts go back to the status an escalation gives them (ESCALATED to this case; their
    dismissal is in the audit trail). A closed incident is open again at its milestone: the
    milestones and so the statutory clocks met stay as they were, and its investigation
    report stays on file, so closing it again needs nothing new. Taking the step needs the
    right of the ending it undoes (``workflow.right_for``)."""

    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:
        # After access and workflow, so that who may not reopen learns only that.
        if not reason.strip():
            raise InputError(
                "say why the incident is reopened", location="reason", key="reopen_reason"
            )
        ended = i.state
        i.reopenings.append(
            Reopening(
                at=now,
                by=actor.label,
                reason=reason.strip(),
                from_state=ended,
                ended_at=i.closed_at,
                ended_reason=i.close_reason,
            )
        )
        i.closed_at = None
        i.close_reason = None
        i.state = IncidentState.OPEN  # not an ending: change() derives the milestone
        return {"reason": reason.strip(), "ended": ended.value}

    with store.transaction():
        reopened = change(
            store=store,
            actor=actor,
            incident_id=incident_id,
            step=Step.REOPEN,
            mutate=mutate,
            clock=clock,
        )
        dismissed = reopened.reopenings[-1].from_state is IncidentState.FALSE_POSITIVE
        if dismissed and reopened.alert_ids:
            store.alerts.update_status(
                reopened.alert_ids,
                status=AlertStatus.ESCALATED,
                reason=None,
                incident_id=reopened.id,
            )
    return reopened

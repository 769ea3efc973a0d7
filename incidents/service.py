"""What people do to incidents. Each function checks access and the workflow, saves with
optimistic concurrency, and writes an audit entry.

Raises NotFoundError (missing or outside the actor's agencies), ForbiddenError (role),
TransitionError (workflow, says why), InputError (bad answers), ConflictError (a race).
"""

import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from core import audit
from core.access import Action, Actor, require
from core.alerts import AlertStatus, Severity
from core.clock import TAIPEI, Clock, ensure_aware
from core.errors import InputError
from core.storage.base import Store
from core.time_range import check_time
from incidents import repository, workflow
from incidents.deadlines import AwarenessChange, Deadline, compute_deadlines, triage_due
from incidents.levels import LevelAnswers, SystemClass, assess_level
from incidents.models import (
    CorrectedField,
    Correction,
    Incident,
    IncidentCategory,
    IncidentState,
    InvestigationReport,
    IoC,
    LevelChange,
    Notification,
    NotificationKind,
    ProgressNote,
)
from incidents.sharing.observables import classify
from incidents.workflow import Step

__all__ = [
    "add_iocs",
    "change",
    "update_progress",
    "attach_alerts",
    "change_level",
    "close_incident",
    "confirm",
    "correct_time",
    "deadlines",
    "dismiss",
    "file_notification",
    "get_incident",
    "list_incidents",
    "mark_contained",
    "new_incident_id",
    "open_incident",
    "record_forwarded",
    "review_level",
    "submit_report",
    "suggest_system_class",
    "triage_target",
]


def new_incident_id(at: datetime) -> str:
    return f"INC-{at.astimezone(TAIPEI):%Y%m%d}-{secrets.token_hex(3).upper()}"


def open_incident(
    *,
    store: Store,
    actor: Actor,
    organization_id: str,
    title: str,
    aware_at: datetime | None,
    clock: Clock,
    description: str = "",
    occurred_at: datetime | None = None,
    alert_ids: Sequence[str] = (),
    alert_group_keys: Sequence[str] = (),
    affected_assets: Sequence[str] = (),
    incident_id: str | None = None,
    severity: Severity | None = None,
) -> Incident:
    """Insert the incident and its opening audit entry (in ``store.transaction()`` when
    the caller needs more in the same commit). ``incident_id`` (default: a fresh one) lets
    triage name the incident of an alert group deterministically; ConflictError if taken.

    A person opening an incident is aware of it: ``aware_at`` starts the clocks. Triage
    passes ``aware_at=None``: a suspected case (疑似事件) with no clock until ``confirm``."""
    require(actor, Action.OPEN_INCIDENT, organization_id, "agency")
    if not title.strip():
        raise InputError("an incident needs a title", location="title")
    now = clock.now()
    aware = None if aware_at is None else ensure_aware(check_time(aware_at, "aware_at"), "aware_at")
    if occurred_at is not None:
        occurred_at = ensure_aware(check_time(occurred_at, "occurred_at"), "occurred_at")
        if occurred_at > now:
            raise InputError(
                f"occurred_at {occurred_at.isoformat()} is in the future", location="occurred_at"
            )
    if aware is not None and aware > now:
        raise InputError(f"aware_at {aware.isoformat()} is in the future", location="aware_at")
    incident = Incident(
        id=incident_id or new_incident_id(now),
        organization_id=organization_id,
        title=title.strip(),
        description=description,
        aware_at=aware,
        suspected_at=now if aware is None else None,
        state=IncidentState.SUSPECTED if aware is None else IncidentState.OPEN,
        severity=severity,
        occurred_at=occurred_at,
        alert_ids=list(alert_ids),
        alert_group_keys=list(alert_group_keys),
        alert_count=len(alert_ids),
        affected_assets=list(affected_assets),
        created_at=now,
        created_by=actor.label,
        updated_at=now,
    )
    repository.insert(store, incident)
    audit.record(
        store,
        actor=actor,
        action="incident.open",
        subject=incident.id,
        at=now,
        detail={
            "agency": organization_id,
            "title": incident.title,
            "alerts": len(alert_ids),
            "state": incident.state.value,
        },
    )
    return incident


def confirm(
    *,
    store: Store,
    actor: Actor,
    incident_id: str,
    clock: Clock,
    aware_at: datetime | None = None,
    reason: str = "",
) -> Incident:
    """A person confirms the suspected case as an incident (確認為資安事件). That records
    awareness (知悉), T0 of the statutory clocks: the confirmation time, or an earlier time
    with the reason (told by phone before the alerts were read, ...). Never in the future,
    never before the incident occurred (the first alert's event)."""

    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:
        aware = (
            now if aware_at is None else ensure_aware(check_time(aware_at, "aware_at"), "aware_at")
        )
        if aware < now and not reason.strip():
            raise InputError("say why the agency was aware before confirming", location="reason")
        if i.occurred_at is not None and aware < i.occurred_at:
            raise InputError(
                f"aware_at {aware.isoformat()} is before the incident occurred "
                f"({i.occurred_at.isoformat()})",
                location="aware_at",
            )
        detail = _correct_time(
            i, CorrectedField.AWARE_AT, aware, now, by=actor.label, reason=reason
        )
        i.confirmed_at = now
        i.confirmed_by = actor.label
        i.awareness_reason = reason.strip() or None
        return {**detail, "reason": reason.strip()}

    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.CONFIRM,
        mutate=mutate,
        clock=clock,
    )


def get_incident(*, store: Store, actor: Actor, incident_id: str) -> Incident:
    return repository.get(store, incident_id, actor=actor)


def list_incidents(
    *, store: Store, actor: Actor, limit: int = 100, offset: int = 0
) -> list[Incident]:
    return repository.list_visible(store, actor=actor, limit=limit, offset=offset)


def change(
    *,
    store: Store,
    actor: Actor,
    incident_id: str,
    step: Step,
    mutate: Callable[[Incident, datetime], Mapping[str, object]],
    clock: Clock,
    action: Action | None = None,
    audit_action: str | None = None,
) -> Incident:
    """Load, check, apply ``mutate`` (returns the audit detail), save, audit (as
    ``incident.<step>`` unless ``audit_action`` names it). The one way an incident changes.
    The right checked is the step's (``workflow.right_for``) unless ``action`` names it."""
    incident = repository.get(store, incident_id, actor=actor)
    require(actor, action or workflow.right_for(step), incident.organization_id, "incident")
    workflow.check(incident, step)
    expected = incident.version
    updated = incident.model_copy(deep=True)
    now = clock.now()
    detail = mutate(updated, now)
    updated.updated_at = now
    updated.state = workflow.derive_state(updated)
    repository.save(store, updated, expected_version=expected)
    audit.record(
        store,
        actor=actor,
        action=audit_action or f"incident.{step.value}",
        subject=incident_id,
        at=now,
        detail={"state": f"{incident.state.value} -> {updated.state.value}", **detail},
    )
    return updated


def file_notification(
    *,
    store: Store,
    actor: Actor,
    incident_id: str,
    answers: LevelAnswers,
    description: str,
    response_measures: str,
    outside_support_needed: bool,
    clock: Clock,
    outside_support_detail: str = "",
    other_matters: str = "",
    aware_at: datetime | None = None,
    fallback_channel_reason: str | None = None,
    category: IncidentCategory | None = None,
) -> Incident:
    """File the statutory notification (通報): the level follows from ``answers``."""
    assessment = assess_level(answers)
    if not description.strip():
        raise InputError("describe the situation (狀況之描述)", location="description")
    if not response_measures.strip():
        raise InputError(
            "state the measures taken (因應事件所採取之措施)", location="response_measures"
        )

    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:
        detail: dict[str, object] = {}
        if aware_at is not None:  # the notification is filed now: awareness is at most now
            detail = _correct_time(
                i, CorrectedField.AWARE_AT, aware_at, now, by=actor.label, reason=""
            )
        i.description = description
        i.response_measures = response_measures
        i.outside_support_needed = outside_support_needed
        i.outside_support_detail = outside_support_detail
        i.other_matters = other_matters
        if category is not None:
            i.category = category
        i.level = assessment.level
        i.level_answers = answers
        i.level_reasons = list(assessment.reasons)
        i.level_history.append(
            LevelChange(
                at=now,
                by=actor.label,
                from_level=None,
                to_level=assessment.level,
                reason="initial assessment",
                answers=answers,
            )
        )
        i.notifications.append(
            Notification(
                kind=NotificationKind.INITIAL,
                at=now,
                by=actor.label,
                level=assessment.level,
                fallback_channel_reason=fallback_channel_reason,
            )
        )
        return {**detail, "level": assessment.level, "reasons": list(assessment.reasons)}

    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.NOTIFY,
        mutate=mutate,
        clock=clock,
    )


def _correct_time(
    i: Incident, field: CorrectedField, value: datetime, now: datetime, *, by: str, reason: str
) -> dict[str, object]:
    """Set a recorded time (知悉 starts the statutory clocks): never in the future, and
    awareness never after a notification already filed, or a late notification would turn
    into a timely one. A change is appended to ``i.corrections`` (deadlines.py keeps the
    clocks it may not relax); returns the audit detail with the old and new values."""
    name = field.value
    new = ensure_aware(check_time(value, name), name)
    if new > now:
        raise InputError(
            f"{name} {new.isoformat()} is in the future; a time on record cannot follow now",
            location=name,
        )
    notified = i.notified_at
    if field is CorrectedField.AWARE_AT and notified is not None and new > notified:
        raise InputError(
            f"aware_at {new.isoformat()} is after the notification filed at "
            f"{notified.isoformat()}; the agency was aware before it notified",
            location=name,
        )
    old: datetime | None = getattr(i, name)
    if old == new:
        return {}
    setattr(i, name, new)
    i.corrections.append(
        Correction(at=now, by=by, field=field, old=old, new=new, reason=reason.strip())
    )
    return {name: {"from": old.isoformat() if old else None, "to": new.isoformat()}}


def correct_time(
    *,
    store: Store,
    actor: Actor,
    incident_id: str,
    field: CorrectedField,
    value: datetime,
    reason: str,
    clock: Clock,
) -> Incident:
    """Correct when the incident occurred or the agency became aware. Once notified, only
    with a reason (the clocks already ran from the old time). Appended to the incident's
    corrections and audited with the old and new values and the reason; who may file the
    agency's notification may correct it."""

    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:
        if field is CorrectedField.AWARE_AT and i.aware_at is None:
            raise InputError(
                "a suspected case has no awareness to correct; confirm it", location="field"
            )
        if i.notifications and not reason.strip():
            raise InputError(
                f"say why {field.value} changes after the notification", location="reason"
            )
        return {
            **_correct_time(i, field, value, now, by=actor.label, reason=reason),
            "reason": reason,
        }

    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.EDIT,
        mutate=mutate,
        clock=clock,
        action=Action.FILE_NOTIFICATION,
        audit_action=f"incident.{field.value}",
    )


def _relevel(
    i: Incident, now: datetime, actor: Actor, answers: LevelAnswers | None, level: int, reason: str
) -> dict[str, object]:
    old = i.level
    i.level = level
    if answers is not None:
        i.level_answers = answers
        i.level_reasons = list(assess_level(answers).reasons)
    elif old != level:  # set by the reviewer, not from answers: say so, keep the history
        i.level_reasons = [f"第{level}級：{actor.label} 變更等級（{reason}）", *i.level_reasons]
    i.level_history.append(
        LevelChange(
            at=now, by=actor.label, from_level=old, to_level=level, reason=reason, answers=answers
        )
    )
    if old != level:  # Art. 6 para. 2: a level change is notified again (續行通報)
        i.notifications.append(
            Notification(kind=NotificationKind.LEVEL_CHANGE, at=now, by=actor.label, level=level)
        )
    return {"level": f"{old} -> {level}", "reason": reason}


def change_level(
    *,
    store: Store,
    actor: Actor,
    incident_id: str,
    answers: LevelAnswers,
    reason: str,
    clock: Clock,
) -> Incident:
    """Re-assess the level from new answers; a different level re-notifies."""
    if not reason.strip():
        raise InputError("say why the level changes", location="reason")
    level = assess_level(answers).level
    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.CHANGE_LEVEL,
        clock=clock,
        mutate=lambda i, now: _relevel(i, now, actor, answers, level, reason),
    )


def review_level(
    *,
    store: Store,
    actor: Actor,
    incident_id: str,
    clock: Clock,
    level: int | None = None,
    note: str = "",
) -> Incident:
    """The superior agency's review (審核, Art. 7): confirm, or set another level."""
    if level is not None and not 1 <= level <= 4:
        raise InputError(f"level must be 1-4, got {level}", location="level")

    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:
        i.reviewed_at = now
        i.review_note = note
        detail: dict[str, object] = {"confirmed": level is None or level == i.level}
        if level is not None and level != i.level:
            detail.update(_relevel(i, now, actor, None, level, note or "changed in review"))
        return detail

    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.REVIEW,
        mutate=mutate,
        clock=clock,
    )


def record_forwarded(
    *,
    store: Store,
    actor: Actor,
    incident_id: str,
    to: str,
    reference: str,
    clock: Clock,
    at: datetime | None = None,
) -> Incident:
    """The review result was sent to the competent authority (Art. 7 para. 2): to whom,
    when (default now; never in the future nor before the review) and the platform's
    reference number or receipt, which proves the forward clock was met."""

    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:
        # Checked here, after access and workflow: who may not forward learns only that.
        if not to.strip():
            raise InputError("say who the review result was sent to", location="to")
        if not reference.strip():
            raise InputError(
                "give the platform's reference number or receipt of the forwarding",
                location="reference",
            )
        when = now if at is None else ensure_aware(check_time(at, "at"), "at")
        if when > now:
            raise InputError(f"{when.isoformat()} is in the future", location="at")
        if i.reviewed_at is not None and when < i.reviewed_at:
            raise InputError(
                f"{when.isoformat()} is before the review at {i.reviewed_at.isoformat()}; "
                "the result is forwarded after it",
                location="at",
            )
        i.forwarded_at = when
        i.forwarded_to = to.strip()
        i.forward_reference = reference.strip()
        return {"at": when.isoformat(), "to": i.forwarded_to, "reference": i.forward_reference}

    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.FORWARD,
        mutate=mutate,
        clock=clock,
    )


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
            raise InputError("say why this is a false positive", location="reason")
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


def add_iocs(
    *, store: Store, actor: Actor, incident_id: str, iocs: Sequence[IoC], clock: Clock
) -> Incident:
    """Record IoCs, each checked against its type (a SHA-1 must be 40 hex digits, ...)."""
    iocs = [classify(x.value, x.type).model_copy(update={"note": x.note}) for x in iocs]

    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:  # noqa: ARG001
        known = {(x.type, x.value) for x in i.iocs}
        added = [x for x in iocs if (x.type, x.value) not in known]
        i.iocs.extend(added)
        return {"added": [f"{x.type.value}:{x.value}" for x in added]}

    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.EDIT,
        mutate=mutate,
        clock=clock,
    )


def update_progress(
    *, store: Store, actor: Actor, incident_id: str, text: str, clock: Clock
) -> Incident:
    """Record how the response is going (應變處置進度)."""
    if not text.strip():
        raise InputError("write what has been done since the last update", location="text")

    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:
        i.progress.append(ProgressNote(at=now, by=actor.name, text=text))
        return {"progress": text[:200]}

    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.EDIT,
        mutate=mutate,
        clock=clock,
        audit_action="incident.progress",
    )


def attach_alerts(
    *,
    store: Store,
    actor: Actor,
    incident_id: str,
    alert_ids: Sequence[str],
    group_keys: Sequence[str],
    clock: Clock,
) -> Incident:
    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:  # noqa: ARG001
        new = [a for a in alert_ids if a not in set(i.alert_ids)]
        i.alert_ids.extend(new)
        i.alert_count = len(i.alert_ids)
        i.alert_group_keys.extend(k for k in group_keys if k not in set(i.alert_group_keys))
        return {"alerts_added": len(new)}

    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.EDIT,
        action=Action.TRIAGE,  # attaching alerts is triage (a reporter may edit, not triage)
        mutate=mutate,
        clock=clock,
    )


def suggest_system_class(*, store: Store, incident: Incident) -> SystemClass | None:
    """Pre-fill 'which system' for the level questions from the scan inventory."""
    found = [
        store.assets.find_by_host(name) or store.assets.find(name)
        for name in incident.affected_assets
    ]
    known = [a for a in found if a is not None]
    if not known:
        return None
    if any(a.critical_infrastructure for a in known):
        return SystemClass.CORE_CI
    if any(a.core_system for a in known):
        return SystemClass.CORE_NON_CI
    return SystemClass.NON_CORE


def deadlines(incident: Incident, *, now: datetime) -> list[Deadline]:
    """The statutory clocks; none for a suspected case (no person is aware yet)."""
    if incident.aware_at is None:
        return []
    return compute_deadlines(
        aware_at=incident.aware_at,
        level=incident.level,
        highest_level=incident.highest_level,
        notified_at=incident.notified_at,
        reviewed_at=incident.reviewed_at,
        forwarded_at=incident.forwarded_at,
        contained_at=incident.contained_at,
        report_submitted_at=incident.report_submitted_at,
        report_extended_to=incident.report_extended_to,
        now=now,
        awareness_changes=[
            AwarenessChange(at=c.at, old=c.old, new=c.new, reason=c.reason)
            for c in incident.corrections
            if c.field is CorrectedField.AWARE_AT and c.old is not None
        ],
    )


def triage_target(incident: Incident, *, targets: Mapping[str, int]) -> datetime | None:
    """When a suspected case should be confirmed or dismissed (an internal target per
    severity, not a statutory clock); None once a person confirmed or ended it."""
    if incident.state is not IncidentState.SUSPECTED:
        return None
    return triage_due(incident.suspected_at, incident.severity, targets)

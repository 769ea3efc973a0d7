"""What people do to incidents: opening and reading them, and ``change()``, the one mutation
path every step takes (awareness.py, notification.py and closing.py hold the steps by
concept). Each function checks access and the workflow, saves with optimistic concurrency,
and writes an audit entry.

Raises NotFoundError (missing or outside the actor's agencies), ForbiddenError (role),
TransitionError (workflow, says why), InputError (bad answers), ConflictError (a race).
"""

import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from core import audit
from core.access import Action, Actor, require
from core.alerts import Severity
from core.clock import TAIPEI, Clock, ensure_aware
from core.errors import InputError
from core.storage.base import Store
from core.time_range import check_time
from incidents import checklists, repository, workflow
from incidents.deadlines import AwarenessChange, Deadline, compute_deadlines, triage_due
from incidents.levels import SystemClass
from incidents.models import (
    CorrectedField,
    Incident,
    IncidentState,
    IoC,
)
from incidents.sharing.observables import classify
from incidents.workflow import Step

__all__ = [
    "add_iocs",
    "change",
    "checked_iocs",
    "merge_iocs",
    "attach_alerts",
    "deadlines",
    "get_incident",
    "list_incidents",
    "new_incident_id",
    "open_incident",
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
    incident.tasks = checklists.instantiate(incident)
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
    require(
        actor, action or workflow.right_for(step, incident), incident.organization_id, "incident"
    )
    workflow.check(incident, step)
    expected = incident.version
    updated = incident.model_copy(deep=True)
    now = clock.now()
    detail = mutate(updated, now)
    updated.updated_at = now
    updated.state = workflow.derive_state(updated)
    updated.tasks = checklists.instantiate(updated)  # the category's checklist, if it changed
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


def add_iocs(
    *, store: Store, actor: Actor, incident_id: str, iocs: Sequence[IoC], clock: Clock
) -> Incident:
    """Record IoCs, each checked against its type (a SHA-1 must be 40 hex digits, ...)."""
    iocs = checked_iocs(iocs)

    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:  # noqa: ARG001
        return {"added": merge_iocs(i, iocs)}

    return change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.EDIT,
        mutate=mutate,
        clock=clock,
    )


def checked_iocs(iocs: Sequence[IoC]) -> list[IoC]:
    """Each IoC checked against its type and normalised; raises InputError saying why not."""
    return [classify(x.value, x.type).model_copy(update={"note": x.note}) for x in iocs]


def merge_iocs(i: Incident, iocs: Sequence[IoC]) -> list[str]:
    """Add the IoCs the incident does not have yet; the added ones, as type:value."""
    known = {(x.type, x.value) for x in i.iocs}
    added = [x for x in iocs if (x.type, x.value) not in known]
    i.iocs.extend(added)
    return [f"{x.type.value}:{x.value}" for x in added]


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

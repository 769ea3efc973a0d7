"""Alerts -> suspected cases: one per (rule, agency, host, time window), with a count.

``auto_triage`` escalates new alert groups at or above a severity; a group whose key
already belongs to an open incident adds its alerts to that incident instead. An
escalation, automatic or an analyst's, makes a suspected case (疑似事件, 待確認) with no
statutory clock: awareness (知悉) is a person's, recorded when one confirms it
(awareness.confirm), as regulations.md §3 counts T0 from awareness. Partners' indicator hits
and exposure findings are leads, never escalated by it (``may_escalate_by_itself``); an
analyst may escalate them.
"""

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from typing import Literal

from core import accounts, audit
from core.access import Action, Actor, allowed, not_found, require, require_right
from core.agencies import AgencyRegistry
from core.alerts import Alert, AlertGroup, AlertQuery, AlertStatus, Severity
from core.clock import TAIPEI, Clock
from core.errors import ConflictError, InputError, NotFoundError
from core.events import Event
from core.faults import crash_point
from core.source_health import RULE_ID as SOURCE_SILENT
from core.storage.base import Store
from core.time_range import EARLIEST
from detections import exposure, indicators
from incidents import service
from incidents.models import Incident

__all__ = [
    "MAX_SELECTION",
    "AlertGroup",
    "alert_queue",
    "severity_counts",
    "assign_alerts",
    "escalate_alerts",
    "event_for",
    "suppress_alerts",
    "TriageReport",
    "auto_triage",
    "escalate_group",
    "list_groups",
    "mark_false_positive",
    "may_escalate_by_itself",
]

log = logging.getLogger("citysoc.triage")

_RANK = {s: i for i, s in enumerate(Severity)}
_GROUP_PAGE = 10_000
_RETRIES = 5  # saves of one incident lost to concurrent writers before giving up
_Outcome = Literal["opened", "updated", "unchanged"]
_ID_ATTEMPTS = 8  # deterministic ids tried before giving up (6 hex digits a day: rare)
OPENING_GRACE = timedelta(minutes=1)  # an opening this recent may still be in progress


@dataclass
class TriageReport:
    groups: int = 0
    incidents_opened: int = 0
    incidents_updated: int = 0
    alerts_escalated: int = 0
    refused: dict[str, str] = field(default_factory=dict)  # group key -> why not escalated


def _alerts(store: Store, key: str, status: AlertStatus | None = AlertStatus.NEW) -> list[Alert]:
    return store.alerts.list(AlertQuery(group_key=key, status=status), limit=_GROUP_PAGE)


def list_groups(
    store: Store, *, actor: Actor, status: AlertStatus = AlertStatus.NEW
) -> list[AlertGroup]:
    # Aggregated by the store: no alert is loaded, however many wait for triage.
    return [g for g in store.alerts.groups(status=status) if actor.sees(g.organization_id)]


def _existing_incident(store: Store, key: str) -> str | None:
    for alert in _alerts(store, key, AlertStatus.ESCALATED)[:1]:
        return alert.incident_id
    return None


def _open_for(
    *,
    store: Store,
    actor: Actor,
    alerts: Sequence[Alert],
    group_keys: Sequence[str],
    registry: AgencyRegistry,
    clock: Clock,
    incident_id: str,
) -> Incident:
    """A new suspected case for alerts of one agency, titled after the first alert."""
    first = alerts[0]
    agency = registry.get(first.organization_id)
    where = first.host_name or "unknown host"
    asset = {
        "critical_infrastructure": "（關鍵基礎設施核心系統）",
        "core": "（核心資通系統）",
    }.get(first.asset_criticality or "", "")
    rules = sorted({a.rule_id for a in alerts})
    hosts = sorted({a.host_name for a in alerts if a.host_name})
    return service.open_incident(
        store=store,
        actor=actor,
        organization_id=first.organization_id,
        title=f"{first.rule_title} — {where}（{agency.name_zh}）",
        description=f"{len(alerts)} alert(s) of rule {', '.join(rules)} on {where}{asset}.",
        aware_at=None,  # a suspected case: no person is aware yet, no clock runs
        severity=max((a.severity for a in alerts), key=_RANK.__getitem__),
        occurred_at=_occurrence(alerts, now=clock.now()),
        alert_ids=[a.id for a in alerts],
        alert_group_keys=list(group_keys),
        affected_assets=hosts,
        clock=clock,
        incident_id=incident_id,
    )


def _occurrence(alerts: Sequence[Alert], *, now: datetime) -> datetime:
    """The earliest matched event's time, within what an incident may record: events stored
    before ingest clamped absurd times (or by another tool) may lie outside it."""
    earliest = datetime.combine(EARLIEST, time(), UTC)
    return min(max(min(a.event.timestamp for a in alerts), earliest), now)


def escalate_group(
    *, store: Store, actor: Actor, group_key: str, registry: AgencyRegistry, clock: Clock
) -> Incident:
    """Open an incident for the group (or add to the one it already has). A group that
    someone else escalated a moment ago (another triage run, an analyst) is left as it is:
    its incident is returned, nothing changes."""
    return _escalate_group(
        store=store, actor=actor, group_key=group_key, registry=registry, clock=clock
    )[0]


def _escalate_group(
    *, store: Store, actor: Actor, group_key: str, registry: AgencyRegistry, clock: Clock
) -> tuple[Incident, _Outcome]:
    alerts = _alerts(store, group_key)
    if not alerts:
        escalated = _existing_incident(store, group_key)
        if escalated is None:
            raise not_found("alert group")  # (no new alerts: nothing to act on)
        return service.get_incident(store=store, actor=actor, incident_id=escalated), "unchanged"
    require(actor, Action.TRIAGE, alerts[0].organization_id, "alert group")
    return _escalate(
        store=store,
        actor=actor,
        alerts=alerts,
        group_keys=[group_key],
        registry=registry,
        clock=clock,
        incident_id=_existing_incident(store, group_key),
    )


def _escalate(
    *,
    store: Store,
    actor: Actor,
    alerts: Sequence[Alert],
    group_keys: Sequence[str],
    registry: AgencyRegistry,
    clock: Clock,
    incident_id: str | None,
) -> tuple[Incident, _Outcome]:
    """Add the (checked) alerts to the incident, or open one for them; mark them escalated."""
    ids = [a.id for a in alerts]
    if incident_id is None:
        return _open_atomically(
            store=store,
            actor=actor,
            alerts=alerts,
            group_keys=group_keys,
            registry=registry,
            clock=clock,
        )
    incident = _attach(store, actor, incident_id, ids, group_keys, clock)
    store.alerts.update_status(
        ids, status=AlertStatus.ESCALATED, reason=None, incident_id=incident.id
    )
    return incident, "updated"


def group_incident_id(basis: str, day: datetime, attempt: int = 0) -> str:
    """The incident id of a group of alerts: the same group (and window) always gives the
    same id, so a run that repeats an interrupted or concurrent opening meets the incident
    instead of making a second one. ``attempt`` moves past an id another group took."""
    digest = hashlib.sha256(f"{basis}#{attempt}".encode()).hexdigest()[:6].upper()
    return f"INC-{day.astimezone(TAIPEI):%Y%m%d}-{digest}"


def _opening_basis(alerts: Sequence[Alert], group_keys: Sequence[str]) -> tuple[str, datetime]:
    """What names the incident: the group key (its window) for a group; the alerts of a
    hand-made selection. The day is the earliest event's."""
    day = min(a.event.timestamp for a in alerts)
    if len(group_keys) == 1 and all(a.group_key == group_keys[0] for a in alerts):
        return f"group:{group_keys[0]}", day
    return "alerts:" + ",".join(sorted(a.id for a in alerts)), day


def _open_atomically(
    *,
    store: Store,
    actor: Actor,
    alerts: Sequence[Alert],
    group_keys: Sequence[str],
    registry: AgencyRegistry,
    clock: Clock,
) -> tuple[Incident, _Outcome]:
    """The incident, its opening audit entry and the alerts' escalation in one transaction
    (SQLite). Its id is deterministic, so where the store has no transactions
    (Elasticsearch) a repeated run finds the incident an interrupted one left and completes
    it, and two runs at once make one incident."""
    ids = [a.id for a in alerts]
    basis, day = _opening_basis(alerts, group_keys)
    for attempt in range(_ID_ATTEMPTS):
        candidate = group_incident_id(basis, day, attempt)
        try:
            with store.transaction():
                incident = _open_for(
                    store=store,
                    actor=actor,
                    alerts=alerts,
                    group_keys=group_keys,
                    registry=registry,
                    clock=clock,
                    incident_id=candidate,
                )
                crash_point("triage.in-opening")  # incident written, alerts not yet linked
                store.alerts.update_status(
                    ids, status=AlertStatus.ESCALATED, reason=None, incident_id=incident.id
                )
            crash_point("triage.after-opening")
            return incident, "opened"
        except ConflictError:
            pass
        try:
            existing = service.get_incident(store=store, actor=actor, incident_id=candidate)
        except NotFoundError:
            continue  # another agency's incident took this id
        if set(ids) & set(existing.alert_ids):  # ours: interrupted, or opened by another run
            return _complete(store, actor, existing, ids, group_keys, clock)
    raise ConflictError(
        f"no free incident id for these alerts after {_ID_ATTEMPTS} tries; try again",
        location="incident",
    )


def _complete(
    store: Store,
    actor: Actor,
    incident: Incident,
    ids: Sequence[str],
    group_keys: Sequence[str],
    clock: Clock,
) -> tuple[Incident, _Outcome]:
    """Finish what an interrupted opening of ``incident`` left undone: alerts not yet on
    it, its opening audit entry, the alerts' status. Nothing left undone: a no-op."""
    outcome: _Outcome = "unchanged"
    if any(a not in set(incident.alert_ids) for a in ids):
        incident = _attach(store, actor, incident.id, ids, group_keys, clock)
        outcome = "updated"
    # An opening younger than the grace may still be running in another process; its
    # audit entry is on its way, and an interrupted one is completed by a later run.
    settled = clock.now() - incident.created_at >= OPENING_GRACE
    if settled and not _has_opening_entry(store, incident.id):
        audit.record(
            store,
            actor=actor,
            action="incident.open",
            subject=incident.id,
            at=clock.now(),
            detail={
                "agency": incident.organization_id,
                "title": incident.title,
                "alerts": len(incident.alert_ids),
                "completed": "the opening run was interrupted",
            },
        )
        outcome = "updated"
    store.alerts.update_status(
        ids, status=AlertStatus.ESCALATED, reason=None, incident_id=incident.id
    )
    return incident, outcome


def _has_opening_entry(store: Store, incident_id: str) -> bool:
    return any(row.action == "incident.open" for row in store.audit.rows(subject=incident_id))


def _attach(
    store: Store,
    actor: Actor,
    incident_id: str,
    alert_ids: Sequence[str],
    group_keys: Sequence[str],
    clock: Clock,
) -> Incident:
    """Add alerts to an incident; when another writer saved it in between (a concurrent
    triage run adding the same alerts), reload and apply again: adding is idempotent."""
    for attempt in range(1, _RETRIES + 1):
        try:
            return service.attach_alerts(
                store=store,
                actor=actor,
                incident_id=incident_id,
                alert_ids=alert_ids,
                group_keys=group_keys,
                clock=clock,
            )
        except ConflictError:
            if attempt == _RETRIES:
                raise
    raise AssertionError("unreachable")  # (the last attempt returned or raised)


def mark_false_positive(
    *, store: Store, actor: Actor, group_key: str, reason: str, clock: Clock
) -> int:
    """Suppress a group's new alerts as a false positive, with the reason."""
    _require_reason(reason)
    alerts = _alerts(store, group_key)
    if not alerts:
        raise not_found("alert group")  # (no new alerts: nothing to act on)
    require(actor, Action.TRIAGE, alerts[0].organization_id, "alert group")
    return _suppress(store, actor, alerts, reason, clock, subject=group_key)


def _require_reason(reason: str) -> None:
    if not reason.strip():
        raise InputError(
            "say why these alerts are a false positive", location="reason", key="fp_reason"
        )


def _suppress(
    store: Store, actor: Actor, alerts: Sequence[Alert], reason: str, clock: Clock, *, subject: str
) -> int:
    changed = store.alerts.update_status(
        [a.id for a in alerts], status=AlertStatus.FALSE_POSITIVE, reason=reason, incident_id=None
    )
    _audit_bulk(store, actor, "alerts.false_positive", alerts, clock, subject, reason=reason)
    return changed


def _audit_bulk(
    store: Store,
    actor: Actor,
    action: str,
    alerts: Sequence[Alert],
    clock: Clock,
    subject: str,
    **detail: object,
) -> None:
    """One audit entry per bulk action, naming every alert it touched."""
    audit.record(
        store,
        actor=actor,
        action=action,
        subject=subject,
        at=clock.now(),
        detail={"alerts": [a.id for a in alerts], **detail},
    )


# Alerts that are leads, not evidence of an incident in the agency: another city's
# indicator (often a widely used address), an open port, a silent log source. Their rule id
# says so.
_LEAD_RULES = (indicators.RULE_PREFIX, exposure.RULE_PREFIX, SOURCE_SILENT)


def may_escalate_by_itself(group: AlertGroup | Alert) -> bool:
    """Whether auto-triage may open an incident for these alerts without a person: not for
    partners' indicator hits, exposure findings or silent sources, whatever their severity."""
    return not group.rule_id.startswith(_LEAD_RULES)


def auto_triage(
    *,
    store: Store,
    actor: Actor,
    registry: AgencyRegistry,
    clock: Clock,
    min_severity: Severity = Severity.HIGH,
) -> TriageReport:
    """Escalate every new group at or above ``min_severity`` that may escalate by itself
    (``may_escalate_by_itself``). Runs may overlap (the loop of ``serve``, ``citysoc
    detect``, an analyst): a group another run or person handled in the meantime is
    skipped, not an error."""
    report = TriageReport()
    for group in list_groups(store, actor=actor):
        report.groups += 1
        if _RANK[group.severity] < _RANK[min_severity] or not may_escalate_by_itself(group):
            continue
        try:
            _incident, outcome = _escalate_group(
                store=store, actor=actor, group_key=group.key, registry=registry, clock=clock
            )
        except NotFoundError as exc:
            if exc.location != "alert group":
                raise
            continue  # its alerts were dismissed meanwhile: nothing is left to escalate
        except InputError as exc:
            # One group's data the incident cannot take must not hold back every later
            # group (the loop would fail on it forever): it stays new, named in the report.
            log.warning("group %s not escalated: %s", group.key, exc.message)
            report.refused[group.key] = exc.message
            continue
        if outcome == "unchanged":
            continue
        report.alerts_escalated += group.count
        if outcome == "updated":
            report.incidents_updated += 1
        else:
            report.incidents_opened += 1
    return report


# --- the alert queue: any selection of alerts, not only whole groups ----------------------

MAX_SELECTION = 1000  # alerts per bulk action: a page of the queue at its largest


def _scoped(actor: Actor, query: AlertQuery) -> AlertQuery:
    """The query as the actor may run it: one agency's actor (a reporter) is pinned to it."""
    if query.organization_id is not None:
        require(actor, Action.VIEW, query.organization_id, "agency")
    require_right(actor, Action.VIEW, f"role {actor.role.value} may not view alerts", "alerts")
    if not actor.scope.citywide:
        return replace(query, organization_id=actor.scope.agency)
    return query


def alert_queue(
    store: Store, *, actor: Actor, query: AlertQuery, limit: int, offset: int
) -> tuple[int, list[Alert]]:
    """Alerts the actor may see, filtered and paged: (total matching, this page).

    A reporter sees only their agency's alerts, whatever the query asks for."""
    query = _scoped(actor, query)
    return store.alerts.count(query), store.alerts.list(query, limit=limit, offset=offset)


def severity_counts(store: Store, *, actor: Actor, query: AlertQuery) -> dict[Severity, int]:
    """How many alerts of each severity the query finds (its own severity filter aside)."""
    query = _scoped(actor, query)
    return {s: store.alerts.count(replace(query, severity=s)) for s in Severity}


def event_for(store: Store, *, actor: Actor, event_id: str) -> Event:
    """One stored event, for someone who may see its agency's records (else "not found")."""
    try:
        event = store.events.get(event_id)
    except NotFoundError:
        raise not_found("event") from None
    require(actor, Action.VIEW, event.organization_id, "event")
    return event


def _selection(store: Store, actor: Actor, alert_ids: Sequence[str]) -> list[Alert]:
    """The selected alerts, each one the actor may triage (else NotFound/Forbidden)."""
    unique = list(dict.fromkeys(alert_ids))
    if not unique:
        raise InputError("select at least one alert", location="alert_ids", key="select_alerts")
    if len(unique) > MAX_SELECTION:
        raise InputError(
            f"{len(unique)} alerts selected; act on at most {MAX_SELECTION} at a time",
            location="alert_ids",
            key="too_many_alerts",
            params={"n": len(unique), "max": MAX_SELECTION},
        )
    alerts = []
    for alert_id in unique:
        try:
            alert = store.alerts.get(alert_id)
        except NotFoundError:
            raise not_found("alert") from None
        require(actor, Action.TRIAGE, alert.organization_id, "alert")
        alerts.append(alert)
    return alerts


def _subject(alerts: Sequence[Alert]) -> str:
    return alerts[0].id if len(alerts) == 1 else f"{len(alerts)} alerts"


def assign_alerts(
    *, store: Store, actor: Actor, alert_ids: Sequence[str], assignee: str | None, clock: Clock
) -> int:
    """Give the alerts to an analyst (None: back to the pool)."""
    alerts = _selection(store, actor, alert_ids)
    if assignee is not None:
        user = accounts.find_user(store, assignee)
        if user is None or user.disabled or Action.TRIAGE not in allowed(user.actor()):
            raise InputError(
                f"{assignee!r} is not an active account that may triage alerts",
                location="assignee",
                key="not_an_assignee",
                params={"name": assignee},
            )
    changed = store.alerts.assign([a.id for a in alerts], assignee=assignee)
    _audit_bulk(store, actor, "alerts.assign", alerts, clock, _subject(alerts), assignee=assignee)
    return changed


def suppress_alerts(
    *, store: Store, actor: Actor, alert_ids: Sequence[str], reason: str, clock: Clock
) -> int:
    """Mark new alerts as false positives, with the reason. Escalated alerts belong to
    their incident: dismiss the incident instead."""
    _require_reason(reason)
    alerts = _selection(store, actor, alert_ids)
    escalated = [a for a in alerts if a.status is AlertStatus.ESCALATED]
    if escalated:
        raise InputError(
            f"alert {escalated[0].id} is part of incident {escalated[0].incident_id}; "
            "dismiss the incident or leave it out of the selection",
            location="alert_ids",
            key="alert_in_incident",
            params={"alert": escalated[0].id, "incident": escalated[0].incident_id},
        )
    return _suppress(store, actor, alerts, reason, clock, subject=_subject(alerts))


def escalate_alerts(
    *,
    store: Store,
    actor: Actor,
    alert_ids: Sequence[str],
    registry: AgencyRegistry,
    clock: Clock,
    incident_id: str | None = None,
) -> Incident:
    """Escalate selected alerts of one agency into a new incident, or into an existing one
    of the same agency."""
    alerts = _selection(store, actor, alert_ids)
    agencies = sorted({a.organization_id for a in alerts})
    if len(agencies) > 1:
        raise InputError(
            "an incident belongs to one agency; the selection spans " + ", ".join(agencies),
            location="alert_ids",
            key="one_agency",
        )
    elsewhere = [
        a for a in alerts if a.status is AlertStatus.ESCALATED and a.incident_id != incident_id
    ]
    if elsewhere:
        raise InputError(
            f"alert {elsewhere[0].id} is already part of incident {elsewhere[0].incident_id}",
            location="alert_ids",
            key="alert_in_incident",
            params={"alert": elsewhere[0].id, "incident": elsewhere[0].incident_id},
        )
    if incident_id:
        target = service.get_incident(store=store, actor=actor, incident_id=incident_id)
        if target.organization_id != agencies[0]:
            raise InputError(
                f"incident {incident_id} belongs to {target.organization_id}, "
                f"the alerts to {agencies[0]}",
                location="incident_id",
                key="other_agency_incident",
                params={"incident": incident_id},
            )
    return _escalate(
        store=store,
        actor=actor,
        alerts=alerts,
        group_keys=list(dict.fromkeys(a.group_key for a in alerts)),
        registry=registry,
        clock=clock,
        incident_id=incident_id or None,
    )[0]

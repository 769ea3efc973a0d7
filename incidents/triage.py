"""Alerts -> candidate incidents: one per (rule, agency, host, time window), with a count.

``auto_triage`` escalates new alert groups at or above a severity; a group whose key
already belongs to an open incident adds its alerts to that incident instead.
"""

from dataclasses import dataclass

from core import audit
from core.access import Action, Actor, require
from core.agencies import AgencyRegistry
from core.alerts import Alert, AlertGroup, AlertStatus, Severity
from core.clock import Clock
from core.errors import InputError, NotFoundError
from core.storage.base import Store
from incidents import service
from incidents.models import Incident

__all__ = [
    "AlertGroup",
    "TriageReport",
    "auto_triage",
    "escalate_group",
    "list_groups",
    "mark_false_positive",
]

_RANK = {s: i for i, s in enumerate(Severity)}
_GROUP_PAGE = 10_000


@dataclass
class TriageReport:
    groups: int = 0
    incidents_opened: int = 0
    incidents_updated: int = 0
    alerts_escalated: int = 0


def _alerts(store: Store, key: str, status: AlertStatus | None = AlertStatus.NEW) -> list[Alert]:
    return store.alerts.list(group_key=key, status=status, limit=_GROUP_PAGE)


def list_groups(
    store: Store, *, actor: Actor, status: AlertStatus = AlertStatus.NEW
) -> list[AlertGroup]:
    # Aggregated by the store: no alert is loaded, however many wait for triage.
    return [g for g in store.alerts.groups(status=status) if actor.sees(g.organization_id)]


def _existing_incident(store: Store, key: str) -> str | None:
    for alert in _alerts(store, key, AlertStatus.ESCALATED)[:1]:
        return alert.incident_id
    return None


def escalate_group(
    *, store: Store, actor: Actor, group_key: str, registry: AgencyRegistry, clock: Clock
) -> Incident:
    """Open an incident for the group (or add to the one it already has)."""
    alerts = _alerts(store, group_key)
    if not alerts:
        raise NotFoundError(f"no new alerts in group {group_key}", location="group")
    first = alerts[0]
    require(actor, Action.TRIAGE, first.organization_id, "alert group")
    ids = [a.id for a in alerts]
    existing = _existing_incident(store, group_key)
    if existing is not None:
        incident = service.attach_alerts(
            store=store,
            actor=actor,
            incident_id=existing,
            alert_ids=ids,
            group_keys=[group_key],
            clock=clock,
        )
    else:
        agency = registry.get(first.organization_id)
        where = first.host_name or "unknown host"
        asset = {
            "critical_infrastructure": "（關鍵基礎設施核心系統）",
            "core": "（核心資通系統）",
        }.get(first.asset_criticality or "", "")
        incident = service.open_incident(
            store=store,
            actor=actor,
            organization_id=first.organization_id,
            title=f"{first.rule_title} — {where}（{agency.name_zh}）",
            description=f"{len(alerts)} alert(s) of rule {first.rule_id} on {where}{asset}.",
            aware_at=clock.now(),
            occurred_at=min(a.event.timestamp for a in alerts),
            alert_ids=ids,
            alert_group_keys=[group_key],
            affected_assets=[first.host_name] if first.host_name else [],
            clock=clock,
        )
    store.alerts.update_status(
        ids, status=AlertStatus.ESCALATED, reason=None, incident_id=incident.id
    )
    return incident


def mark_false_positive(
    *, store: Store, actor: Actor, group_key: str, reason: str, clock: Clock
) -> int:
    """Suppress a group's new alerts as a false positive, with the reason."""
    if not reason.strip():
        raise InputError("say why these alerts are a false positive", location="reason")
    alerts = _alerts(store, group_key)
    if not alerts:
        raise NotFoundError(f"no new alerts in group {group_key}", location="group")
    require(actor, Action.TRIAGE, alerts[0].organization_id, "alert group")
    changed = store.alerts.update_status(
        [a.id for a in alerts], status=AlertStatus.FALSE_POSITIVE, reason=reason, incident_id=None
    )
    audit.record(
        store,
        actor=actor,
        action="alerts.false_positive",
        subject=group_key,
        at=clock.now(),
        detail={"alerts": changed, "reason": reason},
    )
    return changed


def auto_triage(
    *,
    store: Store,
    actor: Actor,
    registry: AgencyRegistry,
    clock: Clock,
    min_severity: Severity = Severity.HIGH,
) -> TriageReport:
    report = TriageReport()
    for group in list_groups(store, actor=actor):
        report.groups += 1
        if _RANK[group.severity] < _RANK[min_severity]:
            continue
        had = _existing_incident(store, group.key)
        escalate_group(
            store=store, actor=actor, group_key=group.key, registry=registry, clock=clock
        )
        report.alerts_escalated += group.count
        if had:
            report.incidents_updated += 1
        else:
            report.incidents_opened += 1
    return report

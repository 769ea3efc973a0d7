"""One timeline of a case, oldest first: its alerts (at their events' times), its comments
and evidence (from the incident's own records), and every other change, share and piece of
case work (from its audit entries: confirm, notify, level change, review, forward, contain,
report, close, dismiss, corrections, assignment, watching, tasks, share.publish).

Each entry has a kind, a time, who, and a one-line summary. The incident's own records are
the source where they exist, so a comment or an evidence file appears once, not also as
its audit entry.
"""

import json
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from core.access import Actor
from core.errors import CitySocError
from core.storage.base import AuditRow, Store
from incidents.models import Incident
from incidents.service import get_incident

__all__ = ["ALERTS_SHOWN", "EntryKind", "TimelineEntry", "build", "timeline"]

ALERTS_SHOWN = 200  # alerts listed in a timeline; a large case says how many more it holds
SUMMARY = 300  # characters of a comment or an audit detail shown in one entry


class EntryKind(StrEnum):
    ALERT = "alert"
    COMMENT = "comment"
    STATE = "state"  # a workflow step or a correction of a recorded time
    EVIDENCE = "evidence"
    SHARE = "share"
    CASEWORK = "casework"  # owner, watchers
    TASK = "task"


class TimelineEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: EntryKind
    at: datetime
    who: str
    summary: str
    action: str = ""  # the audit action an entry comes from ("" for the incident's records)


# Audit actions the incident's own records already show.
_FROM_RECORDS = frozenset({"incident.comment", "incident.progress", "incident.evidence"})
_CASEWORK = frozenset({"incident.assign", "incident.watch", "incident.unwatch"})


def _kind(action: str) -> EntryKind:
    if action.startswith("share."):
        return EntryKind.SHARE
    if action in _CASEWORK:
        return EntryKind.CASEWORK
    if action.startswith("incident.task_"):
        return EntryKind.TASK
    return EntryKind.STATE


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY else text[: SUMMARY - 1] + "…"


def _detail(raw: str) -> str:
    """An audit entry's detail as ``key value; ...`` (nested values as compact JSON)."""
    try:
        detail = json.loads(raw) if raw else {}
    except ValueError:
        return _short(raw)
    if not isinstance(detail, dict):
        return _short(str(detail))
    parts = [
        f"{key} {value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}"
        for key, value in detail.items()
        if value not in (None, "", [], {})
    ]
    return _short("; ".join(parts))


def _from_audit(rows: Iterable[AuditRow]) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            kind=_kind(row.action),
            at=row.at,
            who=row.actor,
            summary=_detail(row.detail),
            action=row.action,
        )
        for row in rows
        if row.action not in _FROM_RECORDS
    ]


def _alerts(store: Store, incident: Incident) -> list[TimelineEntry]:
    entries = []
    for alert_id in incident.alert_ids[:ALERTS_SHOWN]:
        try:
            alert = store.alerts.get(alert_id)
        except CitySocError:
            continue  # an alert id kept on the incident after its alert expired
        where = f" @ {alert.host_name}" if alert.host_name else ""
        entries.append(
            TimelineEntry(
                kind=EntryKind.ALERT,
                at=alert.event.timestamp,
                who=alert.rule_id,
                summary=_short(f"[{alert.severity.value}] {alert.rule_title}{where}"),
            )
        )
    return entries


def build(store: Store, incident: Incident) -> list[TimelineEntry]:
    """The timeline of an incident the caller has already been allowed to read."""
    entries = _alerts(store, incident)
    entries += [
        TimelineEntry(kind=EntryKind.COMMENT, at=c.at, who=c.by, summary=_short(c.text))
        for c in incident.comments
    ]
    entries += [
        TimelineEntry(
            kind=EntryKind.EVIDENCE,
            at=e.uploaded_at,
            who=e.uploaded_by,
            summary=_short(f"{e.filename} ({e.kind}, {e.size:,} bytes, sha256 {e.sha256[:12]}…)"),
        )
        for e in incident.evidence
    ]
    entries += _from_audit(store.audit.rows(subject=incident.id))
    return sorted(entries, key=lambda e: e.at)  # stable: same-time entries keep this order


def timeline(*, store: Store, actor: Actor, incident_id: str) -> list[TimelineEntry]:
    """The incident's timeline; NotFoundError outside the actor's agencies."""
    return build(store, get_incident(store=store, actor=actor, incident_id=incident_id))

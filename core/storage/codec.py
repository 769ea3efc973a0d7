"""Stored records <-> plain dicts, one codec for both engines.

**Events.** An event is stored as one flat ECS document: the five header keys
(``event.id``, ``@timestamp``, ``event.dataset``, ``organization.id``, ``event.original``)
and every flattened field with its value as text, so that a rule's ``LogonType: 3`` matches
whether a source sent ``3`` or ``"3"`` (EVTX gives numbers, Winlogbeat often strings);
absent and null are the same. Elasticsearch indexes that document as it is (plus its ``pos``);
SQLite keeps the header in columns and the fields in its ``doc`` column
(``core.storage.sqlite.columns``); the Elasticsearch spool writes it as one JSON line.

**Other records.** ``X_to_dict`` / ``X_from_dict`` use ONE set of key names, the names the
records are stored under: the record's own field names (``organization_id``, ``core_system``)
for assets, scans and asset changes, which Elasticsearch keeps as JSON documents and SQLite
maps from its older column names; the names both engines already index for alerts
(``org``, ``host``), audit rows, dead letters and shared objects (``collection``, ``doc``).
Values are JSON-ready: times as ISO text, enums as their values, bytes as base64.
"""

from __future__ import annotations

import base64
from collections.abc import Collection, Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any

import orjson

from core.alerts import Alert
from core.assets import Asset, AssetChange, ChangeKind, OpenPort, ScanRecord, ScanStatus
from core.events import DeadLetter, Event, FieldValue
from core.storage.base import SharedObject
from core.storage.records import AuditRow, text

__all__ = [
    "EVENT_HEADER",
    "alert_from_dict",
    "alert_to_dict",
    "asset_from_dict",
    "asset_to_dict",
    "audit_row_from_dict",
    "audit_row_to_dict",
    "change_from_dict",
    "change_to_dict",
    "dead_letter_from_dict",
    "dead_letter_to_dict",
    "event_from_dict",
    "event_from_json",
    "event_header",
    "event_to_dict",
    "event_to_json",
    "field_document",
    "scan_from_dict",
    "scan_to_dict",
    "shared_object_from_dict",
    "shared_object_to_dict",
]

# The keys of an event's own attributes in its stored document (ECS names).
EVENT_HEADER = ("event.id", "@timestamp", "event.dataset", "organization.id", "event.original")


# -- events ---------------------------------------------------------------------------------


def field_document(fields: Mapping[str, FieldValue]) -> dict[str, str]:
    """Every field value as text (see the module docstring); null fields are left out."""
    return {k: (v if type(v) is str else text(v)) for k, v in fields.items() if v is not None}


def event_header(event: Event) -> dict[str, str]:
    """The event's own attributes under their ECS names (EVENT_HEADER)."""
    return {
        "event.id": event.event_id,
        "@timestamp": event.timestamp.isoformat(),
        "event.dataset": event.dataset,
        "organization.id": event.organization_id,
        "event.original": event.original,
    }


def event_to_dict(event: Event) -> dict[str, str]:
    """The whole event as one flat ECS document; the header wins over a field of the same
    name (a JSON source may carry its own ``event.dataset``)."""
    return field_document(event.fields) | event_header(event)


def event_from_dict(
    doc: Mapping[str, Any],
    *,
    fields: Mapping[str, FieldValue] | None = None,
    skip: Collection[str] = (),
) -> Event:
    """The event of a stored document. The fields are ``fields`` when the engine keeps them
    apart from the header (SQLite), else every key of ``doc`` but the header and ``skip``
    (an engine's own bookkeeping, such as Elasticsearch's ``pos``)."""
    if fields is None:
        fields = {k: v for k, v in doc.items() if k not in EVENT_HEADER and k not in skip}
    return Event(
        event_id=doc["event.id"],
        timestamp=datetime.fromisoformat(doc["@timestamp"]),
        dataset=doc["event.dataset"],
        organization_id=doc["organization.id"],
        original=doc["event.original"],
        fields=dict(fields),
    )


def event_to_json(event: Event) -> str:
    """One line of JSON (no raw newline inside: the spool is JSON lines)."""
    return orjson.dumps(event_to_dict(event)).decode()


# The spool's line format before this codec; batches spooled by an earlier version may
# still wait on disk when it is upgraded, so they are read too.
_LEGACY_KEYS = {
    "id": "event.id",
    "ts": "@timestamp",
    "dataset": "event.dataset",
    "org": "organization.id",
    "original": "event.original",
}


def event_from_json(line: str | bytes) -> Event:
    doc = orjson.loads(line)
    if isinstance(doc.get("fields"), dict) and "id" in doc:
        header = {ecs: doc[old] for old, ecs in _LEGACY_KEYS.items()}
        return event_from_dict(header, fields=doc["fields"])
    return event_from_dict(doc)


# -- alerts -----------------------------------------------------------------------------------


def alert_to_dict(a: Alert) -> dict[str, Any]:
    """The fields the engines search and sort alerts on, and the whole alert as ``doc``."""
    return {
        "id": a.id,
        "rule_id": a.rule_id,
        "rule_title": a.rule_title,
        "severity": a.severity.value,
        "org": a.organization_id,
        "host": a.host_name,
        "created_at": a.created_at.isoformat(),
        "event_at": a.event.timestamp.isoformat(),
        "event_id": a.event.event_id,
        "group_key": a.group_key,
        "status": a.status.value,
        "incident_id": a.incident_id,
        "assignee": a.assignee,
        "doc": a.model_dump_json(),
    }


def alert_from_dict(d: Mapping[str, Any]) -> Alert:
    return Alert.model_validate_json(d["doc"])


# -- assets, scans, asset changes ----------------------------------------------------------


def asset_to_dict(a: Asset) -> dict[str, Any]:
    return {
        "address": a.address,
        "organization_id": a.organization_id,
        "hostname": a.hostname,
        "first_seen": a.first_seen.isoformat(),
        "last_seen": a.last_seen.isoformat(),
        "up": a.up,
        "core_system": a.core_system,
        "critical_infrastructure": a.critical_infrastructure,
        "ports": [asdict(p) for p in a.ports],
    }


def asset_from_dict(d: Mapping[str, Any]) -> Asset:
    return Asset(
        address=d["address"],
        organization_id=d["organization_id"],
        hostname=d["hostname"],
        first_seen=datetime.fromisoformat(d["first_seen"]),
        last_seen=datetime.fromisoformat(d["last_seen"]),
        up=bool(d["up"]),  # SQLite keeps booleans as 0/1
        core_system=bool(d["core_system"]),
        critical_infrastructure=bool(d["critical_infrastructure"]),
        ports=tuple(OpenPort(**p) for p in d["ports"]),
    )


def scan_to_dict(s: ScanRecord) -> dict[str, Any]:
    return {
        "id": s.id,
        "target": s.target,
        "organization_id": s.organization_id,
        "started_at": s.started_at.isoformat(),
        "finished_at": s.finished_at.isoformat(),
        "status": s.status.value,
        "hosts_scanned": s.hosts_scanned,
        "hosts_up": s.hosts_up,
        "open_ports": s.open_ports,
        "error": s.error,
        "command": s.command,
    }


def scan_from_dict(d: Mapping[str, Any]) -> ScanRecord:
    return ScanRecord(
        id=d.get("id"),
        target=d["target"],
        organization_id=d["organization_id"],
        started_at=datetime.fromisoformat(d["started_at"]),
        finished_at=datetime.fromisoformat(d["finished_at"]),
        status=ScanStatus(d["status"]),
        hosts_scanned=d["hosts_scanned"],
        hosts_up=d["hosts_up"],
        open_ports=d["open_ports"],
        error=d["error"],
        command=d["command"],
    )


def change_to_dict(c: AssetChange) -> dict[str, Any]:
    return {
        "at": c.at.isoformat(),
        "address": c.address,
        "organization_id": c.organization_id,
        "kind": c.kind.value,
        "detail": c.detail,
        "scan_id": c.scan_id,
    }


def change_from_dict(d: Mapping[str, Any]) -> AssetChange:
    return AssetChange(
        at=datetime.fromisoformat(d["at"]),
        address=d["address"],
        organization_id=d["organization_id"],
        kind=ChangeKind(d["kind"]),
        detail=d["detail"],
        scan_id=d["scan_id"],
    )


# -- dead letters, audit rows, shared objects ------------------------------------------------


def dead_letter_to_dict(d: DeadLetter) -> dict[str, Any]:
    return {
        "id": d.id,
        "received_at": d.received_at.isoformat(),
        "source": d.source,
        "position": d.position,
        "reason": d.reason,
        "raw": base64.b64encode(d.raw).decode(),
    }


def dead_letter_from_dict(d: Mapping[str, Any]) -> DeadLetter:
    raw = d["raw"]  # base64 text in JSON; an engine with a bytes column gives bytes
    return DeadLetter(
        id=int(d["id"]),
        received_at=datetime.fromisoformat(d["received_at"]),
        source=d["source"],
        position=d.get("position"),
        reason=d["reason"],
        raw=base64.b64decode(raw) if isinstance(raw, str) else bytes(raw),
    )


def audit_row_to_dict(r: AuditRow) -> dict[str, Any]:
    return {
        "seq": r.seq,
        "at": r.at.isoformat(),
        "actor": r.actor,
        "action": r.action,
        "subject": r.subject,
        "detail": r.detail,
        "prev_hash": r.prev_hash,
        "hash": r.hash,
    }


def audit_row_from_dict(d: Mapping[str, Any]) -> AuditRow:
    return AuditRow(
        int(d["seq"]),
        datetime.fromisoformat(d["at"]),
        d["actor"],
        d["action"],
        d["subject"],
        d["detail"],
        d["prev_hash"],
        d["hash"],
    )


def shared_object_to_dict(o: SharedObject) -> dict[str, Any]:
    return {
        "seq": o.seq,
        "collection": o.collection_id,
        "id": o.id,
        "type": o.type,
        "version": o.version,
        "date_added": o.date_added,
        "tlp": o.tlp,
        "doc": o.document,
    }


def shared_object_from_dict(d: Mapping[str, Any]) -> SharedObject:
    return SharedObject(
        collection_id=d["collection"],
        id=d["id"],
        type=d["type"],
        version=d["version"],
        date_added=d["date_added"],
        tlp=d.get("tlp"),
        document=d["doc"],
        seq=int(d["seq"]),
    )

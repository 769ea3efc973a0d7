"""The storage interface every engine implements; domain code sees only this.

An engine provides typed sub-stores. Contract for implementers:

* writes of events are idempotent on ``event.id`` and report how many were new;
* nothing is silently dropped: records that cannot be stored go to ``dead_letters``;
* incidents carry a ``version``; ``save(..., expected_version=n)`` raises ConflictError
  when another writer got there first;
* the audit trail is append-only;
* engine errors are translated into ``core.errors`` categories before they leave.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Protocol

from core.alerts import Alert, AlertStatus
from core.events import DeadLetter, Event

__all__ = [
    "AlertFilter",
    "AlertStore",
    "AuditRow",
    "AuditStore",
    "CheckpointStore",
    "DeadLetterStore",
    "EventStore",
    "IncidentRow",
    "IncidentStore",
    "ScanHit",
    "Store",
]


class ScanHit(Protocol):
    rowid: int
    event: Event
    matched: Sequence[int]  # indexes into the conditions that matched


class EventStore(Protocol):
    def append(self, events: Sequence[Event]) -> int:
        """Store events; returns how many were new (the rest were duplicates)."""

    def get(self, event_id: str) -> Event: ...
    def count(self, *, organization_id: str | None = None) -> int: ...
    def last_position(self) -> int: ...
    def list(self, *, limit: int = 100, offset: int = 0) -> list[Event]: ...
    def scan(
        self,
        conditions: Sequence[str],
        *,
        after: int,
        upto: int,
        prefilter: str | None = None,
    ) -> Iterator[ScanHit]:
        """Events with position in (after, upto] matching any condition (engine syntax)."""


class DeadLetterStore(Protocol):
    def add(self, letters: Sequence[DeadLetter]) -> None: ...
    def list(self, *, limit: int = 100, offset: int = 0) -> list[DeadLetter]: ...
    def get(self, letter_id: int) -> DeadLetter: ...
    def count(self) -> int: ...


class AlertFilter(Protocol):
    organization_id: str | None
    status: AlertStatus | None
    rule_id: str | None


class AlertStore(Protocol):
    def add(self, alerts: Sequence[Alert]) -> int: ...
    def get(self, alert_id: str) -> Alert: ...
    def list(
        self,
        *,
        organization_id: str | None = None,
        status: AlertStatus | None = None,
        group_key: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Alert]: ...
    def count(
        self, *, organization_id: str | None = None, status: AlertStatus | None = None
    ) -> int: ...
    def update_status(
        self,
        alert_ids: Sequence[str],
        *,
        status: AlertStatus,
        reason: str | None,
        incident_id: str | None,
    ) -> int: ...
    def groups(self, *, status: AlertStatus = AlertStatus.NEW) -> list[tuple[str, int]]: ...


class IncidentRow(Protocol):
    id: str
    version: int
    document: str


class IncidentStore(Protocol):
    def insert(self, incident_id: str, organization_id: str, document: str) -> None: ...
    def update(self, incident_id: str, document: str, *, expected_version: int) -> int: ...
    def get(self, incident_id: str) -> tuple[str, int]: ...
    def list(
        self, *, organization_ids: Sequence[str] | None = None, limit: int = 100, offset: int = 0
    ) -> list[tuple[str, int]]: ...


class AuditRow(Protocol):
    seq: int
    at: datetime
    actor: str
    action: str
    subject: str
    detail: str
    prev_hash: str
    hash: str


class AuditStore(Protocol):
    def append(
        self, *, at: datetime, actor: str, action: str, subject: str, detail: str
    ) -> AuditRow: ...
    def rows(self, *, subject: str | None = None) -> Iterator[AuditRow]: ...


class CheckpointStore(Protocol):
    def get(self, key: str) -> int: ...
    def set_many(self, values: dict[str, int]) -> None: ...
    def cache_get(self, key: str) -> str | None: ...
    def cache_put(self, key: str, value: str) -> None: ...


class Store(Protocol):
    engine: str
    events: EventStore
    dead_letters: DeadLetterStore
    alerts: AlertStore
    incidents: IncidentStore
    audit: AuditStore
    checkpoints: CheckpointStore

    def close(self) -> None: ...

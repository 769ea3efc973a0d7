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

import builtins
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from core.alerts import ALL_ALERTS, Alert, AlertGroup, AlertQuery, AlertStatus
from core.assets import Asset, AssetChange, ScanRecord
from core.events import DeadLetter, Event

__all__ = [
    "AccountStore",
    "GENESIS_HASH",
    "audit_hash",
    "AlertStore",
    "AssetStore",
    "AuditRow",
    "AuditStore",
    "CheckpointStore",
    "DeadLetterStore",
    "DrillStore",
    "EventStore",
    "IncidentStore",
    "ScanHit",
    "SharedObject",
    "SharingStore",
    "Store",
    "VersionFilter",
]


class ScanHit(Protocol):
    @property
    def rowid(self) -> int: ...
    @property
    def event(self) -> Event: ...
    @property
    def matched(self) -> Sequence[int]:
        """Indexes into the conditions that matched."""


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
        failed: dict[int, str] | None = None,
    ) -> Iterator[ScanHit]:
        """Events with position in (after, upto] matching any condition (engine syntax).

        A condition the engine refuses raises RuleError; an engine that can tell which one it
        was may instead, when ``failed`` is given, record it there (index -> reason), let it
        match nothing and go on with the others."""


class DeadLetterStore(Protocol):
    def add(self, letters: Sequence[DeadLetter]) -> None: ...
    def list(self, *, limit: int = 100, offset: int = 0) -> list[DeadLetter]: ...
    def get(self, letter_id: int) -> DeadLetter: ...
    def count(self) -> int: ...


class AlertStore(Protocol):
    def add(self, alerts: Sequence[Alert]) -> int: ...
    def get(self, alert_id: str) -> Alert: ...
    def list(
        self, query: AlertQuery = ALL_ALERTS, *, limit: int = 100, offset: int = 0
    ) -> builtins.list[Alert]: ...
    def count(self, query: AlertQuery = ALL_ALERTS) -> int: ...
    def assign(self, alert_ids: Sequence[str], *, assignee: str | None) -> int:
        """Set (or clear) who works the alerts; returns how many exist."""

    def update_status(
        self,
        alert_ids: Sequence[str],
        *,
        status: AlertStatus,
        reason: str | None,
        incident_id: str | None,
    ) -> int: ...
    def groups(self, *, status: AlertStatus = AlertStatus.NEW) -> builtins.list[AlertGroup]:
        """New-alert groups aggregated by the engine (no alert documents loaded)."""


class IncidentStore(Protocol):
    def insert(self, incident_id: str, organization_id: str, document: str) -> None: ...
    def update(self, incident_id: str, document: str, *, expected_version: int) -> int: ...
    def get(self, incident_id: str) -> tuple[str, int]: ...
    def list(
        self, *, organization_ids: Sequence[str] | None = None, limit: int = 100, offset: int = 0
    ) -> builtins.list[tuple[str, int]]: ...


class AuditRow(Protocol):
    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> datetime: ...
    @property
    def actor(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def detail(self) -> str: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...


class AuditStore(Protocol):
    def append(
        self, *, at: datetime, actor: str, action: str, subject: str, detail: str
    ) -> AuditRow: ...
    def rows(self, *, subject: str | None = None, after: int = 0) -> Iterator[AuditRow]:
        """Oldest first; only entries with ``seq > after`` (anchoring reads just the tail)."""

    def page(
        self, *, subject: str | None = None, limit: int = 100, offset: int = 0
    ) -> Sequence[AuditRow]:
        """Newest first, for people reading the trail."""

    def count(self, *, subject: str | None = None) -> int: ...


class CheckpointStore(Protocol):
    def get(self, key: str) -> int: ...
    def set_many(self, values: dict[str, int]) -> None: ...
    def lowest(self, prefix: str) -> int | None:
        """The smallest checkpoint among keys starting with ``prefix``, if any."""

    def cache_get(self, key: str) -> str | None: ...
    def cache_put(self, key: str, value: str) -> None: ...


class AssetStore(Protocol):
    def find(self, address: str) -> Asset | None: ...
    def find_by_host(self, hostname: str) -> Asset | None: ...
    def list(self, *, organization_id: str | None = None) -> builtins.list[Asset]: ...
    def record_scan(
        self, scan: ScanRecord, assets: Sequence[Asset], changes: Sequence[AssetChange]
    ) -> int: ...
    def changes(self, *, limit: int = 100, offset: int = 0) -> builtins.list[AssetChange]: ...
    def scans(self, *, limit: int = 100) -> builtins.list[ScanRecord]: ...
    def last_scan_at(self, target: str) -> datetime | None: ...


class DrillStore(Protocol):
    def put(self, drill_id: str, organization_id: str, document: str) -> None: ...
    def get(self, drill_id: str) -> str: ...
    def list(self, *, organization_ids: Sequence[str] | None = None) -> builtins.list[str]: ...


class AccountStore(Protocol):
    def put_user(self, username: str, document: str) -> None: ...
    def add_user(self, username: str, document: str) -> None: ...
    def get_user(self, username: str) -> str | None: ...
    def update_user(self, username: str, change: Callable[[str], str]) -> str | None:
        """Replace the user's document with ``change(document)`` atomically: no other
        update lands between the read and the write, across threads and processes (the
        lockout counter depends on it). Returns the new document, or None (and does not call
        ``change``) when there is no such user. ``change`` may run more than once when
        writers collide, so it must be a pure function of the document; what it raises
        leaves the document as it was and propagates."""
        ...

    def users(self) -> builtins.list[str]: ...
    def put_token(self, token_id: str, username: str, token_hash: str, document: str) -> None: ...
    def token_by_hash(self, token_hash: str) -> str | None: ...
    def token(self, token_id: str) -> str | None: ...
    def tokens(self, username: str | None = None) -> builtins.list[str]: ...
    def put_session(
        self, session_hash: str, username: str, expires_at: str, document: str
    ) -> None: ...
    def session(self, session_hash: str) -> str | None: ...
    def delete_session(self, session_hash: str) -> None: ...


@dataclass(frozen=True, slots=True)
class SharedObject:
    """One version of one STIX object in one TAXII collection."""

    collection_id: str
    id: str
    type: str
    version: str  # the object's ``modified`` (or ``created``), fixed-width UTC microseconds
    date_added: str  # when this server stored it, same format; strictly increasing
    tlp: str | None  # "clear", "green", "amber", "amber+strict", "red" or None
    document: str  # the object's JSON, as stored
    seq: int = 0  # the engine's order of arrival; pagination cursors are built on it


VersionFilter = Literal["first", "last", "all"] | str


class SharingStore(Protocol):
    """TAXII collections, their add statuses, and the watchlist of partners' indicators."""

    def add_objects(self, objects: Sequence[SharedObject]) -> int:
        """All or nothing; an id + version already present is skipped. Returns how many new."""

    def objects(
        self,
        collection_id: str,
        *,
        added_after: str | None = None,
        ids: Sequence[str] = (),
        types: Sequence[str] = (),
        versions: Sequence[VersionFilter] = ("last",),
        tlps: Sequence[str] | None = None,
        after_seq: int = 0,
        limit: int = 100,
    ) -> builtins.list[SharedObject]:
        """Oldest first from ``after_seq``; ``tlps`` limits marked objects to those levels
        (unmarked objects are always included)."""

    def last_added(self, collection_id: str) -> str | None: ...
    def put_status(self, status_id: str, document: str) -> None: ...
    def status(self, status_id: str) -> str | None: ...
    def put_indicators(self, rows: Sequence[tuple[str, str, str]]) -> builtins.list[str]:
        """(indicator id, partner id, document) rows; a row replaces the entry of the same
        partner only. An indicator belongs to the partner that first sent it: rows naming an
        id another partner holds change nothing, and their ids are returned (atomically with
        the writes, so two partners racing on one id cannot both win)."""

    def indicators(self, *, partner: str | None = None) -> builtins.list[str]: ...


class Store(Protocol):
    @property
    def engine(self) -> str: ...
    @property
    def events(self) -> EventStore: ...
    @property
    def dead_letters(self) -> DeadLetterStore: ...
    @property
    def alerts(self) -> AlertStore: ...
    @property
    def incidents(self) -> IncidentStore: ...
    @property
    def audit(self) -> AuditStore: ...
    @property
    def checkpoints(self) -> CheckpointStore: ...
    @property
    def assets(self) -> AssetStore: ...
    @property
    def drills(self) -> DrillStore: ...
    @property
    def accounts(self) -> AccountStore: ...
    @property
    def sharing(self) -> SharingStore: ...

    def transaction(self) -> AbstractContextManager[None]:
        """The writes of the block commit together (SQLite) or one by one (Elasticsearch,
        which has no multi-document transactions: callers must make re-runs complete)."""
        ...

    def close(self) -> None: ...
    def __enter__(self) -> Store: ...
    def __exit__(self, *exc: object) -> None: ...


GENESIS_HASH = "0" * 64


def audit_hash(prev_hash: str, at: str, actor: str, action: str, subject: str, detail: str) -> str:
    """The chain link every engine computes the same way."""
    payload = json.dumps([prev_hash, at, actor, action, subject, detail], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()

"""The storage interface every engine implements; domain code sees only this.

An engine provides a ``Store`` with typed sub-stores. Each method below documents the
contract an implementation must keep. For every method of every sub-store:

* **Errors** leave as ``core.errors``: a missing record the caller named is NotFoundError,
  a duplicate or stale write ConflictError, and an engine that cannot be used now
  (unreachable, overloaded, locked, disk full) UnavailableError, raised ``from`` the engine's
  error. Anything else is a bug and stays loud. (SQLite: ``sqlite.connection``;
  Elasticsearch: its client module.)
* **Threads**: one store is shared by the threads of a process; methods may be called
  concurrently. Several processes (the server, the CLI) may use one store at once.
* **Idempotency**: records with an identity (events, alerts, dead letters, shared objects)
  are created if absent, never overwritten, so reading an input again adds nothing.
* **Nothing is silently dropped**: input that cannot be stored goes to ``dead_letters``.
* **Records** are returned as the shared types (``core.storage.records``) and stored in the
  shared shapes (``core.storage.codec``): event field values come back as text.
* **Documents** (incidents, drills, accounts, sharing) are JSON strings the domain owns; a
  store keeps them verbatim beside the keys it is given.
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
from core.events import ALL_DEAD_LETTERS, DeadLetter, DeadLetterQuery, Event
from core.sources import SourceActivity
from core.storage.searching import EventSearchStore, SavedSearchStore
from core.trends import AlertDimension, Count, TopField, TrendWindow

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
    "MessageStore",
    "RuleSettingKind",
    "RuleSettingStore",
    "RuleTally",
    "ScanHit",
    "SharedObject",
    "SharingStore",
    "SourceStore",
    "Store",
    "TrendStore",
    "VersionFilter",
]


class ScanHit(Protocol):
    """One event a scan matched (``core.storage.records.ScanHit``)."""

    @property
    def rowid(self) -> int: ...  # the event's position (see EventStore.last_position)
    @property
    def event(self) -> Event: ...
    @property
    def matched(self) -> Sequence[int]:
        """Indexes into the conditions that matched."""


class EventStore(Protocol):
    """Normalized events, each with a position: the order of arrival that detection runs
    are bounded by (a run scans ``(checkpoint, last_position()]``)."""

    def append(self, events: Sequence[Event]) -> int:
        """Store events; returns how many were new (the rest were duplicates).

        Idempotent on ``event_id``, within the batch and against what is stored. Each new
        event gets the next position; positions only grow, are never reused, and become
        visible in the order they were given, so a scan up to ``last_position()`` never
        misses an event that a later position already shows. SQLite stores the batch
        whole or not at all. Elasticsearch may accept a batch into its disk spool while the
        node is away (counted as new; see ``core.storage.spooling``); an engine without a
        spool raises UnavailableError and stores nothing of what it could not write."""

    def get(self, event_id: str) -> Event:
        """The stored event (field values as text). NotFoundError when there is none."""

    def count(self, *, organization_id: str | None = None) -> int:
        """Stored events, of one agency when ``organization_id`` is given."""

    def last_position(self) -> int:
        """The highest position given so far; 0 for an empty store."""

    def list(self, *, limit: int = 100, offset: int = 0) -> list[Event]:
        """A page of events in position order (oldest first)."""

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

        Hits come in position order, each event once, with the indexes of every condition
        it matched. ``prefilter`` (engine syntax) must hold for every hit as well; it lets the
        engine skip most events before evaluating the conditions. Results may be produced
        lazily, so errors can surface while the iterator is consumed.

        A condition the engine refuses raises RuleError; an engine that can tell which one it
        was may instead, when ``failed`` is given, record it there (index -> reason), let it
        match nothing and go on with the others. An engine that cannot be used now raises
        UnavailableError, never RuleError: the runner would take every rule for broken."""


class DeadLetterStore(Protocol):
    """Input that could not be parsed, kept whole with the reason."""

    def add(self, letters: Sequence[DeadLetter]) -> None:
        """Keep every letter, each under a new increasing id. Idempotent on
        ``DeadLetter.key`` (source, position and content): reading an input again adds
        nothing."""

    def list(
        self, *, limit: int = 100, offset: int = 0, query: DeadLetterQuery = ALL_DEAD_LETTERS
    ) -> builtins.list[DeadLetter]:
        """A page of the letters ``query`` selects, oldest first (id order), each with its
        id."""

    def get(self, letter_id: int) -> DeadLetter:
        """NotFoundError when there is no such id."""

    def count(self, query: DeadLetterQuery = ALL_DEAD_LETTERS) -> int: ...

    def set_reason(self, letter_id: int, reason: str) -> None:
        """Replace a letter's reason (a reprocessing failed anew, for another reason); its
        id, key and bytes stay. NotFoundError when there is no such id."""

    def remove(self, letter_ids: Sequence[int]) -> int:
        """Forget letters whose records are now stored as events (each event keeps the
        original); returns how many existed. Unknown ids are skipped."""


class AlertStore(Protocol):
    """Alerts, searchable by the fields of ``AlertQuery``; the alert itself is kept whole."""

    def add(self, alerts: Sequence[Alert]) -> int:
        """Store alerts; returns how many were new. Idempotent on ``Alert.id`` (a rule
        matching an event again adds nothing, and does not reset a triaged alert)."""

    def get(self, alert_id: str) -> Alert:
        """NotFoundError when there is no such alert."""

    def list(
        self, query: AlertQuery = ALL_ALERTS, *, limit: int = 100, offset: int = 0
    ) -> builtins.list[Alert]:
        """A page of the alerts ``query`` selects (see AlertQuery for the time bounds),
        ordered by creation time then id, oldest first unless ``query.newest_first``. Any
        page, however deep, is served."""

    def count(self, query: AlertQuery = ALL_ALERTS) -> int:
        """How many alerts ``query`` selects (its order is irrelevant)."""

    def assign(self, alert_ids: Sequence[str], *, assignee: str | None) -> int:
        """Set (or clear) who works the alerts; returns how many exist. Unknown ids are
        skipped, not errors."""

    def update_status(
        self,
        alert_ids: Sequence[str],
        *,
        status: AlertStatus,
        reason: str | None,
        incident_id: str | None,
    ) -> int:
        """Set status, reason and incident of the alerts (None clears them); returns how
        many exist. Unknown ids are skipped. Searches see the new status afterwards."""

    def groups(self, *, status: AlertStatus = AlertStatus.NEW) -> builtins.list[AlertGroup]:
        """One group per ``group_key`` among the alerts with ``status``, aggregated by the
        engine (no alert documents loaded), ordered by the group's first creation time."""


class IncidentStore(Protocol):
    """Incident documents with a version, for optimistic concurrency."""

    def insert(self, incident_id: str, organization_id: str, document: str) -> None:
        """Store a new incident at version 1. ConflictError when the id exists."""

    def update(self, incident_id: str, document: str, *, expected_version: int) -> int:
        """Replace the document if the stored version is still ``expected_version``, as one
        compare-and-set (two writers cannot both win); returns the new version,
        ``expected_version + 1``. A stale version raises ConflictError
        (``records.stale_version``), leaving the stored document as it was; an unknown id
        raises NotFoundError."""

    def get(self, incident_id: str) -> tuple[str, int]:
        """(document, version). NotFoundError when there is no such incident."""

    def list(
        self, *, organization_ids: Sequence[str] | None = None, limit: int = 100, offset: int = 0
    ) -> builtins.list[tuple[str, int]]:
        """A page of (document, version), highest id first, of the given agencies only
        when ``organization_ids`` is given (an empty sequence selects nothing)."""


class TrendStore(Protocol):
    """Counts of alerts and events over time, aggregated by the engine (no documents
    loaded). Every answer covers ``window`` only (see ``core.trends.TrendWindow``); series
    hold only non-empty buckets, ordered by bucket start, then key."""

    def alert_series(self, window: TrendWindow, by: AlertDimension) -> builtins.list[Count]:
        """Alerts per bucket (Taipei hour or day of the matched event) and per agency code,
        rule id or severity."""

    def event_series(self, window: TrendWindow) -> builtins.list[Count]:
        """Events per bucket (Taipei hour or day of ``@timestamp``) and per agency code."""

    def top_alerts(self, window: TrendWindow, field: TopField, limit: int) -> builtins.list[Count]:
        """The ``limit`` rules (key the id, ``label`` its title) or hosts with the most
        alerts, most first, then by key; alerts without a host are not ranked by host."""


class AuditRow(Protocol):
    """One link of the audit chain (``core.storage.records.AuditRow``)."""

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
    """The hash-chained audit trail: append-only, so that tampering shows."""

    def append(
        self, *, at: datetime, actor: str, action: str, subject: str, detail: str
    ) -> AuditRow:
        """Add the next link and return it: ``seq`` one past the last (1 for the first),
        ``prev_hash`` the last link's hash (GENESIS_HASH for the first) and ``hash`` =
        ``audit_hash(prev_hash, at.isoformat(), actor, action, subject, detail)``. Atomic
        across threads and processes: two writers never extend the same link. Nothing
        updates or deletes a link afterwards (SQLite refuses it in the database)."""

    def rows(self, *, subject: str | None = None, after: int = 0) -> Iterator[AuditRow]:
        """Oldest first; only entries with ``seq > after`` (anchoring reads just the tail)."""

    def page(
        self, *, subject: str | None = None, limit: int = 100, offset: int = 0
    ) -> Sequence[AuditRow]:
        """Newest first, for people reading the trail."""

    def count(self, *, subject: str | None = None) -> int: ...


class CheckpointStore(Protocol):
    """Detection checkpoints (event positions per rule) and a small text cache."""

    def get(self, key: str) -> int:
        """The checkpoint; 0 when it was never set."""

    def set_many(self, values: dict[str, int]) -> None:
        """Set (replace) every given checkpoint."""

    def lowest(self, prefix: str) -> int | None:
        """The smallest checkpoint among keys starting with ``prefix``, if any."""

    def cache_get(self, key: str) -> str | None:
        """The cached value, or None."""

    def cache_put(self, key: str, value: str) -> None:
        """Set (replace) a cached value."""


class AssetStore(Protocol):
    """The scan inventory: assets by address, the scans that saw them, what changed."""

    def find(self, address: str) -> Asset | None: ...
    def find_by_host(self, hostname: str) -> Asset | None:
        """The asset with that host name (case-insensitive) seen most recently, or None."""

    def list(self, *, organization_id: str | None = None) -> builtins.list[Asset]:
        """Every asset (of one agency when given), ordered by agency then address."""

    def record_scan(
        self, scan: ScanRecord, assets: Sequence[Asset], changes: Sequence[AssetChange]
    ) -> int:
        """Store the scan under a new increasing id and return it; upsert the assets by
        address (keeping the first ``first_seen`` and a known host name the new record
        lacks); store the changes with that scan id. SQLite does it in one transaction;
        Elasticsearch writes it in one bulk request, not atomically."""

    def changes(self, *, limit: int = 100, offset: int = 0) -> builtins.list[AssetChange]:
        """A page of changes, newest first."""

    def scans(self, *, limit: int = 100) -> builtins.list[ScanRecord]:
        """The latest scans, newest first, with their ids."""

    def last_scan_at(self, target: str) -> datetime | None:
        """When the latest scan of ``target`` started, or None if it never was."""


class DrillStore(Protocol):
    """Exercise (drill) records as documents (see incidents.drills)."""

    def put(self, drill_id: str, organization_id: str, document: str) -> None:
        """Create or replace the drill: its document and its agency."""

    def get(self, drill_id: str) -> str:
        """NotFoundError when there is no such drill."""

    def list(self, *, organization_ids: Sequence[str] | None = None) -> builtins.list[str]:
        """Every drill (of the given agencies only), in id order."""


class AccountStore(Protocol):
    """Users, API tokens and sessions as documents (see core.accounts); secrets arrive
    already hashed, and a store never sees them in clear."""

    def put_user(self, username: str, document: str) -> None:
        """Create or replace the user's document."""

    def add_user(self, username: str, document: str) -> None:
        """Create the user; ConflictError (location ``username``) when the name is taken,
        atomically, so two creations of one name cannot both succeed."""

    def get_user(self, username: str) -> str | None: ...
    def update_user(self, username: str, change: Callable[[str], str]) -> str | None:
        """Replace the user's document with ``change(document)`` atomically: no other
        update lands between the read and the write, across threads and processes (the
        lockout counter depends on it). Returns the new document, or None (and does not call
        ``change``) when there is no such user. ``change`` may run more than once when
        writers collide, so it must be a pure function of the document; what it raises
        leaves the document as it was and propagates."""
        ...

    def users(self) -> builtins.list[str]:
        """Every user's document, ordered by user name."""

    def put_token(self, token_id: str, username: str, token_hash: str, document: str) -> None:
        """Create or replace a token's document (revoking is a replacement)."""

    def token_by_hash(self, token_hash: str) -> str | None:
        """The token whose secret hashes to ``token_hash``, or None."""

    def token(self, token_id: str) -> str | None: ...
    def tokens(self, username: str | None = None) -> builtins.list[str]:
        """Every token (of one user when given), in token id order."""

    def put_session(self, session_hash: str, username: str, expires_at: str, document: str) -> None:
        """Store a new session under the hash of its secret (``expires_at`` is also in the
        document; an engine may index it)."""

    def session(self, session_hash: str) -> str | None: ...
    def delete_session(self, session_hash: str) -> None:
        """Remove the session; an unknown hash is not an error (logging out twice)."""


class MessageStore(Protocol):
    """The outbox of messages to people: one document per message (``core.messages``)
    beside its status and the time of its next attempt, which the sender queries."""

    def add(
        self,
        message_id: str,
        *,
        status: str,
        created_at: datetime,
        next_attempt_at: datetime | None,
        document: str,
    ) -> bool:
        """Create the message if no message has this id, atomically (two scans finding the
        same cause add one); returns whether it was new. An existing one is left as is."""

    def put(
        self, message_id: str, *, status: str, next_attempt_at: datetime | None, document: str
    ) -> None:
        """Replace an existing message (after an attempt, or a retry). NotFoundError when
        there is no such message."""

    def get(self, message_id: str) -> str:
        """NotFoundError when there is no such message."""

    def due(self, now: datetime, *, limit: int = 100) -> builtins.list[str]:
        """Messages with ``status`` "pending" whose next attempt is at or before ``now``,
        earliest next attempt first (then id)."""

    def list(
        self, *, status: str | None = None, limit: int = 100, offset: int = 0
    ) -> builtins.list[str]:
        """A page of messages (of one status when given), newest first (creation time,
        then id, descending)."""

    def count(self, *, status: str | None = None) -> int: ...


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

    def last_added(self, collection_id: str) -> str | None:
        """The latest ``date_added`` in the collection, or None when it is empty."""

    def put_status(self, status_id: str, document: str) -> None:
        """Create or replace a TAXII add status."""

    def status(self, status_id: str) -> str | None: ...
    def put_indicators(self, rows: Sequence[tuple[str, str, str]]) -> builtins.list[str]:
        """(indicator id, partner id, document) rows; a row replaces the entry of the same
        partner only. An indicator belongs to the partner that first sent it: rows naming an
        id another partner holds change nothing, and their ids are returned (atomically with
        the writes, so two partners racing on one id cannot both win). Rows are taken in
        order: within one batch too, the first partner to name an id owns it."""

    def indicators(self, *, partner: str | None = None) -> builtins.list[str]:
        """Every watchlist document (of one partner when given), in indicator id order."""


RuleSettingKind = Literal["state", "upload", "exception"]


@dataclass(frozen=True, slots=True)
class RuleTally:
    """A rule's alerts created in a period: how many, how many were dismissed as false
    positives, and when the latest was created."""

    rule_id: str
    alerts: int
    dismissed: int
    last_at: datetime | None


class RuleSettingStore(Protocol):
    """Rule management (detections.rule_settings): per-rule documents of a kind ("state":
    enabled or not; "upload": a rule uploaded through the API; "exception": an alert
    exception), the timings of detection runs, and alert tallies per rule."""

    def put(self, kind: RuleSettingKind, key: str, document: str) -> None:
        """Create or replace the document of ``kind`` under ``key``."""

    def get(self, kind: RuleSettingKind, key: str) -> str | None: ...
    def delete(self, kind: RuleSettingKind, key: str) -> bool:
        """Remove the document; whether there was one."""

    def list(self, kind: RuleSettingKind) -> builtins.list[str]:
        """Every document of ``kind``, in key order."""

    def add_run(self, run_id: str, at: datetime, document: str, *, keep: int) -> None:
        """Store one detection run's timings, then keep only the ``keep`` newest runs."""

    def runs(self, *, limit: int = 20) -> builtins.list[str]:
        """The newest runs' documents, newest first (then id, descending)."""

    def tally(self, *, since: datetime, until: datetime) -> builtins.list[RuleTally]:
        """Per rule, the alerts created in ``[since, until)``, counted by the engine (no
        alert documents loaded), in rule id order; rules without alerts are left out."""


class SourceStore(Protocol):
    """Where events come from (``core.sources``), aggregated by the engine: the source
    health view reads it, no event is loaded."""

    def activity(
        self,
        *,
        since: datetime,
        until: datetime,
        organization_ids: Sequence[str] | None = None,
    ) -> builtins.list[SourceActivity]:
        """Every source with stored events (of the given agencies only; an empty sequence
        selects nothing), ordered by agency then source name: its latest event time ever,
        and its events per hour (UTC, keyed by the hour's start) for the hours from the one
        holding ``since`` up to, not including, the one holding ``until`` (hours with none
        left out; SQLite keeps 60 days of hours). Source names are lower case on both
        engines."""

    def dead_letters(self, *, since: datetime, until: datetime) -> dict[str, int]:
        """Dead letters received in ``[since, until)`` by their ``DeadLetter.source`` text."""


class Store(Protocol):
    """One open store: its sub-stores, a transaction scope, and closing. Opened by
    ``core.storage.open_store`` (which raises UnavailableError naming the store when it
    cannot be opened); a context manager that closes it."""

    @property
    def engine(self) -> str:
        """``sqlite`` or ``elasticsearch``: for messages and engine-specific rule syntax."""

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
    @property
    def messages(self) -> MessageStore: ...
    @property
    def trends(self) -> TrendStore: ...
    @property
    def rule_settings(self) -> RuleSettingStore: ...
    @property
    def sources(self) -> SourceStore: ...
    @property
    def event_search(self) -> EventSearchStore: ...
    @property
    def saved_searches(self) -> SavedSearchStore: ...

    def transaction(self) -> AbstractContextManager[None]:
        """The writes of the block commit together (SQLite) or one by one (Elasticsearch,
        which has no multi-document transactions: callers must make re-runs complete)."""
        ...

    def close(self) -> None:
        """Release connections and threads; the store is not used afterwards."""

    def __enter__(self) -> Store: ...
    def __exit__(self, *exc: object) -> None: ...


GENESIS_HASH = "0" * 64


def audit_hash(prev_hash: str, at: str, actor: str, action: str, subject: str, detail: str) -> str:
    """The chain link every engine computes the same way."""
    payload = json.dumps([prev_hash, at, actor, action, subject, detail], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()

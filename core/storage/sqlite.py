"""The embedded engine: one SQLite file in WAL mode, no server needed.

Events keep the fields detections filter on most as indexed columns (channel, event code,
agency, time) and every flattened field in a JSON document that compiled Sigma rules read
with ``json_extract``. Values in that document are stored as text so that a rule's
``LogonType: 3`` matches whether the source sent ``3`` or ``"3"``.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import re
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import orjson

from core.alerts import ALL_ALERTS, Alert, AlertGroup, AlertQuery, AlertStatus, Severity
from core.assets import Asset, AssetChange, ScanRecord
from core.errors import ConflictError, NotFoundError, RuleError, UnavailableError
from core.events import DeadLetter, Event
from core.private_files import create_private, private_dir, tighten
from core.storage.base import GENESIS_HASH, SharedObject, VersionFilter, audit_hash
from core.storage.codec import (
    EVENT_HEADER,
    alert_from_dict,
    alert_to_dict,
    asset_from_dict,
    asset_to_dict,
    audit_row_from_dict,
    change_from_dict,
    change_to_dict,
    dead_letter_from_dict,
    event_from_dict,
    event_header,
    field_document,
    scan_from_dict,
    scan_to_dict,
    shared_object_from_dict,
)
from core.storage.records import AuditRow, ScanHit, stale_version, text
from core.storage.regexp import RegexpGuard
from core.storage.regexp import regexp as _regexp

__all__ = ["SqliteStore"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    pos        INTEGER PRIMARY KEY,
    event_id   TEXT NOT NULL UNIQUE,
    ts         TEXT NOT NULL,
    dataset    TEXT NOT NULL,
    org        TEXT NOT NULL,
    channel    TEXT COLLATE NOCASE,
    event_code INTEGER,
    host       TEXT COLLATE NOCASE,
    original   TEXT NOT NULL,
    doc        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_channel ON events (channel, event_code);
CREATE INDEX IF NOT EXISTS events_org_ts ON events (org, ts);
CREATE TABLE IF NOT EXISTS dead_letters (
    id          INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    source      TEXT NOT NULL,
    position    TEXT,
    reason      TEXT NOT NULL,
    raw         BLOB NOT NULL,
    key         TEXT
);
CREATE TABLE IF NOT EXISTS alerts (
    id         TEXT PRIMARY KEY,
    rule_id    TEXT NOT NULL,
    severity   TEXT NOT NULL,
    org        TEXT NOT NULL,
    host       TEXT,
    created_at TEXT NOT NULL,
    group_key  TEXT NOT NULL,
    status     TEXT NOT NULL,
    incident_id TEXT,
    doc        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_group ON alerts (status, group_key);
CREATE INDEX IF NOT EXISTS alerts_org ON alerts (org, created_at);
-- the alert queue: newest first, whole city or by status, a page at a time
CREATE INDEX IF NOT EXISTS alerts_created ON alerts (created_at, id);
CREATE INDEX IF NOT EXISTS alerts_status_created ON alerts (status, created_at, id);
CREATE TABLE IF NOT EXISTS incidents (
    id       TEXT PRIMARY KEY,
    org      TEXT NOT NULL,
    version  INTEGER NOT NULL,
    doc      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incidents_org ON incidents (org);
CREATE TABLE IF NOT EXISTS audit (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TABLE IF NOT EXISTS assets (
    address    TEXT PRIMARY KEY,
    org        TEXT NOT NULL,
    hostname   TEXT,
    first_seen TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    up         INTEGER NOT NULL,
    core       INTEGER NOT NULL,
    ci         INTEGER NOT NULL,
    ports      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS asset_changes (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    address TEXT NOT NULL,
    org     TEXT NOT NULL,
    kind    TEXT NOT NULL,
    detail  TEXT NOT NULL,
    scan_id INTEGER
);
CREATE TABLE IF NOT EXISTS scans (
    id            INTEGER PRIMARY KEY,
    target        TEXT NOT NULL,
    org           TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    finished_at   TEXT NOT NULL,
    status        TEXT NOT NULL,
    hosts_scanned INTEGER NOT NULL,
    hosts_up      INTEGER NOT NULL,
    open_ports    INTEGER NOT NULL,
    error         TEXT,
    command       TEXT
);
CREATE TABLE IF NOT EXISTS drills (
    id   TEXT PRIMARY KEY,
    org  TEXT NOT NULL,
    doc  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (username TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS api_tokens (
    id       TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    hash     TEXT NOT NULL UNIQUE,
    doc      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    hash       TEXT PRIMARY KEY,
    username   TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    doc        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS taxii_objects (
    seq        INTEGER PRIMARY KEY,
    collection TEXT NOT NULL,
    id         TEXT NOT NULL,
    type       TEXT NOT NULL,
    version    TEXT NOT NULL,
    date_added TEXT NOT NULL,
    tlp        TEXT,
    doc        TEXT NOT NULL,
    UNIQUE (collection, id, version)
);
CREATE INDEX IF NOT EXISTS taxii_objects_added ON taxii_objects (collection, date_added);
CREATE TABLE IF NOT EXISTS taxii_status (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS watchlist (
    id      TEXT PRIMARY KEY,
    partner TEXT NOT NULL,
    doc     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS checkpoints (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

SCAN_WINDOW = 50_000  # event positions per temporary table
SCAN_COLUMNS = 400  # conditions per SELECT, well under SQLite's 2,000-column limit
SCAN_PART = 150  # conditions per parallel part (each part extracts its own fields)
_JSON_FIELD = re.compile(r"""json_extract\(doc, '\$\."((?:[^"\\]|\\.)*)"'\)""")


def _literal_in(pattern: str, condition: str) -> bool:
    """Whether a compiled condition holds ``pattern`` as its REGEXP operand."""
    return f"'{pattern}'" in condition or f"'{pattern.replace(chr(39), chr(39) * 2)}'" in condition


# The event header (core.storage.codec.EVENT_HEADER) -> the column that holds it; the
# fields go to ``doc`` whole (the header is not repeated there).
_HEADER_COLUMNS = {
    "event.id": "event_id",
    "@timestamp": "ts",
    "event.dataset": "dataset",
    "organization.id": "org",
    "event.original": "original",
}
_EVENT_INSERT = (  # the header's columns first, in EVENT_HEADER order (see _event_row)
    "INSERT OR IGNORE INTO events (event_id, ts, dataset, org, original, "
    "channel, event_code, host, doc) VALUES (?,?,?,?,?,?,?,?,?)"
)


def _event_row(event: Event) -> tuple[object, ...]:
    fields = event.fields
    code = fields.get("winlog.event_id")
    try:
        event_code = int(code) if code is not None else None
    except (TypeError, ValueError):
        event_code = None
    header = event_header(event)
    return (
        *(header[f] for f in EVENT_HEADER),
        text(fields.get("winlog.channel")),
        event_code,
        text(fields.get("host.name")),
        orjson.dumps(field_document(fields)).decode(),
    )


def _event_from(row: sqlite3.Row) -> Event:
    header = {f: row[c] for f, c in _HEADER_COLUMNS.items()}
    return event_from_dict(header, fields=orjson.loads(row["doc"]))


class _Part:
    def __init__(self, db: SqliteStore) -> None:
        self._db = db


class SqliteEvents(_Part):
    def append(self, events: Sequence[Event]) -> int:
        rows = [_event_row(e) for e in events]
        with self._db.write() as con:
            before = con.total_changes
            con.executemany(_EVENT_INSERT, rows)
            return con.total_changes - before

    def get(self, event_id: str) -> Event:
        row = self._db.one("SELECT * FROM events WHERE event_id = ?", (event_id,))
        if row is None:
            raise NotFoundError(f"no event {event_id}", location="event")
        return _event_from(row)

    def count(self, *, organization_id: str | None = None) -> int:
        if organization_id is None:
            return int(self._db.one("SELECT count(*) FROM events")[0])
        return int(self._db.one("SELECT count(*) FROM events WHERE org = ?", (organization_id,))[0])

    def last_position(self) -> int:
        return int(self._db.one("SELECT coalesce(max(pos), 0) FROM events")[0])

    def list(self, *, limit: int = 100, offset: int = 0) -> list[Event]:
        rows = self._db.all("SELECT * FROM events ORDER BY pos LIMIT ? OFFSET ?", (limit, offset))
        return [_event_from(r) for r in rows]

    def scan(
        self,
        conditions: Sequence[str],
        *,
        after: int,
        upto: int,
        prefilter: str | None = None,
        failed: dict[int, str] | None = None,
    ) -> Iterator[ScanHit]:
        """Evaluate many rule conditions over (after, upto] in few passes.

        The fields the conditions read are extracted once per row into a temporary table
        (window by window, so memory stays bounded) and up to ``SCAN_COLUMNS`` conditions
        are evaluated per SELECT against plain columns: extracting JSON once per row instead
        of once per rule and row is what makes thousands of rules affordable. Large sets of
        conditions are split across reader threads, one connection each (SQLite releases
        the GIL while it evaluates).

        A condition whose regular expression runs out of time (core.storage.regexp) is
        recorded in ``failed`` with the reason and matches nothing from then on; without
        ``failed`` it raises RuleError. Other SQL errors raise RuleError.
        """
        if not conditions:
            return
        upto = min(upto, self.last_position())  # no empty windows past the last event
        # Many small parts rather than one per worker: rule costs differ a lot, and a queue
        # of small parts keeps every worker busy until the end.
        parts = 1 if self._db.scan_workers == 1 else -(-len(conditions) // SCAN_PART)
        size = -(-len(conditions) // parts)
        chunks = [
            (start, conditions[start : start + size]) for start in range(0, len(conditions), size)
        ]
        for low in range(after, upto, SCAN_WINDOW):
            high = min(low + SCAN_WINDOW, upto)
            hits: dict[int, builtins.list[int]] = {}
            jobs = [
                self._db.pool.submit(self._match, part, offset, low, high, prefilter)
                for offset, part in chunks
            ]
            for job in jobs:
                part_hits, slow = job.result()
                for pos, matched in part_hits.items():
                    hits.setdefault(pos, []).extend(matched)
                if slow:
                    if failed is None:
                        raise RuleError("; ".join(sorted(set(slow.values()))))
                    for index, reason in slow.items():
                        failed.setdefault(index, reason)
            if failed:  # a failed rule reports nothing, not what it matched before timing out
                hits = {p: [i for i in m if i not in failed] for p, m in hits.items()}
                hits = {p: m for p, m in hits.items() if m}
            for pos in sorted(hits):
                found = self._db.one("SELECT * FROM events WHERE pos = ?", (pos,))
                if found is not None:
                    yield ScanHit(rowid=pos, event=_event_from(found), matched=hits[pos])

    def _match(
        self, conditions: Sequence[str], offset: int, low: int, high: int, prefilter: str | None
    ) -> tuple[dict[int, builtins.list[int]], dict[int, str]]:
        """Positions in (low, high] matching any condition -> matched indexes (+ offset),
        and the conditions (+ offset) whose regular expression ran out of time -> why."""
        fields = sorted({m for c in conditions for m in _JSON_FIELD.findall(c)})
        column_of = {f: f"f{i}" for i, f in enumerate(fields)}
        local = [_JSON_FIELD.sub(lambda m: f'"{column_of[m.group(1)]}"', c) for c in conditions]
        extracted = "".join(f', json_extract(doc, \'$."{f}"\') AS "{column_of[f]}"' for f in fields)
        where = "pos > ? AND pos <= ?" + (f" AND ({prefilter})" if prefilter else "")
        con = self._db.reader()
        guard = RegexpGuard()  # this part's REGEXP: bounded, and it remembers what timed out
        con.create_function("REGEXP", 2, guard, deterministic=True)
        hits: dict[int, builtins.list[int]] = {}
        try:
            con.execute("DROP TABLE IF EXISTS temp.scan_rows")
            con.execute(
                "CREATE TEMP TABLE scan_rows AS SELECT pos, channel, event_code, host, org, "  # noqa: S608
                f"dataset, original, ts{extracted} FROM events WHERE {where}",
                (low, high),
            )
            for start in range(0, len(local), SCAN_COLUMNS):
                part = local[start : start + SCAN_COLUMNS]
                columns = ", ".join(f"({c})" for c in part)
                for row in con.execute(f"SELECT pos, {columns} FROM temp.scan_rows"):  # noqa: S608
                    matched = [offset + start + i for i, v in enumerate(row[1:]) if v]
                    if matched:
                        hits.setdefault(row[0], []).extend(matched)
        except sqlite3.Error as exc:
            raise RuleError(f"detection query failed: {exc}") from exc
        finally:
            con.execute("DROP TABLE IF EXISTS temp.scan_rows")
        slow: dict[int, str] = {}
        for pattern, reason in guard.timed_out.items():
            found = [i for i, c in enumerate(conditions) if _literal_in(pattern, c)]
            if not found:
                raise RuleError(reason)  # cannot tell which rule: the runner bisects
            slow.update((offset + i, reason) for i in found)
        return hits, slow


class SqliteDeadLetters(_Part):
    def add(self, letters: Sequence[DeadLetter]) -> None:
        with self._db.write() as con:
            con.executemany(
                # Keyed by source, position and content: reading an input again adds nothing.
                "INSERT OR IGNORE INTO dead_letters "
                "(received_at, source, position, reason, raw, key) VALUES (?,?,?,?,?,?)",
                [
                    (d.received_at.isoformat(), d.source, d.position, d.reason, d.raw, d.key)
                    for d in letters
                ],
            )

    def _from(self, row: sqlite3.Row) -> DeadLetter:
        return dead_letter_from_dict(dict(row))

    def list(self, *, limit: int = 100, offset: int = 0) -> list[DeadLetter]:
        rows = self._db.all(
            "SELECT * FROM dead_letters ORDER BY id LIMIT ? OFFSET ?", (limit, offset)
        )
        return [self._from(r) for r in rows]

    def get(self, letter_id: int) -> DeadLetter:
        row = self._db.one("SELECT * FROM dead_letters WHERE id = ?", (letter_id,))
        if row is None:
            raise NotFoundError(f"no dead letter #{letter_id}", location="dead letter")
        return self._from(row)

    def count(self) -> int:
        return int(self._db.one("SELECT count(*) FROM dead_letters")[0])


def _utc_text(at: datetime) -> str:
    """A whole-second bound in the text form events are stored in (UTC ISO), so that text
    comparison is time comparison: "…T08:00:00" <= "…T08:00:00Z" < "…T08:00:01"."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


# AlertQuery field -> SQL: every field is a column except the assignee, read from the doc.
_ALERT_COLUMNS = {"assignee": "json_extract(doc, '$.assignee')"}
# The keys of core.storage.codec.alert_to_dict that are columns here (the rest is in doc).
_ALERT_ROW = (
    "id",
    "rule_id",
    "severity",
    "org",
    "host",
    "created_at",
    "group_key",
    "status",
    "incident_id",
    "doc",
)


class SqliteAlerts(_Part):
    def add(self, alerts: Sequence[Alert]) -> int:
        rows = [tuple(d[c] for c in _ALERT_ROW) for d in map(alert_to_dict, alerts)]
        with self._db.write() as con:
            before = con.total_changes
            con.executemany(
                f"INSERT OR IGNORE INTO alerts ({', '.join(_ALERT_ROW)}) "  # noqa: S608
                f"VALUES ({','.join('?' * len(_ALERT_ROW))})",
                rows,
            )
            return con.total_changes - before

    def get(self, alert_id: str) -> Alert:
        row = self._db.one("SELECT doc FROM alerts WHERE id = ?", (alert_id,))
        if row is None:
            raise NotFoundError(f"no alert {alert_id}", location="alert")
        return alert_from_dict(dict(row))

    @staticmethod
    def _where(q: AlertQuery) -> tuple[str, list[object]]:
        clauses, params = ["1=1"], list[object]()
        if q.rule_prefix is not None:
            clauses.append("substr(rule_id, 1, ?) = ?")
            params.extend((len(q.rule_prefix), q.rule_prefix))
        for field, value in q.exact().items():
            clauses.append(f"{_ALERT_COLUMNS.get(field, field)} = ?")
            params.append(value)
        # Event times are stored as UTC ISO text, so text order is time order.
        for op, bound in ((">=", q.since), ("<", q.until)):
            if bound is not None:
                clauses.append(f"json_extract(doc, '$.event.timestamp') {op} ?")
                params.append(_utc_text(bound))
        return " AND ".join(clauses), params

    def list(
        self, query: AlertQuery = ALL_ALERTS, *, limit: int = 100, offset: int = 0
    ) -> builtins.list[Alert]:
        where, params = self._where(query)
        order = "created_at DESC, id DESC" if query.newest_first else "created_at, id"
        rows = self._db.all(
            f"SELECT doc FROM alerts WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",  # noqa: S608
            (*params, limit, offset),
        )
        return [alert_from_dict(dict(r)) for r in rows]

    def count(self, query: AlertQuery = ALL_ALERTS) -> int:
        where, params = self._where(query)
        return int(self._db.one(f"SELECT count(*) FROM alerts WHERE {where}", params)[0])  # noqa: S608

    def assign(self, alert_ids: Sequence[str], *, assignee: str | None) -> int:
        return self._rewrite(alert_ids, {"assignee": assignee})

    def _rewrite(self, alert_ids: Sequence[str], update: dict[str, object]) -> int:
        changed = 0
        with self._db.write() as con:
            for alert_id in alert_ids:
                row = con.execute("SELECT doc FROM alerts WHERE id = ?", (alert_id,)).fetchone()
                if row is None:
                    continue
                alert = Alert.model_validate_json(row[0]).model_copy(update=update)
                con.execute(
                    "UPDATE alerts SET status = ?, incident_id = ?, doc = ? WHERE id = ?",
                    (alert.status.value, alert.incident_id, alert.model_dump_json(), alert_id),
                )
                changed += 1
        return changed

    def update_status(
        self,
        alert_ids: Sequence[str],
        *,
        status: AlertStatus,
        reason: str | None,
        incident_id: str | None,
    ) -> int:
        return self._rewrite(
            alert_ids, {"status": status, "status_reason": reason, "incident_id": incident_id}
        )

    def groups(self, *, status: AlertStatus = AlertStatus.NEW) -> builtins.list[AlertGroup]:
        """One row per group key, aggregated in SQL (event times are stored as UTC ISO text,
        so their text order is their time order)."""
        rows = self._db.all(
            "SELECT group_key, count(*), min(rule_id), min(json_extract(doc, '$.rule_title')), "
            "min(severity), min(org), min(host), min(json_extract(doc, '$.event.timestamp')), "
            "max(json_extract(doc, '$.event.timestamp')) FROM alerts WHERE status = ? "
            "GROUP BY group_key ORDER BY min(created_at)",
            (status.value,),
        )
        return [
            AlertGroup(
                key=r[0],
                count=int(r[1]),
                rule_id=r[2],
                rule_title=r[3],
                severity=Severity(r[4]),
                organization_id=r[5],
                host_name=r[6],
                first_at=datetime.fromisoformat(r[7]),
                last_at=datetime.fromisoformat(r[8]),
            )
            for r in rows
        ]


class SqliteIncidents(_Part):
    def insert(self, incident_id: str, organization_id: str, document: str) -> None:
        with self._db.write() as con:
            try:
                con.execute(
                    "INSERT INTO incidents (id, org, version, doc) VALUES (?,?,1,?)",
                    (incident_id, organization_id, document),
                )
            except sqlite3.IntegrityError as exc:
                raise ConflictError(f"incident {incident_id} already exists") from exc

    def update(self, incident_id: str, document: str, *, expected_version: int) -> int:
        with self._db.write() as con:
            cur = con.execute(
                "UPDATE incidents SET doc = ?, version = version + 1 WHERE id = ? AND version = ?",
                (document, incident_id, expected_version),
            )
            if cur.rowcount == 0:
                raise stale_version("incident", incident_id, expected_version)
        return expected_version + 1

    def get(self, incident_id: str) -> tuple[str, int]:
        row = self._db.one("SELECT doc, version FROM incidents WHERE id = ?", (incident_id,))
        if row is None:
            raise NotFoundError(f"no incident {incident_id}", location="incident")
        return str(row[0]), int(row[1])

    def list(
        self, *, organization_ids: Sequence[str] | None = None, limit: int = 100, offset: int = 0
    ) -> builtins.list[tuple[str, int]]:
        if organization_ids is None:
            rows = self._db.all(
                "SELECT doc, version FROM incidents ORDER BY id DESC LIMIT ? OFFSET ?",
                (limit, offset),
            )
        else:
            marks = ",".join("?" * len(organization_ids))
            rows = self._db.all(
                f"SELECT doc, version FROM incidents WHERE org IN ({marks}) "  # noqa: S608
                "ORDER BY id DESC LIMIT ? OFFSET ?",
                (*organization_ids, limit, offset),
            )
        return [(str(r[0]), int(r[1])) for r in rows]


class SqliteAudit(_Part):
    def append(
        self, *, at: datetime, actor: str, action: str, subject: str, detail: str
    ) -> AuditRow:
        with self._db.write() as con:
            last = con.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            prev = last[0] if last else GENESIS_HASH
            at_text = at.isoformat()
            digest = audit_hash(prev, at_text, actor, action, subject, detail)
            cur = con.execute(
                "INSERT INTO audit (at, actor, action, subject, detail, prev_hash, hash) "
                "VALUES (?,?,?,?,?,?,?)",
                (at_text, actor, action, subject, detail, prev, digest),
            )
            seq = int(cur.lastrowid or 0)
        return AuditRow(seq, at, actor, action, subject, detail, prev, digest)

    def rows(self, *, subject: str | None = None, after: int = 0) -> Iterator[AuditRow]:
        if subject is None:
            found = self._db.all("SELECT * FROM audit WHERE seq > ? ORDER BY seq", (after,))
        else:
            found = self._db.all(
                "SELECT * FROM audit WHERE subject = ? AND seq > ? ORDER BY seq", (subject, after)
            )
        return (_audit_row(r) for r in found)

    def page(
        self, *, subject: str | None = None, limit: int = 100, offset: int = 0
    ) -> builtins.list[AuditRow]:
        where, params = ("WHERE subject = ?", [subject]) if subject is not None else ("", [])
        found = self._db.all(
            f"SELECT * FROM audit {where} ORDER BY seq DESC LIMIT ? OFFSET ?",  # noqa: S608
            (*params, limit, offset),
        )
        return [_audit_row(r) for r in found]

    def count(self, *, subject: str | None = None) -> int:
        if subject is None:
            return int(self._db.one("SELECT count(*) FROM audit")[0])
        return int(self._db.one("SELECT count(*) FROM audit WHERE subject = ?", (subject,))[0])


def _audit_row(r: sqlite3.Row) -> AuditRow:
    return audit_row_from_dict(dict(r))


# Columns of assets, scans and asset_changes named otherwise than the codec's keys (these
# tables predate the shared key names) -> the key.
_COLUMN_KEYS = {"org": "organization_id", "core": "core_system", "ci": "critical_infrastructure"}


def _record(row: sqlite3.Row) -> dict[str, object]:
    """A row of assets, scans or asset_changes under the codec's key names."""
    return {_COLUMN_KEYS.get(c, c): row[c] for c in row.keys()}  # noqa: SIM118 - a Row


def _asset_from(row: sqlite3.Row) -> Asset:
    record = _record(row)
    record["ports"] = orjson.loads(row["ports"])
    return asset_from_dict(record)


class SqliteAssets(_Part):
    def find(self, address: str) -> Asset | None:
        row = self._db.one("SELECT * FROM assets WHERE address = ?", (address,))
        return _asset_from(row) if row else None

    def find_by_host(self, hostname: str) -> Asset | None:
        row = self._db.one(
            "SELECT * FROM assets WHERE hostname = ? COLLATE NOCASE ORDER BY last_seen DESC",
            (hostname,),
        )
        return _asset_from(row) if row else None

    def list(self, *, organization_id: str | None = None) -> builtins.list[Asset]:
        if organization_id is None:
            rows = self._db.all("SELECT * FROM assets ORDER BY org, address")
        else:
            rows = self._db.all(
                "SELECT * FROM assets WHERE org = ? ORDER BY address", (organization_id,)
            )
        return [_asset_from(r) for r in rows]

    def record_scan(
        self, scan: ScanRecord, assets: Sequence[Asset], changes: Sequence[AssetChange]
    ) -> int:
        """Store a scan, the assets it saw and the changes, in one transaction."""
        with self._db.write() as con:
            s = scan_to_dict(scan)
            cur = con.execute(
                "INSERT INTO scans (target, org, started_at, finished_at, status, hosts_scanned, "
                "hosts_up, open_ports, error, command) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    s["target"],
                    s["organization_id"],
                    s["started_at"],
                    s["finished_at"],
                    s["status"],
                    s["hosts_scanned"],
                    s["hosts_up"],
                    s["open_ports"],
                    s["error"],
                    s["command"],
                ),
            )
            scan_id = int(cur.lastrowid or 0)
            con.executemany(
                "INSERT INTO assets (address, org, hostname, first_seen, last_seen, up, core, ci, "
                "ports) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(address) DO UPDATE SET "
                "org = excluded.org, hostname = coalesce(excluded.hostname, hostname), "
                "last_seen = excluded.last_seen, up = excluded.up, core = excluded.core, "
                "ci = excluded.ci, ports = excluded.ports",
                [
                    (
                        a["address"],
                        a["organization_id"],
                        a["hostname"],
                        a["first_seen"],
                        a["last_seen"],
                        int(a["up"]),
                        int(a["core_system"]),
                        int(a["critical_infrastructure"]),
                        orjson.dumps(a["ports"]).decode(),
                    )
                    for a in map(asset_to_dict, assets)
                ],
            )
            con.executemany(
                "INSERT INTO asset_changes (at, address, org, kind, detail, scan_id) "
                "VALUES (?,?,?,?,?,?)",
                [
                    (c["at"], c["address"], c["organization_id"], c["kind"], c["detail"], scan_id)
                    for c in map(change_to_dict, changes)
                ],
            )
        return scan_id

    def changes(self, *, limit: int = 100, offset: int = 0) -> builtins.list[AssetChange]:
        rows = self._db.all(
            "SELECT * FROM asset_changes ORDER BY id DESC LIMIT ? OFFSET ?", (limit, offset)
        )
        return [change_from_dict(_record(r)) for r in rows]

    def scans(self, *, limit: int = 100) -> builtins.list[ScanRecord]:
        rows = self._db.all("SELECT * FROM scans ORDER BY id DESC LIMIT ?", (limit,))
        return [scan_from_dict(_record(r)) for r in rows]

    def last_scan_at(self, target: str) -> datetime | None:
        row = self._db.one("SELECT max(started_at) FROM scans WHERE target = ?", (target,))
        return datetime.fromisoformat(row[0]) if row and row[0] else None


class SqliteDrills(_Part):
    """Drill records as documents (see incidents.drills)."""

    def put(self, drill_id: str, organization_id: str, document: str) -> None:
        with self._db.write() as con:
            con.execute(
                "INSERT INTO drills (id, org, doc) VALUES (?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET doc = excluded.doc",
                (drill_id, organization_id, document),
            )

    def get(self, drill_id: str) -> str:
        row = self._db.one("SELECT doc FROM drills WHERE id = ?", (drill_id,))
        if row is None:
            raise NotFoundError(f"no drill {drill_id}", location="drill")
        return str(row[0])

    def list(self, *, organization_ids: Sequence[str] | None = None) -> builtins.list[str]:
        if organization_ids is None:
            rows = self._db.all("SELECT doc FROM drills ORDER BY id")
        else:
            marks = ",".join("?" * len(organization_ids))
            rows = self._db.all(
                f"SELECT doc FROM drills WHERE org IN ({marks}) ORDER BY id",  # noqa: S608
                tuple(organization_ids),
            )
        return [str(r[0]) for r in rows]


class SqliteAccounts(_Part):
    """Users, API tokens and sessions as documents (see core.accounts); secrets are hashes."""

    def put_user(self, username: str, document: str) -> None:
        with self._db.write() as con:
            con.execute(
                "INSERT INTO users (username, doc) VALUES (?, ?) ON CONFLICT(username) "
                "DO UPDATE SET doc = excluded.doc",
                (username, document),
            )

    def add_user(self, username: str, document: str) -> None:
        with self._db.write() as con:
            try:
                con.execute("INSERT INTO users (username, doc) VALUES (?, ?)", (username, document))
            except sqlite3.IntegrityError as exc:
                raise ConflictError(
                    f"user {username!r} already exists", location="username"
                ) from exc

    def get_user(self, username: str) -> str | None:
        row = self._db.one("SELECT doc FROM users WHERE username = ?", (username,))
        return str(row[0]) if row else None

    def update_user(self, username: str, change: Callable[[str], str]) -> str | None:
        # One IMMEDIATE transaction holds the write lock from the read to the write, so
        # neither another thread nor another process (the CLI) can interleave.
        with self._db.write() as con:
            row = con.execute("SELECT doc FROM users WHERE username = ?", (username,)).fetchone()
            if row is None:
                return None
            updated = change(str(row[0]))
            con.execute("UPDATE users SET doc = ? WHERE username = ?", (updated, username))
            return updated

    def users(self) -> builtins.list[str]:
        return [str(r[0]) for r in self._db.all("SELECT doc FROM users ORDER BY username")]

    def put_token(self, token_id: str, username: str, token_hash: str, document: str) -> None:
        with self._db.write() as con:
            con.execute(
                "INSERT INTO api_tokens (id, username, hash, doc) VALUES (?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET doc = excluded.doc",
                (token_id, username, token_hash, document),
            )

    def token_by_hash(self, token_hash: str) -> str | None:
        row = self._db.one("SELECT doc FROM api_tokens WHERE hash = ?", (token_hash,))
        return str(row[0]) if row else None

    def token(self, token_id: str) -> str | None:
        row = self._db.one("SELECT doc FROM api_tokens WHERE id = ?", (token_id,))
        return str(row[0]) if row else None

    def tokens(self, username: str | None = None) -> builtins.list[str]:
        if username is None:
            return [str(r[0]) for r in self._db.all("SELECT doc FROM api_tokens ORDER BY id")]
        return [
            str(r[0])
            for r in self._db.all(
                "SELECT doc FROM api_tokens WHERE username = ? ORDER BY id", (username,)
            )
        ]

    def put_session(self, session_hash: str, username: str, expires_at: str, document: str) -> None:
        with self._db.write() as con:
            con.execute(
                "INSERT INTO sessions (hash, username, expires_at, doc) VALUES (?,?,?,?)",
                (session_hash, username, expires_at, document),
            )

    def session(self, session_hash: str) -> str | None:
        row = self._db.one("SELECT doc FROM sessions WHERE hash = ?", (session_hash,))
        return str(row[0]) if row else None

    def delete_session(self, session_hash: str) -> None:
        with self._db.write() as con:
            con.execute("DELETE FROM sessions WHERE hash = ?", (session_hash,))


class SqliteSharing(_Part):
    """TAXII objects (every version kept), add statuses, and the partner-indicator watchlist."""

    def add_objects(self, objects: Sequence[SharedObject]) -> int:
        with self._db.write() as con:
            before = con.total_changes
            con.executemany(
                "INSERT OR IGNORE INTO taxii_objects "
                "(collection, id, type, version, date_added, tlp, doc) VALUES (?,?,?,?,?,?,?)",
                [
                    (o.collection_id, o.id, o.type, o.version, o.date_added, o.tlp, o.document)
                    for o in objects
                ],
            )
            return con.total_changes - before

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
        where = ["o.collection = ?", "o.seq > ?"]
        params: list[object] = [collection_id, after_seq]
        if tlps is not None:
            where.append(f"(o.tlp IS NULL OR o.tlp IN ({','.join('?' * len(tlps))}))")
            params.extend(tlps)
        if added_after is not None:
            where.append("o.date_added > ?")
            params.append(added_after)
        for column, values in (("id", ids), ("type", types)):
            if values:
                where.append(f"o.{column} IN ({','.join('?' * len(values))})")
                params.extend(values)
        if "all" not in versions:
            pick = []
            for wanted in versions:
                if wanted in ("first", "last"):
                    agg = "min" if wanted == "first" else "max"
                    pick.append(
                        f"o.version = (SELECT {agg}(v.version) FROM taxii_objects v "  # noqa: S608
                        "WHERE v.collection = o.collection AND v.id = o.id)"
                    )
                else:
                    pick.append("o.version = ?")
                    params.append(wanted)
            where.append("(" + " OR ".join(pick or ["0"]) + ")")
        params.append(limit)
        rows = self._db.all(
            "SELECT seq, collection, id, type, version, date_added, tlp, doc "  # noqa: S608
            f"FROM taxii_objects o WHERE {' AND '.join(where)} ORDER BY o.seq LIMIT ?",
            params,
        )
        return [shared_object_from_dict(dict(r)) for r in rows]

    def last_added(self, collection_id: str) -> str | None:
        row = self._db.one(
            "SELECT max(date_added) FROM taxii_objects WHERE collection = ?", (collection_id,)
        )
        return str(row[0]) if row and row[0] else None

    def put_status(self, status_id: str, document: str) -> None:
        with self._db.write() as con:
            con.execute(
                "INSERT INTO taxii_status (id, doc) VALUES (?, ?) "
                "ON CONFLICT(id) DO UPDATE SET doc = excluded.doc",
                (status_id, document),
            )

    def status(self, status_id: str) -> str | None:
        row = self._db.one("SELECT doc FROM taxii_status WHERE id = ?", (status_id,))
        return str(row[0]) if row else None

    def put_indicators(self, rows: Sequence[tuple[str, str, str]]) -> builtins.list[str]:
        refused: builtins.list[str] = []
        with self._db.write() as con:  # the owners read and the writes are one transaction
            for indicator_id, partner, document in rows:
                owner = con.execute(
                    "SELECT partner FROM watchlist WHERE id = ?", (indicator_id,)
                ).fetchone()
                if owner is not None and owner[0] != partner:
                    refused.append(indicator_id)
                    continue
                con.execute(
                    "INSERT INTO watchlist (id, partner, doc) VALUES (?,?,?) "
                    "ON CONFLICT(id) DO UPDATE SET doc = excluded.doc "
                    "WHERE watchlist.partner = excluded.partner",
                    (indicator_id, partner, document),
                )
        return refused

    def indicators(self, *, partner: str | None = None) -> builtins.list[str]:
        if partner is None:
            rows = self._db.all("SELECT doc FROM watchlist ORDER BY id")
        else:
            rows = self._db.all(
                "SELECT doc FROM watchlist WHERE partner = ? ORDER BY id", (partner,)
            )
        return [str(r[0]) for r in rows]


class SqliteCheckpoints(_Part):
    def get(self, key: str) -> int:
        row = self._db.one("SELECT value FROM checkpoints WHERE key = ?", (key,))
        return int(row[0]) if row else 0

    def set_many(self, values: dict[str, int]) -> None:
        with self._db.write() as con:
            con.executemany(
                "INSERT INTO checkpoints (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                list(values.items()),
            )

    def lowest(self, prefix: str) -> int | None:
        row = self._db.one(
            "SELECT min(value) FROM checkpoints WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)
        )
        return int(row[0]) if row and row[0] is not None else None

    def cache_get(self, key: str) -> str | None:
        row = self._db.one("SELECT value FROM cache WHERE key = ?", (key,))
        return str(row[0]) if row else None

    def cache_put(self, key: str, value: str) -> None:
        with self._db.write() as con:
            con.execute(
                "INSERT INTO cache (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


def _add_dead_letter_key(con: sqlite3.Connection) -> None:
    """Stores made before dead letters had a key get the column (old rows keep none)."""
    columns = {row[1] for row in con.execute("PRAGMA table_info(dead_letters)")}
    if "key" not in columns:
        con.execute("ALTER TABLE dead_letters ADD COLUMN key TEXT")
    con.execute("CREATE UNIQUE INDEX IF NOT EXISTS dead_letters_key ON dead_letters (key)")


class _Tx:
    """A write transaction, or a read under the store's lock. A write inside another write
    of the same thread joins it (``SqliteStore.transaction``): one COMMIT for all."""

    def __init__(self, store: SqliteStore, write: bool) -> None:
        self._store, self._write = store, write
        self._began = False

    def __enter__(self) -> sqlite3.Connection:
        self._store._lock.acquire()
        try:
            if self._write and not self._store._con.in_transaction:
                self._store._con.execute("BEGIN IMMEDIATE")
                self._began = True
        except BaseException:
            self._store._lock.release()
            raise
        return self._store._con

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        con = self._store._con
        try:
            if not self._began:
                return
            if exc_type is None:
                try:
                    con.execute("COMMIT")
                except sqlite3.Error as failed:
                    _rollback(con)
                    translated = _full_disk_error(self._store.path, failed)
                    if translated is None:
                        raise
                    raise translated from failed
                return
            # SQLite may have rolled back already (a full disk does): a second ROLLBACK
            # would fail and hide the cause.
            _rollback(con)
            if isinstance(exc, sqlite3.Error):
                translated = _full_disk_error(self._store.path, exc)
                if translated is not None:
                    raise translated from exc
        finally:
            self._store._lock.release()


def _rollback(con: sqlite3.Connection) -> None:
    if con.in_transaction:
        with contextlib.suppress(sqlite3.Error):  # the error being handled says why
            con.execute("ROLLBACK")


def _disk_full(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or (
        "disk is full" in str(exc)
    )


def _full_disk_error(path: Path, exc: sqlite3.Error) -> UnavailableError | None:
    """A full disk, said so a person can act on it (with the free space); else None."""
    if not _disk_full(exc):
        return None
    try:
        free = f"{shutil.disk_usage(path.parent).free:,} bytes free"
    except OSError:
        free = "free space unknown"
    return UnavailableError(
        f"the store's disk is full: {path} could not be written ({free}); free space on that "
        "file system, then retry. nothing was lost: the write was rolled back whole and can "
        "be repeated (ingesting the same records again stores each event once)",
        location="store",
    )


class SqliteStore:
    """One SQLite file. Safe to share between threads (calls are serialized)."""

    engine = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            # 0600 before SQLite creates it 0644: the WAL and SHM copy the database's mode.
            private_dir(path.parent)
            create_private(path)
            for companion in ("-wal", "-shm", "-journal"):
                tighten(Path(f"{path}{companion}"))
            self._con = sqlite3.connect(
                path, check_same_thread=False, isolation_level=None, timeout=30
            )
            self._con.row_factory = sqlite3.Row
            self._con.create_function("REGEXP", 2, _regexp, deterministic=True)
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA synchronous=NORMAL")
            self._con.execute("PRAGMA foreign_keys=ON")
            self._con.executescript(SCHEMA)
            _add_dead_letter_key(self._con)
        except (OSError, sqlite3.Error) as exc:
            raise UnavailableError(
                f"cannot open the SQLite store at {path}: {exc}; check the path and permissions",
                location="store",
            ) from exc
        self._lock = threading.RLock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self.scan_workers = max(1, min(4, os.cpu_count() or 1))
        self.pool = ThreadPoolExecutor(self.scan_workers, thread_name_prefix="citysoc-scan")
        self.events = SqliteEvents(self)
        self.dead_letters = SqliteDeadLetters(self)
        self.alerts = SqliteAlerts(self)
        self.incidents = SqliteIncidents(self)
        self.audit = SqliteAudit(self)
        self.checkpoints = SqliteCheckpoints(self)
        self.assets = SqliteAssets(self)
        self.drills = SqliteDrills(self)
        self.accounts = SqliteAccounts(self)
        self.sharing = SqliteSharing(self)

    def reader(self) -> sqlite3.Connection:
        """This thread's own read connection (for detection scans in the worker pool)."""
        con: sqlite3.Connection | None = getattr(self._local, "reader", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            con.create_function("REGEXP", 2, _regexp, deterministic=True)
            self._local.reader = con
            with self._lock:
                self._readers.append(con)
        return con

    def write(self) -> _Tx:
        return _Tx(self, write=True)

    def read(self) -> _Tx:
        return _Tx(self, write=False)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Every write of this thread inside the block commits together, or none does."""
        with self.write():
            yield

    def one(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Row:
        with self.read() as con:
            row: sqlite3.Row = con.execute(sql, params).fetchone()
            return row

    def all(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self.read() as con:
            return con.execute(sql, params).fetchall()

    def execute_raw(self, sql: str, params: Sequence[object] = ()) -> None:
        """For maintenance and tests that must bypass the interface (e.g. tamper tests)."""
        with self._lock:
            self._con.execute(sql, params)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        with self._lock:
            for reader in self._readers:
                reader.close()
            self._con.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

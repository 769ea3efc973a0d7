"""The tables as DDL, and the migrations of stores made by earlier versions."""

from __future__ import annotations

import sqlite3

from core.storage.sqlite.columns import TS_MILLIS

__all__ = ["SCHEMA", "create_schema"]


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
CREATE TABLE IF NOT EXISTS messages (
    id              TEXT PRIMARY KEY,
    status          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    next_attempt_at TEXT,
    doc             TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_due ON messages (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS messages_created ON messages (created_at, id);
-- source health (sqlite/sources.py): each source's events per hour and last event, kept up
-- to date from the events past the "sources:position" checkpoint
CREATE TABLE IF NOT EXISTS source_hours (
    org    TEXT NOT NULL,
    source TEXT NOT NULL,
    hour   TEXT NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (org, source, hour)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS source_last (
    org    TEXT NOT NULL,
    source TEXT NOT NULL,
    last   TEXT NOT NULL,
    PRIMARY KEY (org, source)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS saved_searches (
    id     TEXT PRIMARY KEY,
    owner  TEXT NOT NULL,
    shared INTEGER NOT NULL,
    doc    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rule_settings (
    kind TEXT NOT NULL,
    key  TEXT NOT NULL,
    doc  TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE TABLE IF NOT EXISTS rule_runs (id TEXT PRIMARY KEY, at TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS rule_runs_at ON rule_runs (at, id);
-- rule tallies (alerts per rule over a period) read this index only, never the docs
CREATE INDEX IF NOT EXISTS alerts_rule_tally ON alerts (created_at, rule_id, status);
"""


def _add_dead_letter_key(con: sqlite3.Connection) -> None:
    """Stores made before dead letters had a key get the column (old rows keep none)."""
    columns = {row[1] for row in con.execute("PRAGMA table_info(dead_letters)")}
    if "key" not in columns:
        con.execute("ALTER TABLE dead_letters ADD COLUMN key TEXT")
    con.execute("CREATE UNIQUE INDEX IF NOT EXISTS dead_letters_key ON dead_letters (key)")


def create_schema(con: sqlite3.Connection) -> None:
    """Create what is missing and bring an older store up to date (idempotent)."""
    con.executescript(SCHEMA)
    _add_dead_letter_key(con)
    # event search: a time range newest first (an older store gets it on first open)
    con.execute(f"CREATE INDEX IF NOT EXISTS events_millis ON events ({TS_MILLIS}, event_id)")

"""The SQLite column <-> event field contract, which compiled rules rely on.

An event's most-filtered fields have columns of their own (COLUMN_FIELDS: indexed, and read
without parsing JSON); every field, as text, is also in the ``doc`` JSON column, which rules
read with ``json_extract(doc, '$."<field>"')`` (``field_sql``). The engine writes rows with
``event_row`` and the detection scan recognises the extracts with JSON_FIELD; the Sigma
backend (``detections.sqlite_backend``) compiles field references with ``field_sql``.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime

import orjson

from core.events import Event
from core.storage.codec import EVENT_HEADER, event_from_dict, event_header, field_document
from core.storage.records import text

__all__ = [
    "COLUMN_FIELDS",
    "TS_MILLIS",
    "EVENT_INSERT",
    "JSON_FIELD",
    "event_from_row",
    "event_row",
    "field_sql",
    "json_field_sql",
    "millis_text",
    "record_of",
]

# Event field -> the column that holds it.
COLUMN_FIELDS = {
    "winlog.channel": "channel",
    "winlog.event_id": "event_code",
    "host.name": "host",
    "organization.id": "org",
    "event.dataset": "dataset",
    "event.original": "original",
    "@timestamp": "ts",
}


def field_sql(field: str) -> str:
    """The SQL expression for a field: its column, or its value in the ``doc`` column."""
    column = COLUMN_FIELDS.get(field)
    return column if column is not None else json_field_sql(field)


def json_field_sql(field: str) -> str:
    """The field's value in the ``doc`` column (for a column field too: its text as sent)."""
    path = field.replace("\\", "\\\\").replace('"', '\\"').replace("'", "''")
    return f"json_extract(doc, '$.\"{path}\"')"


# An event's time to the millisecond, as text that sorts in time order: the order event
# search gives on both engines (Elasticsearch indexes @timestamp to the millisecond).
# Stored times are isoformat of aware UTC, with or without microseconds:
# "2026-03-02T01:00:00.123456+00:00" -> "2026-03-02T01:00:00.123". An index on exactly
# this expression (core.storage.sqlite.schema) serves the time range and the order at once.
TS_MILLIS = (
    "(CASE WHEN substr(ts, 20, 1) = '.' THEN substr(ts, 1, 23) "
    "ELSE substr(ts, 1, 19) || '.000' END)"
)


def millis_text(at: datetime) -> str:
    """``TS_MILLIS`` of a time (floored to the millisecond)."""
    utc = at.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}"


# What field_sql writes for a field without a column (group 1: the escaped field name).
JSON_FIELD = re.compile(r"""json_extract\(doc, '\$\."((?:[^"\\]|\\.)*)"'\)""")


# The event header (core.storage.codec.EVENT_HEADER) -> the column that holds it; the
# fields go to ``doc`` whole (the header is not repeated there).
# event.id has a column too, but no rule filters on it, so it is not in COLUMN_FIELDS.
HEADER_COLUMNS = {f: "event_id" if f == "event.id" else COLUMN_FIELDS[f] for f in EVENT_HEADER}
EVENT_INSERT = (  # the header's columns first, in EVENT_HEADER order (see event_row)
    "INSERT OR IGNORE INTO events (event_id, ts, dataset, org, original, "
    "channel, event_code, host, doc) VALUES (?,?,?,?,?,?,?,?,?)"
)


def event_row(event: Event) -> tuple[object, ...]:
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


def event_from_row(row: sqlite3.Row) -> Event:
    header = {f: row[c] for f, c in HEADER_COLUMNS.items()}
    return event_from_dict(header, fields=orjson.loads(row["doc"]))


# Columns of assets, scans and asset_changes named otherwise than the codec's keys (these
# tables predate the shared key names) -> the key.
COLUMN_KEYS = {"org": "organization_id", "core": "core_system", "ci": "critical_infrastructure"}


def record_of(row: sqlite3.Row) -> dict[str, object]:
    """A row of assets, scans or asset_changes under the codec's key names."""
    return {COLUMN_KEYS.get(c, c): row[c] for c in row.keys()}  # noqa: SIM118 - a Row

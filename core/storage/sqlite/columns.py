"""The SQLite column <-> event field contract."""

from __future__ import annotations

import re
import sqlite3

import orjson

from core.events import Event
from core.storage.codec import (
    EVENT_HEADER,
    event_from_dict,
    event_header,
    field_document,
)
from core.storage.records import text

__all__ = ["EVENT_INSERT", "JSON_FIELD", "event_from_row", "event_row", "record_of"]


JSON_FIELD = re.compile(r"""json_extract\(doc, '\$\."((?:[^"\\]|\\.)*)"'\)""")


# The event header (core.storage.codec.EVENT_HEADER) -> the column that holds it; the
# fields go to ``doc`` whole (the header is not repeated there).
HEADER_COLUMNS = {
    "event.id": "event_id",
    "@timestamp": "ts",
    "event.dataset": "dataset",
    "organization.id": "org",
    "event.original": "original",
}
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

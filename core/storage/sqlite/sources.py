"""Sources: each source's last event and its events per hour, and dead letters per source
text (see core.sources for how a source is named).

Naming an event's source reads its JSON document, which costs seconds per hundred thousand
events, too much for a page or a metrics scrape. So the counts are kept in two small tables
(``source_hours``, ``source_last``; schema.py) and brought up to date from the events past
the ``sources:position`` checkpoint at each read, a window of positions per write
transaction (readers of an old store catch up once; afterwards only new events are read).
Hours older than ``KEEP_HOURS`` before the newest are dropped.
"""

from __future__ import annotations

import builtins
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from core.sources import SOURCE_FIELDS, SourceActivity
from core.storage.sqlite.columns import field_sql
from core.storage.sqlite.connection import SubStore

__all__ = ["SOURCE_SQL", "SqliteSources"]

CHECKPOINT = "sources:position"
WINDOW = 50_000  # event positions per catch-up transaction (the write lock is held that long)
KEEP_HOURS = timedelta(days=60)


def _source_sql() -> str:
    """The source name of an event row: the first field present of SOURCE_FIELDS."""
    cases = " ".join(
        f"WHEN {field_sql(name)} IS NOT NULL THEN '{kind}:' || lower({field_sql(name)})"
        for name, kind in SOURCE_FIELDS
    )
    return f"CASE {cases} END"


# Only the fixed source expression and placeholders are joined into the SQL below.
SOURCE_SQL = _source_sql()  # also the benchmark's baseline
_NEW = f"SELECT org, {SOURCE_SQL} AS source, ts FROM events WHERE pos > ? AND pos <= ?"  # noqa: S608
_ADD_HOURS = (
    "INSERT INTO source_hours (org, source, hour, n) "  # noqa: S608
    f"SELECT org, source, substr(ts, 1, 13), count(*) FROM ({_NEW}) WHERE true "
    "GROUP BY 1, 2, 3 ON CONFLICT (org, source, hour) DO UPDATE SET n = n + excluded.n"
)
_ADD_LAST = (
    "INSERT INTO source_last (org, source, last) "  # noqa: S608
    f"SELECT org, source, max(ts) FROM ({_NEW}) WHERE true "
    "GROUP BY 1, 2 ON CONFLICT (org, source) DO UPDATE SET last = max(last, excluded.last)"
)


class SqliteSources(SubStore):
    def activity(
        self,
        *,
        since: datetime,
        until: datetime,
        organization_ids: Sequence[str] | None = None,
    ) -> builtins.list[SourceActivity]:
        if organization_ids is not None and not organization_ids:
            return []
        self._catch_up()
        where, params = "", list[object]()
        if organization_ids is not None:
            where = f"WHERE org IN ({','.join('?' * len(organization_ids))})"
            params = list(organization_ids)
        last = self._db.all(
            f"SELECT org, source, last FROM source_last {where} ORDER BY org, source",  # noqa: S608
            params,
        )
        hours = self._db.all(
            f"SELECT org, source, hour, n FROM source_hours {where or 'WHERE true'} "  # noqa: S608
            "AND hour >= ? AND hour < ?",
            [*params, _hour(since), _hour(until)],
        )
        hourly: dict[tuple[str, str], dict[datetime, int]] = {}
        for row in hours:
            at = datetime.fromisoformat(f"{row['hour']}:00:00+00:00")
            hourly.setdefault((row["org"], row["source"]), {})[at] = int(row["n"])
        return [
            SourceActivity(
                organization_id=row["org"],
                source=row["source"],
                last_seen=datetime.fromisoformat(row["last"]).astimezone(UTC),
                hourly=hourly.get((row["org"], row["source"]), {}),
            )
            for row in last
        ]

    def _catch_up(self) -> None:
        """Count the events stored since the last read into the tables, a window at a time;
        each window and its checkpoint commit together, so two readers never count one
        event twice (the second waits for the write lock and finds the checkpoint moved)."""
        while True:
            with self._db.write() as con:
                done = _checkpoint(con)
                top = int(con.execute("SELECT coalesce(max(pos), 0) FROM events").fetchone()[0])
                if done >= top:
                    return
                upto = min(top, done + WINDOW)
                con.execute(_ADD_HOURS, (done, upto))
                con.execute(_ADD_LAST, (done, upto))
                con.execute(
                    "INSERT INTO checkpoints (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (CHECKPOINT, upto),
                )
                newest = con.execute("SELECT max(hour) FROM source_hours").fetchone()[0]
                if newest:
                    oldest = datetime.fromisoformat(f"{newest}:00:00+00:00") - KEEP_HOURS
                    con.execute("DELETE FROM source_hours WHERE hour < ?", (_hour(oldest),))

    def dead_letters(self, *, since: datetime, until: datetime) -> dict[str, int]:
        rows = self._db.all(
            "SELECT source, count(*) AS n FROM dead_letters "
            "WHERE received_at >= ? AND received_at < ? GROUP BY source",
            (_stamp(since), _stamp(until)),
        )
        return {row["source"]: int(row["n"]) for row in rows}


def _checkpoint(con: sqlite3.Connection) -> int:
    row = con.execute("SELECT value FROM checkpoints WHERE key = ?", (CHECKPOINT,)).fetchone()
    return int(row[0]) if row else 0


def _hour(at: datetime) -> str:
    """The hour holding ``at`` as ``source_hours`` keys it (``2026-03-02T08``, UTC)."""
    return at.astimezone(UTC).isoformat()[:13]


def _stamp(at: datetime) -> str:
    """As stored: ISO 8601 in UTC (receive times)."""
    return at.astimezone(UTC).isoformat()

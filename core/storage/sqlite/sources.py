"""Sources: each source's last event and its events per hour, and dead letters per source
text, aggregated in SQL (no event is loaded; see core.sources for how a source is named)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import UTC, datetime

from core.sources import SOURCE_FIELDS, SourceActivity
from core.storage.sqlite.columns import field_sql
from core.storage.sqlite.connection import SubStore

__all__ = ["SqliteSources"]


def _source_sql() -> str:
    """The source name of an event row: the first field present of SOURCE_FIELDS."""
    cases = " ".join(
        f"WHEN {field_sql(name)} IS NOT NULL THEN '{kind}:' || lower({field_sql(name)})"
        for name, kind in SOURCE_FIELDS
    )
    return f"CASE {cases} END"


_SOURCE = _source_sql()


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
        # Only placeholders and the fixed source expression are joined into the SQL.
        where, params = "", list[object]()
        if organization_ids is not None:
            where = f"WHERE org IN ({','.join('?' * len(organization_ids))})"
            params = list(organization_ids)
        rows = f"SELECT org, {_SOURCE} AS source, ts FROM events {where}"  # noqa: S608
        last = self._db.all(
            f"SELECT org, source, max(ts) AS last FROM ({rows}) "  # noqa: S608
            "GROUP BY org, source ORDER BY org, source",
            params,
        )
        hours = self._db.all(
            f"SELECT org, source, substr(ts, 1, 13) AS hour, count(*) AS n FROM ({rows}) "  # noqa: S608
            "WHERE ts >= ? AND ts < ? GROUP BY org, source, hour",
            [*params, _stamp(since), _stamp(until)],
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

    def dead_letters(self, *, since: datetime, until: datetime) -> dict[str, int]:
        rows = self._db.all(
            "SELECT source, count(*) AS n FROM dead_letters "
            "WHERE received_at >= ? AND received_at < ? GROUP BY source",
            (_stamp(since), _stamp(until)),
        )
        return {row["source"]: int(row["n"]) for row in rows}


def _stamp(at: datetime) -> str:
    """As stored: ISO 8601 in UTC (event times and receive times alike)."""
    return at.astimezone(UTC).isoformat()

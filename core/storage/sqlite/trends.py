"""Trends: alerts and events counted per Taipei hour or day with GROUP BY, in SQL.

Times are stored as UTC ISO text (events' ``ts``, an alert's matched event time in its
document), so a text comparison bounds them and ``strftime(..., '+8 hours')`` names the
Taipei bucket each falls in."""

from __future__ import annotations

import builtins
from datetime import UTC, datetime

from core.clock import TAIPEI
from core.storage.sqlite.alerts import utc_text
from core.storage.sqlite.connection import SubStore
from core.trends import AlertDimension, Bucket, Count, TopField, TrendWindow

__all__ = ["SqliteTrends"]

_ALERT_TIME = "json_extract(doc, '$.event.timestamp')"
_BUCKET_FORMAT = {Bucket.HOUR: "%Y-%m-%dT%H:00:00", Bucket.DAY: "%Y-%m-%dT00:00:00"}
_ALERT_KEY = {
    AlertDimension.AGENCY: "org",
    AlertDimension.RULE: "rule_id",
    AlertDimension.SEVERITY: "severity",
}


def _bucket(column: str, bucket: Bucket) -> str:
    return f"strftime('{_BUCKET_FORMAT[bucket]}', {column}, '+8 hours')"


def _where(window: TrendWindow, time: str, org: str) -> tuple[str, list[object]]:
    clauses = [f"{time} >= ?", f"{time} < ?"]
    params: list[object] = [utc_text(window.since), utc_text(window.until)]
    if window.organization_ids is not None:
        clauses.append(f"{org} IN ({','.join('?' * len(window.organization_ids))})")
        params.extend(window.organization_ids)
    return " AND ".join(clauses), params


def _start(local: str) -> datetime:
    """A bucket named in Taipei local time, as its UTC start."""
    return datetime.fromisoformat(local).replace(tzinfo=TAIPEI).astimezone(UTC)


class SqliteTrends(SubStore):
    def alert_series(self, window: TrendWindow, by: AlertDimension) -> builtins.list[Count]:
        where, params = _where(window, _ALERT_TIME, "org")
        bucket, key = _bucket(_ALERT_TIME, window.bucket), _ALERT_KEY[by]
        rows = self._db.all(
            f"SELECT {bucket} AS b, {key}, count(*) FROM alerts WHERE {where} "  # noqa: S608
            f"GROUP BY b, {key} ORDER BY b, {key}",
            params,
        )
        return [Count(key=str(r[1]), count=int(r[2]), at=_start(r[0])) for r in rows]

    def event_series(self, window: TrendWindow) -> builtins.list[Count]:
        where, params = _where(window, "ts", "org")
        bucket = _bucket("ts", window.bucket)
        rows = self._db.all(
            f"SELECT {bucket} AS b, org, count(*) FROM events WHERE {where} "  # noqa: S608
            "GROUP BY b, org ORDER BY b, org",
            params,
        )
        return [Count(key=str(r[1]), count=int(r[2]), at=_start(r[0])) for r in rows]

    def top_alerts(self, window: TrendWindow, field: TopField, limit: int) -> builtins.list[Count]:
        where, params = _where(window, _ALERT_TIME, "org")
        if field is TopField.RULE:
            select = "rule_id, count(*), min(json_extract(doc, '$.rule_title'))"
            group = "rule_id"
        else:
            select, group = "host, count(*), NULL", "host"
            where += " AND host IS NOT NULL"
        rows = self._db.all(
            f"SELECT {select} FROM alerts WHERE {where} "  # noqa: S608
            f"GROUP BY {group} ORDER BY count(*) DESC, {group} LIMIT ?",
            (*params, limit),
        )
        return [Count(key=str(r[0]), count=int(r[1]), label=r[2]) for r in rows]

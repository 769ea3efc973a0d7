"""Alerts: the searchable fields as columns, the whole alert as a JSON document."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import UTC, datetime

from core.alerts import ALL_ALERTS, Alert, AlertGroup, AlertQuery, AlertStatus, Severity
from core.errors import NotFoundError
from core.storage.codec import (
    alert_from_dict,
    alert_to_dict,
)
from core.storage.sqlite.connection import SubStore

__all__ = ["SqliteAlerts"]


def utc_text(at: datetime) -> str:
    """A whole-second bound in the text form events are stored in (UTC ISO), so that text
    comparison is time comparison: "…T08:00:00" <= "…T08:00:00Z" < "…T08:00:01"."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


# AlertQuery field -> SQL: every field is a column except these, read from the doc.
_ALERT_COLUMNS = {
    "assignee": "json_extract(doc, '$.assignee')",
    "event_id": "json_extract(doc, '$.event.event_id')",
}
# What a person types matches part of these, case-insensitively. instr() takes the text
# literally, so "%" or "_" in it are characters (LIKE would read them as wildcards).
_CONTAINS = "instr(lower({column}), lower(?)) > 0"
_RULE_TEXT = " OR ".join(
    _CONTAINS.format(column=c) for c in ("rule_id", "json_extract(doc, '$.rule_title')")
)
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


class SqliteAlerts(SubStore):
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
        if q.host_contains is not None:
            clauses.append(_CONTAINS.format(column="host"))
            params.append(q.host_contains)
        if q.rule_contains is not None:
            clauses.append(f"({_RULE_TEXT})")
            params.extend((q.rule_contains, q.rule_contains))
        # Event times are stored as UTC ISO text, so text order is time order.
        for op, bound in ((">=", q.since), ("<", q.until)):
            if bound is not None:
                clauses.append(f"json_extract(doc, '$.event.timestamp') {op} ?")
                params.append(utc_text(bound))
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

"""Rule management: per-rule documents by kind, detection run timings, alert tallies."""

from __future__ import annotations

import builtins
from datetime import UTC, datetime

from core.alerts import AlertStatus
from core.storage.base import RuleSettingKind, RuleTally
from core.storage.sqlite.connection import SubStore

__all__ = ["SqliteRuleSettings"]


def _utc(at: datetime) -> str:
    """Alert creation times are stored as UTC ISO text, so text order is time order."""
    return at.astimezone(UTC).isoformat()


class SqliteRuleSettings(SubStore):
    def put(self, kind: RuleSettingKind, key: str, document: str) -> None:
        with self._db.write() as con:
            con.execute(
                "INSERT INTO rule_settings (kind, key, doc) VALUES (?,?,?) "
                "ON CONFLICT(kind, key) DO UPDATE SET doc = excluded.doc",
                (kind, key, document),
            )

    def get(self, kind: RuleSettingKind, key: str) -> str | None:
        row = self._db.one("SELECT doc FROM rule_settings WHERE kind = ? AND key = ?", (kind, key))
        return None if row is None else str(row[0])

    def delete(self, kind: RuleSettingKind, key: str) -> bool:
        with self._db.write() as con:
            cur = con.execute("DELETE FROM rule_settings WHERE kind = ? AND key = ?", (kind, key))
            return cur.rowcount > 0

    def list(self, kind: RuleSettingKind) -> builtins.list[str]:
        rows = self._db.all("SELECT doc FROM rule_settings WHERE kind = ? ORDER BY key", (kind,))
        return [str(r[0]) for r in rows]

    def add_run(self, run_id: str, at: datetime, document: str, *, keep: int) -> None:
        with self._db.write() as con:
            con.execute(
                "INSERT OR REPLACE INTO rule_runs (id, at, doc) VALUES (?,?,?)",
                (run_id, _utc(at), document),
            )
            con.execute(
                "DELETE FROM rule_runs WHERE id NOT IN "
                "(SELECT id FROM rule_runs ORDER BY at DESC, id DESC LIMIT ?)",
                (keep,),
            )

    def runs(self, *, limit: int = 20) -> builtins.list[str]:
        rows = self._db.all("SELECT doc FROM rule_runs ORDER BY at DESC, id DESC LIMIT ?", (limit,))
        return [str(r[0]) for r in rows]

    def tally(self, *, since: datetime, until: datetime) -> builtins.list[RuleTally]:
        rows = self._db.all(
            "SELECT rule_id, count(*), sum(status = ?), max(created_at) FROM alerts "
            "WHERE created_at >= ? AND created_at < ? GROUP BY rule_id ORDER BY rule_id",
            (AlertStatus.FALSE_POSITIVE.value, _utc(since), _utc(until)),
        )
        return [
            RuleTally(
                rule_id=str(r[0]),
                alerts=int(r[1]),
                dismissed=int(r[2] or 0),
                last_at=datetime.fromisoformat(r[3]) if r[3] else None,
            )
            for r in rows
        ]

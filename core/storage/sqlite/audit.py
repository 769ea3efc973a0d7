"""The audit trail: append-only (triggers refuse UPDATE/DELETE), each row chained by hash."""

from __future__ import annotations

import builtins
import sqlite3
from collections.abc import Iterator
from datetime import datetime

from core.storage.base import GENESIS_HASH, audit_hash
from core.storage.codec import (
    audit_row_from_dict,
)
from core.storage.records import AuditRow
from core.storage.sqlite.connection import SubStore

__all__ = ["SqliteAudit"]


class SqliteAudit(SubStore):
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

"""The outbox of messages to people: documents with their status and next attempt."""

from __future__ import annotations

import builtins
from datetime import UTC, datetime

from core.errors import NotFoundError
from core.storage.sqlite.connection import SubStore

__all__ = ["SqliteMessages"]


def _at(value: datetime | None) -> str | None:
    """Fixed-width UTC text, so that comparing the text compares the times."""
    return value.astimezone(UTC).isoformat(timespec="microseconds") if value else None


class SqliteMessages(SubStore):
    """Messages as documents (see core.messages), queried by status and next attempt."""

    def add(
        self,
        message_id: str,
        *,
        status: str,
        created_at: datetime,
        next_attempt_at: datetime | None,
        document: str,
    ) -> bool:
        with self._db.write() as con:
            cur = con.execute(
                "INSERT OR IGNORE INTO messages (id, status, created_at, next_attempt_at, doc) "
                "VALUES (?,?,?,?,?)",
                (message_id, status, _at(created_at), _at(next_attempt_at), document),
            )
            return cur.rowcount == 1

    def put(
        self, message_id: str, *, status: str, next_attempt_at: datetime | None, document: str
    ) -> None:
        with self._db.write() as con:
            cur = con.execute(
                "UPDATE messages SET status = ?, next_attempt_at = ?, doc = ? WHERE id = ?",
                (status, _at(next_attempt_at), document, message_id),
            )
            if cur.rowcount == 0:
                raise NotFoundError(f"no message {message_id}", location="message")

    def get(self, message_id: str) -> str:
        row = self._db.one("SELECT doc FROM messages WHERE id = ?", (message_id,))
        if row is None:
            raise NotFoundError(f"no message {message_id}", location="message")
        return str(row[0])

    def due(self, now: datetime, *, limit: int = 100) -> builtins.list[str]:
        rows = self._db.all(
            "SELECT doc FROM messages WHERE status = 'pending' AND next_attempt_at <= ? "
            "ORDER BY next_attempt_at, id LIMIT ?",
            (_at(now), limit),
        )
        return [str(r[0]) for r in rows]

    def list(
        self, *, status: str | None = None, limit: int = 100, offset: int = 0
    ) -> builtins.list[str]:
        where, params = ("WHERE status = ?", (status,)) if status else ("", ())
        rows = self._db.all(
            f"SELECT doc FROM messages {where} "  # noqa: S608 - a fixed clause
            "ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [str(r[0]) for r in rows]

    def count(self, *, status: str | None = None) -> int:
        if status:
            row = self._db.one("SELECT count(*) FROM messages WHERE status = ?", (status,))
        else:
            row = self._db.one("SELECT count(*) FROM messages")
        return int(row[0])

"""Dead letters: input that could not be parsed, kept whole with the reason."""

from __future__ import annotations

import builtins
import sqlite3
from collections.abc import Sequence

from core.errors import NotFoundError
from core.events import ALL_DEAD_LETTERS, DeadLetter, DeadLetterQuery
from core.storage.codec import (
    dead_letter_from_dict,
)
from core.storage.sqlite.connection import SubStore

__all__ = ["SqliteDeadLetters"]


def _where(query: DeadLetterQuery) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if query.source:
        # instr, not LIKE: a person's % or _ is a character, not a pattern
        clauses.append("instr(lower(source), lower(?)) > 0")
        params.append(query.source)
    if query.since is not None:
        clauses.append("received_at >= ?")
        params.append(query.since.isoformat())
    if query.until is not None:
        clauses.append("received_at < ?")
        params.append(query.until.isoformat())
    if query.ids is not None:
        clauses.append(f"id IN ({','.join('?' * len(query.ids))})" if query.ids else "0")
        params.extend(query.ids)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


class SqliteDeadLetters(SubStore):
    def add(self, letters: Sequence[DeadLetter]) -> None:
        with self._db.write() as con:
            con.executemany(
                # Keyed by source, position and content: reading an input again adds nothing.
                "INSERT OR IGNORE INTO dead_letters "
                "(received_at, source, position, reason, raw, key) VALUES (?,?,?,?,?,?)",
                [
                    (d.received_at.isoformat(), d.source, d.position, d.reason, d.raw, d.key)
                    for d in letters
                ],
            )

    def _from(self, row: sqlite3.Row) -> DeadLetter:
        return dead_letter_from_dict(dict(row))

    def list(
        self, *, limit: int = 100, offset: int = 0, query: DeadLetterQuery = ALL_DEAD_LETTERS
    ) -> builtins.list[DeadLetter]:
        where, params = _where(query)
        rows = self._db.all(
            f"SELECT * FROM dead_letters{where} ORDER BY id LIMIT ? OFFSET ?",  # noqa: S608
            (*params, limit, offset),
        )
        return [self._from(r) for r in rows]

    def get(self, letter_id: int) -> DeadLetter:
        row = self._db.one("SELECT * FROM dead_letters WHERE id = ?", (letter_id,))
        if row is None:
            raise NotFoundError(f"no dead letter #{letter_id}", location="dead letter")
        return self._from(row)

    def count(self, query: DeadLetterQuery = ALL_DEAD_LETTERS) -> int:
        where, params = _where(query)
        sql = f"SELECT count(*) FROM dead_letters{where}"  # noqa: S608 - placeholders only
        return int(self._db.one(sql, tuple(params))[0])

    def set_reason(self, letter_id: int, reason: str) -> None:
        with self._db.write() as con:
            found = con.execute(
                "UPDATE dead_letters SET reason = ? WHERE id = ?", (reason, letter_id)
            ).rowcount
        if not found:
            raise NotFoundError(f"no dead letter #{letter_id}", location="dead letter")

    def remove(self, letter_ids: Sequence[int]) -> int:
        if not letter_ids:
            return 0
        with self._db.write() as con:
            marks = ",".join("?" * len(letter_ids))
            sql = f"DELETE FROM dead_letters WHERE id IN ({marks})"  # noqa: S608 - placeholders
            return int(con.execute(sql, tuple(letter_ids)).rowcount)

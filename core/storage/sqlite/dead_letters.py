"""Dead letters: input that could not be parsed, kept whole with the reason."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from core.errors import NotFoundError
from core.events import DeadLetter
from core.storage.codec import (
    dead_letter_from_dict,
)
from core.storage.sqlite.connection import SubStore

__all__ = ["SqliteDeadLetters"]


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

    def list(self, *, limit: int = 100, offset: int = 0) -> list[DeadLetter]:
        rows = self._db.all(
            "SELECT * FROM dead_letters ORDER BY id LIMIT ? OFFSET ?", (limit, offset)
        )
        return [self._from(r) for r in rows]

    def get(self, letter_id: int) -> DeadLetter:
        row = self._db.one("SELECT * FROM dead_letters WHERE id = ?", (letter_id,))
        if row is None:
            raise NotFoundError(f"no dead letter #{letter_id}", location="dead letter")
        return self._from(row)

    def count(self) -> int:
        return int(self._db.one("SELECT count(*) FROM dead_letters")[0])

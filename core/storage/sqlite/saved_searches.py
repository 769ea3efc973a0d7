"""Saved event searches as documents, with their owner and whether they are shared."""

from __future__ import annotations

import builtins

from core.storage.sqlite.connection import SubStore

__all__ = ["SqliteSavedSearches"]


class SqliteSavedSearches(SubStore):
    def put(self, search_id: str, owner: str, shared: bool, document: str) -> None:
        with self._db.write() as con:
            con.execute(
                "INSERT INTO saved_searches (id, owner, shared, doc) VALUES (?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET owner = excluded.owner, "
                "shared = excluded.shared, doc = excluded.doc",
                (search_id, owner, int(shared), document),
            )

    def get(self, search_id: str) -> tuple[str, str, bool] | None:
        row = self._db.one(
            "SELECT owner, doc, shared FROM saved_searches WHERE id = ?", (search_id,)
        )
        return None if row is None else (str(row[0]), str(row[1]), bool(row[2]))

    def visible(self, owner: str) -> builtins.list[str]:
        rows = self._db.all(
            "SELECT doc FROM saved_searches WHERE owner = ? OR shared = 1 ORDER BY id", (owner,)
        )
        return [str(r[0]) for r in rows]

    def delete(self, search_id: str) -> bool:
        with self._db.write() as con:
            return con.execute("DELETE FROM saved_searches WHERE id = ?", (search_id,)).rowcount > 0

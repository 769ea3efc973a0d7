"""Detection checkpoints and the small key-value cache."""

from __future__ import annotations

from core.storage.sqlite.connection import SubStore

__all__ = ["SqliteCheckpoints"]


class SqliteCheckpoints(SubStore):
    def get(self, key: str) -> int:
        row = self._db.one("SELECT value FROM checkpoints WHERE key = ?", (key,))
        return int(row[0]) if row else 0

    def set_many(self, values: dict[str, int]) -> None:
        with self._db.write() as con:
            con.executemany(
                "INSERT INTO checkpoints (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                list(values.items()),
            )

    def lowest(self, prefix: str) -> int | None:
        row = self._db.one(
            "SELECT min(value) FROM checkpoints WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)
        )
        return int(row[0]) if row and row[0] is not None else None

    def cache_get(self, key: str) -> str | None:
        row = self._db.one("SELECT value FROM cache WHERE key = ?", (key,))
        return str(row[0]) if row else None

    def cache_put(self, key: str, value: str) -> None:
        with self._db.write() as con:
            con.execute(
                "INSERT INTO cache (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

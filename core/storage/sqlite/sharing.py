"""TAXII objects and statuses, and the partner-indicator watchlist."""

from __future__ import annotations

import builtins
from collections.abc import Sequence

from core.storage.base import SharedObject, VersionFilter
from core.storage.codec import (
    shared_object_from_dict,
)
from core.storage.sqlite.connection import SubStore

__all__ = ["SqliteSharing"]


class SqliteSharing(SubStore):
    """TAXII objects (every version kept), add statuses, and the partner-indicator watchlist."""

    def add_objects(self, objects: Sequence[SharedObject]) -> int:
        with self._db.write() as con:
            before = con.total_changes
            con.executemany(
                "INSERT OR IGNORE INTO taxii_objects "
                "(collection, id, type, version, date_added, tlp, doc) VALUES (?,?,?,?,?,?,?)",
                [
                    (o.collection_id, o.id, o.type, o.version, o.date_added, o.tlp, o.document)
                    for o in objects
                ],
            )
            return con.total_changes - before

    def objects(
        self,
        collection_id: str,
        *,
        added_after: str | None = None,
        ids: Sequence[str] = (),
        types: Sequence[str] = (),
        versions: Sequence[VersionFilter] = ("last",),
        tlps: Sequence[str] | None = None,
        after_seq: int = 0,
        limit: int = 100,
    ) -> builtins.list[SharedObject]:
        where = ["o.collection = ?", "o.seq > ?"]
        params: list[object] = [collection_id, after_seq]
        if tlps is not None:
            where.append(f"(o.tlp IS NULL OR o.tlp IN ({','.join('?' * len(tlps))}))")
            params.extend(tlps)
        if added_after is not None:
            where.append("o.date_added > ?")
            params.append(added_after)
        for column, values in (("id", ids), ("type", types)):
            if values:
                where.append(f"o.{column} IN ({','.join('?' * len(values))})")
                params.extend(values)
        if "all" not in versions:
            pick = []
            for wanted in versions:
                if wanted in ("first", "last"):
                    agg = "min" if wanted == "first" else "max"
                    pick.append(
                        f"o.version = (SELECT {agg}(v.version) FROM taxii_objects v "  # noqa: S608
                        "WHERE v.collection = o.collection AND v.id = o.id)"
                    )
                else:
                    pick.append("o.version = ?")
                    params.append(wanted)
            where.append("(" + " OR ".join(pick or ["0"]) + ")")
        params.append(limit)
        rows = self._db.all(
            "SELECT seq, collection, id, type, version, date_added, tlp, doc "  # noqa: S608
            f"FROM taxii_objects o WHERE {' AND '.join(where)} ORDER BY o.seq LIMIT ?",
            params,
        )
        return [shared_object_from_dict(dict(r)) for r in rows]

    def last_added(self, collection_id: str) -> str | None:
        row = self._db.one(
            "SELECT max(date_added) FROM taxii_objects WHERE collection = ?", (collection_id,)
        )
        return str(row[0]) if row and row[0] else None

    def put_status(self, status_id: str, document: str) -> None:
        with self._db.write() as con:
            con.execute(
                "INSERT INTO taxii_status (id, doc) VALUES (?, ?) "
                "ON CONFLICT(id) DO UPDATE SET doc = excluded.doc",
                (status_id, document),
            )

    def status(self, status_id: str) -> str | None:
        row = self._db.one("SELECT doc FROM taxii_status WHERE id = ?", (status_id,))
        return str(row[0]) if row else None

    def put_indicators(self, rows: Sequence[tuple[str, str, str]]) -> builtins.list[str]:
        refused: builtins.list[str] = []
        with self._db.write() as con:  # the owners read and the writes are one transaction
            for indicator_id, partner, document in rows:
                owner = con.execute(
                    "SELECT partner FROM watchlist WHERE id = ?", (indicator_id,)
                ).fetchone()
                if owner is not None and owner[0] != partner:
                    refused.append(indicator_id)
                    continue
                con.execute(
                    "INSERT INTO watchlist (id, partner, doc) VALUES (?,?,?) "
                    "ON CONFLICT(id) DO UPDATE SET doc = excluded.doc "
                    "WHERE watchlist.partner = excluded.partner",
                    (indicator_id, partner, document),
                )
        return refused

    def indicators(self, *, partner: str | None = None) -> builtins.list[str]:
        if partner is None:
            rows = self._db.all("SELECT doc FROM watchlist ORDER BY id")
        else:
            rows = self._db.all(
                "SELECT doc FROM watchlist WHERE partner = ? ORDER BY id", (partner,)
            )
        return [str(r[0]) for r in rows]

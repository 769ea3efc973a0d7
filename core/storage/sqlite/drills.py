"""Drill records as documents."""

from __future__ import annotations

import builtins
from collections.abc import Sequence

from core.errors import NotFoundError
from core.storage.sqlite.connection import SubStore

__all__ = ["SqliteDrills"]


class SqliteDrills(SubStore):
    """Drill records as documents (see incidents.drills)."""

    def put(self, drill_id: str, organization_id: str, document: str) -> None:
        with self._db.write() as con:
            con.execute(
                "INSERT INTO drills (id, org, doc) VALUES (?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET org = excluded.org, doc = excluded.doc",
                (drill_id, organization_id, document),
            )

    def get(self, drill_id: str) -> str:
        row = self._db.one("SELECT doc FROM drills WHERE id = ?", (drill_id,))
        if row is None:
            raise NotFoundError(f"no drill {drill_id}", location="drill")
        return str(row[0])

    def list(self, *, organization_ids: Sequence[str] | None = None) -> builtins.list[str]:
        if organization_ids is None:
            rows = self._db.all("SELECT doc FROM drills ORDER BY id")
        else:
            marks = ",".join("?" * len(organization_ids))
            rows = self._db.all(
                f"SELECT doc FROM drills WHERE org IN ({marks}) ORDER BY id",  # noqa: S608
                tuple(organization_ids),
            )
        return [str(r[0]) for r in rows]

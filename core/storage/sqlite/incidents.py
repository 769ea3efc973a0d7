"""Incidents: JSON documents with a version (optimistic concurrency)."""

from __future__ import annotations

import builtins
import sqlite3
from collections.abc import Sequence

from core.errors import ConflictError, NotFoundError
from core.storage.records import stale_version
from core.storage.sqlite.connection import SubStore

__all__ = ["SqliteIncidents"]


class SqliteIncidents(SubStore):
    def insert(self, incident_id: str, organization_id: str, document: str) -> None:
        with self._db.write() as con:
            try:
                con.execute(
                    "INSERT INTO incidents (id, org, version, doc) VALUES (?,?,1,?)",
                    (incident_id, organization_id, document),
                )
            except sqlite3.IntegrityError as exc:
                raise ConflictError(f"incident {incident_id} already exists") from exc

    def update(self, incident_id: str, document: str, *, expected_version: int) -> int:
        with self._db.write() as con:
            cur = con.execute(
                "UPDATE incidents SET doc = ?, version = version + 1 WHERE id = ? AND version = ?",
                (document, incident_id, expected_version),
            )
            if cur.rowcount == 0:
                if con.execute("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)).fetchone():
                    raise stale_version("incident", incident_id, expected_version)
                raise NotFoundError(f"no incident {incident_id}", location="incident")
        return expected_version + 1

    def get(self, incident_id: str) -> tuple[str, int]:
        row = self._db.one("SELECT doc, version FROM incidents WHERE id = ?", (incident_id,))
        if row is None:
            raise NotFoundError(f"no incident {incident_id}", location="incident")
        return str(row[0]), int(row[1])

    def list(
        self, *, organization_ids: Sequence[str] | None = None, limit: int = 100, offset: int = 0
    ) -> builtins.list[tuple[str, int]]:
        if organization_ids is None:
            rows = self._db.all(
                "SELECT doc, version FROM incidents ORDER BY id DESC LIMIT ? OFFSET ?",
                (limit, offset),
            )
        else:
            marks = ",".join("?" * len(organization_ids))
            rows = self._db.all(
                f"SELECT doc, version FROM incidents WHERE org IN ({marks}) "  # noqa: S608
                "ORDER BY id DESC LIMIT ? OFFSET ?",
                (*organization_ids, limit, offset),
            )
        return [(str(r[0]), int(r[1])) for r in rows]

"""Drills: stored documents per agency."""

from __future__ import annotations

import builtins
from collections.abc import Sequence

from core.errors import NotFoundError as Missing
from core.storage.elasticsearch.client import SubStore


class ElasticDrills(SubStore):
    def put(self, drill_id: str, organization_id: str, document: str) -> None:
        self._db.put(
            self._index("drills"),
            drill_id,
            {"id": drill_id, "org": organization_id, "doc": document},
        )

    def get(self, drill_id: str) -> str:
        source = self._db.get(self._index("drills"), drill_id)
        if source is None:
            raise Missing(f"no drill {drill_id}", location="drill")
        return str(source["doc"])

    def list(self, *, organization_ids: Sequence[str] | None = None) -> builtins.list[str]:
        query = (
            {"match_all": {}}
            if organization_ids is None
            else {"terms": {"org": list(organization_ids)}}
        )
        return [str(s["doc"]) for s in self._all("drills", query, [{"id": "asc"}])]

"""Incidents: stored documents with optimistic concurrency on a version number."""

from __future__ import annotations

import builtins
from collections.abc import Sequence

from elasticsearch import ConflictError as EsConflict
from elasticsearch import NotFoundError

from core.errors import ConflictError
from core.errors import NotFoundError as Missing
from core.storage.elasticsearch.client import SubStore
from core.storage.records import stale_version


class ElasticIncidents(SubStore):
    def insert(self, incident_id: str, organization_id: str, document: str) -> None:
        try:
            self.es.create(
                index=self._index("incidents"),
                id=incident_id,
                document={"id": incident_id, "org": organization_id, "version": 1, "doc": document},
            )
        except EsConflict as exc:
            raise ConflictError(f"incident {incident_id} already exists") from exc

    def update(self, incident_id: str, document: str, *, expected_version: int) -> int:
        """Optimistic concurrency on Elasticsearch's own sequence numbers."""
        stale = stale_version("incident", incident_id, expected_version)
        try:
            current = self.es.get(index=self._index("incidents"), id=incident_id)
        except NotFoundError as exc:
            raise Missing(f"no incident {incident_id}", location="incident") from exc
        source = current["_source"]
        if int(source["version"]) != expected_version:
            raise stale
        try:
            self.es.index(
                index=self._index("incidents"),
                id=incident_id,
                document={**source, "version": expected_version + 1, "doc": document},
                if_seq_no=current["_seq_no"],
                if_primary_term=current["_primary_term"],
            )
        except EsConflict as exc:
            raise stale from exc
        return expected_version + 1

    def get(self, incident_id: str) -> tuple[str, int]:
        source = self._db.get(self._index("incidents"), incident_id)
        if source is None:
            raise Missing(f"no incident {incident_id}", location="incident")
        return str(source["doc"]), int(source["version"])

    def list(
        self, *, organization_ids: Sequence[str] | None = None, limit: int = 100, offset: int = 0
    ) -> builtins.list[tuple[str, int]]:
        query = None if organization_ids is None else {"terms": {"org": list(organization_ids)}}
        hits = self._db.page(self._index("incidents"), query, [{"id": "desc"}], limit, offset)
        return [(str(h["doc"]), int(h["version"])) for h in hits]

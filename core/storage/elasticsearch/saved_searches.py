"""Saved event searches as documents, with their owner and whether they are shared."""

from __future__ import annotations

import builtins

from core.storage.elasticsearch.client import SubStore

__all__ = ["ElasticSavedSearches"]


class ElasticSavedSearches(SubStore):
    def put(self, search_id: str, owner: str, shared: bool, document: str) -> None:
        self._db.put(
            self._index("saved-searches"),
            search_id,
            {"id": search_id, "owner": owner, "shared": shared, "doc": document},
        )

    def get(self, search_id: str) -> tuple[str, str, bool] | None:
        source = self._db.get(self._index("saved-searches"), search_id)
        if source is None:
            return None
        return str(source["owner"]), str(source["doc"]), bool(source["shared"])

    def visible(self, owner: str) -> builtins.list[str]:
        query = {"bool": {"should": [{"term": {"owner": owner}}, {"term": {"shared": True}}]}}
        return [str(s["doc"]) for s in self._all("saved-searches", query, [{"id": "asc"}])]

    def delete(self, search_id: str) -> bool:
        found = self.es.options(ignore_status=404).delete(
            index=self._index("saved-searches"), id=search_id, refresh=True
        )
        return bool(found.get("result") == "deleted")

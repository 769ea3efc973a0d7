"""Detection checkpoints (one counter per rule) and the small key-value cache."""

from __future__ import annotations

from core.storage.elasticsearch.client import SubStore


class ElasticCheckpoints(SubStore):
    def get(self, key: str) -> int:
        source = self._db.get(self._index("checkpoints"), key)
        return int(source["value"]) if source else 0

    def set_many(self, values: dict[str, int]) -> None:
        self._db.bulk(
            [
                {"_index": self._index("checkpoints"), "_id": k, "_source": {"key": k, "value": v}}
                for k, v in values.items()
            ]
        )

    def lowest(self, prefix: str) -> int | None:
        self._db.refresh(self._index("checkpoints"))
        result = self.es.search(
            index=self._index("checkpoints"),
            size=0,
            query={"prefix": {"key": prefix}},
            aggs={"low": {"min": {"field": "value"}}},
        )
        value = result["aggregations"]["low"]["value"]
        return int(value) if value is not None else None

    def cache_get(self, key: str) -> str | None:
        source = self._db.get(self._index("cache"), key)
        return str(source["value"]) if source else None

    def cache_put(self, key: str, value: str) -> None:
        self.es.index(index=self._index("cache"), id=key, document={"key": key, "value": value})

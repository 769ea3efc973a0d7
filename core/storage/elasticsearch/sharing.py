"""Sharing: TAXII objects and statuses, and the partners' indicator watchlist."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from core.errors import UnavailableError
from core.storage.base import SharedObject, VersionFilter
from core.storage.codec import shared_object_from_dict, shared_object_to_dict
from core.storage.elasticsearch.client import SubStore


class ElasticSharing(SubStore):
    def add_objects(self, objects: Sequence[SharedObject]) -> int:
        if not objects:
            return 0
        first = self._db.reserve("taxii-objects", len(objects))
        actions = [
            {
                "_op_type": "create",
                "_index": self._index("taxii-objects"),
                "_id": f"{o.collection_id}|{o.id}|{o.version}",
                "_source": shared_object_to_dict(o) | {"seq": first + n},
            }
            for n, o in enumerate(objects)
        ]
        return self._db.bulk(actions, conflicts_ok=True)

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
        filters: list[dict[str, Any]] = [{"term": {"collection": collection_id}}]
        if ids:
            filters.append({"terms": {"id": list(ids)}})
        if types:
            filters.append({"terms": {"type": list(types)}})
        candidates = [
            shared_object_from_dict(s)
            for s in self._all("taxii-objects", {"bool": {"filter": filters}}, [{"seq": "asc"}])
        ]
        # first/last are per object across the whole collection, before the other filters,
        # the TLP ceiling included (as on SQLite): a newer version above the ceiling hides
        # the object rather than letting an older, lower-TLP version stand in for it.
        by_id: dict[str, builtins.list[str]] = {}
        for o in candidates:
            by_id.setdefault(o.id, []).append(o.version)
        picked = []
        for o in candidates:
            if "all" not in versions:
                wanted = {
                    min(by_id[o.id]) if v == "first" else max(by_id[o.id]) if v == "last" else v
                    for v in versions
                }
                if o.version not in wanted:
                    continue
            if tlps is not None and o.tlp is not None and o.tlp not in tlps:
                continue  # unmarked objects are always included
            if added_after is not None and o.date_added <= added_after:
                continue
            if o.seq <= after_seq:
                continue
            picked.append(o)
        return picked[:limit]

    def last_added(self, collection_id: str) -> str | None:
        hits = self._db.page(
            self._index("taxii-objects"),
            {"term": {"collection": collection_id}},
            [{"date_added": "desc"}],
            1,
            0,
        )
        return str(hits[0]["date_added"]) if hits else None

    def put_status(self, status_id: str, document: str) -> None:
        self._db.put(self._index("taxii-status"), status_id, {"doc": document})

    def status(self, status_id: str) -> str | None:
        source = self._db.get(self._index("taxii-status"), status_id)
        return str(source["doc"]) if source else None

    def put_indicators(self, rows: Sequence[tuple[str, str, str]]) -> builtins.list[str]:
        """Compare-and-set per indicator: read the owners, create what is new and replace the
        same partner's entries only if unchanged since read; lost races are read again."""
        index = self._index("watchlist")
        # Within the batch, as on SQLite (rows in order): the first partner to name an id
        # claims it, later rows of other partners are refused; the claimant's last row is
        # the one written.
        claimed: dict[str, tuple[str, str, str]] = {}
        refused: builtins.list[str] = []
        for row in rows:
            first = claimed.get(row[0])
            if first is not None and first[1] != row[1]:
                refused.append(row[0])
            else:
                claimed[row[0]] = row
        pending = list(claimed.values())
        for _attempt in range(100):
            if not pending:
                return refused
            found = self.es.mget(index=index, ids=[r[0] for r in pending])["docs"]
            actions = []
            for (indicator_id, partner, document), doc in zip(pending, found, strict=True):
                action: dict[str, Any] = {
                    "_index": index,
                    "_id": indicator_id,
                    "_source": {"id": indicator_id, "partner": partner, "doc": document},
                }
                if not doc.get("found"):
                    actions.append(action | {"_op_type": "create"})
                elif doc["_source"]["partner"] != partner:
                    refused.append(indicator_id)
                else:
                    cas = {"if_seq_no": doc["_seq_no"], "if_primary_term": doc["_primary_term"]}
                    actions.append(action | {"_op_type": "index"} | cas)
            lost = set(self._db.bulk_conflicts(actions))
            pending = [r for r in pending if r[0] in lost]
        raise UnavailableError("the watchlist kept changing while indicators were written")

    def indicators(self, *, partner: str | None = None) -> builtins.list[str]:
        query = {"term": {"partner": partner}} if partner else {"match_all": {}}
        return [str(s["doc"]) for s in self._all("watchlist", query, [{"id": "asc"}])]

"""Assets, their changes and the scans that found them."""

from __future__ import annotations

import builtins
import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from core.assets import Asset, AssetChange, ScanRecord
from core.storage.codec import (
    asset_from_dict,
    asset_to_dict,
    change_from_dict,
    change_to_dict,
    scan_from_dict,
    scan_to_dict,
)
from core.storage.elasticsearch.client import SubStore


def _asset_source(a: Asset) -> dict[str, Any]:
    """The searched keys (the host name lower-cased: found whatever its case) and the whole
    asset as the codec's JSON."""
    return {
        "address": a.address,
        "organization_id": a.organization_id,
        "hostname": a.hostname.lower() if a.hostname else None,
        "last_seen": a.last_seen.isoformat(),
        "doc": json.dumps(asset_to_dict(a)),
    }


def _asset_from(source: dict[str, Any]) -> Asset:
    return asset_from_dict(json.loads(source["doc"]))


class ElasticAssets(SubStore):
    def find(self, address: str) -> Asset | None:
        source = self._db.get(self._index("assets"), address)
        return _asset_from(source) if source else None

    def find_by_host(self, hostname: str) -> Asset | None:
        hits = self._db.page(
            self._index("assets"),
            {"term": {"hostname": hostname.lower()}},
            [{"address": "asc"}],
            100,
            0,
        )
        found = sorted((_asset_from(h) for h in hits), key=lambda a: a.last_seen, reverse=True)
        return found[0] if found else None

    def list(self, *, organization_id: str | None = None) -> builtins.list[Asset]:
        query = (
            {"term": {"organization_id": organization_id}} if organization_id else {"match_all": {}}
        )
        return [
            _asset_from(s)
            for s in self._all("assets", query, [{"organization_id": "asc"}, {"address": "asc"}])
        ]

    def record_scan(
        self, scan: ScanRecord, assets: Sequence[Asset], changes: Sequence[AssetChange]
    ) -> int:
        scan_id = self._db.reserve("scans", 1)
        first_change = self._db.reserve("asset-changes", len(changes)) if changes else 0
        actions: list[dict[str, Any]] = [
            {
                "_index": self._index("scans"),
                "_id": str(scan_id),
                "_source": {
                    "id": scan_id,
                    "target": scan.target,
                    "organization_id": scan.organization_id,
                    "doc": json.dumps(scan_to_dict(replace(scan, id=scan_id))),
                },
            }
        ]
        for a in assets:
            before = self.find(a.address)
            if before is not None:  # as on SQLite: keep first_seen and a known host name
                a = replace(a, first_seen=before.first_seen, hostname=a.hostname or before.hostname)
            actions.append(
                {"_index": self._index("assets"), "_id": a.address, "_source": _asset_source(a)}
            )
        for n, c in enumerate(changes):
            change_id = first_change + n
            actions.append(
                {
                    "_index": self._index("asset-changes"),
                    "_id": str(change_id),
                    "_source": {
                        "id": change_id,
                        "organization_id": c.organization_id,
                        "doc": json.dumps(change_to_dict(replace(c, scan_id=scan_id))),
                    },
                }
            )
        self._db.bulk(actions)
        return scan_id

    def changes(self, *, limit: int = 100, offset: int = 0) -> builtins.list[AssetChange]:
        hits = self._db.page(self._index("asset-changes"), None, [{"id": "desc"}], limit, offset)
        return [change_from_dict(json.loads(h["doc"])) for h in hits]

    def _scans(self, query: dict[str, Any] | None, limit: int) -> builtins.list[ScanRecord]:
        hits = self._db.page(self._index("scans"), query, [{"id": "desc"}], limit, 0)
        # the id from the searched key: scans stored by earlier versions have none in doc
        return [scan_from_dict(json.loads(h["doc"]) | {"id": int(h["id"])}) for h in hits]

    def scans(self, *, limit: int = 100) -> builtins.list[ScanRecord]:
        return self._scans(None, limit)

    def last_scan_at(self, target: str) -> datetime | None:
        found = self._scans({"term": {"target": target}}, 1000)
        return max((s.started_at for s in found), default=None)

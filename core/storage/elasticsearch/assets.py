"""Assets, their changes and the scans that found them."""

from __future__ import annotations

import builtins
import json
from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import datetime
from typing import Any

from core.assets import Asset, AssetChange, ChangeKind, OpenPort, ScanRecord, ScanStatus
from core.storage.elasticsearch.client import SubStore


def _asset_source(a: Asset) -> dict[str, Any]:
    return {
        "address": a.address,
        "org": a.organization_id,
        "hostname": a.hostname.lower() if a.hostname else None,
        "last_seen": a.last_seen.isoformat(),
        "doc": json.dumps(
            {
                "address": a.address,
                "organization_id": a.organization_id,
                "hostname": a.hostname,
                "first_seen": a.first_seen.isoformat(),
                "last_seen": a.last_seen.isoformat(),
                "up": a.up,
                "core_system": a.core_system,
                "critical_infrastructure": a.critical_infrastructure,
                "ports": [asdict(p) for p in a.ports],
            }
        ),
    }


def _asset_from(source: dict[str, Any]) -> Asset:
    d = json.loads(source["doc"])
    return Asset(
        address=d["address"],
        organization_id=d["organization_id"],
        hostname=d["hostname"],
        first_seen=datetime.fromisoformat(d["first_seen"]),
        last_seen=datetime.fromisoformat(d["last_seen"]),
        up=d["up"],
        core_system=d["core_system"],
        critical_infrastructure=d["critical_infrastructure"],
        ports=tuple(OpenPort(**p) for p in d["ports"]),
    )


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
        query = {"term": {"org": organization_id}} if organization_id else {"match_all": {}}
        return [
            _asset_from(s) for s in self._all("assets", query, [{"org": "asc"}, {"address": "asc"}])
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
                    "org": scan.organization_id,
                    "doc": json.dumps(
                        {
                            "target": scan.target,
                            "organization_id": scan.organization_id,
                            "started_at": scan.started_at.isoformat(),
                            "finished_at": scan.finished_at.isoformat(),
                            "status": scan.status.value,
                            "hosts_scanned": scan.hosts_scanned,
                            "hosts_up": scan.hosts_up,
                            "open_ports": scan.open_ports,
                            "error": scan.error,
                            "command": scan.command,
                        }
                    ),
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
                        "org": c.organization_id,
                        "doc": json.dumps(
                            {
                                "at": c.at.isoformat(),
                                "address": c.address,
                                "organization_id": c.organization_id,
                                "kind": c.kind.value,
                                "detail": c.detail,
                                "scan_id": scan_id,
                            }
                        ),
                    },
                }
            )
        self._db.bulk(actions)
        return scan_id

    def changes(self, *, limit: int = 100, offset: int = 0) -> builtins.list[AssetChange]:
        hits = self._db.page(self._index("asset-changes"), None, [{"id": "desc"}], limit, offset)
        out = []
        for h in hits:
            d = json.loads(h["doc"])
            out.append(
                AssetChange(
                    at=datetime.fromisoformat(d["at"]),
                    address=d["address"],
                    organization_id=d["organization_id"],
                    kind=ChangeKind(d["kind"]),
                    detail=d["detail"],
                    scan_id=d["scan_id"],
                )
            )
        return out

    def _scans(self, query: dict[str, Any] | None, limit: int) -> builtins.list[ScanRecord]:
        hits = self._db.page(self._index("scans"), query, [{"id": "desc"}], limit, 0)
        out = []
        for h in hits:
            d = json.loads(h["doc"])
            out.append(
                ScanRecord(
                    id=int(h["id"]),
                    target=d["target"],
                    organization_id=d["organization_id"],
                    started_at=datetime.fromisoformat(d["started_at"]),
                    finished_at=datetime.fromisoformat(d["finished_at"]),
                    status=ScanStatus(d["status"]),
                    hosts_scanned=d["hosts_scanned"],
                    hosts_up=d["hosts_up"],
                    open_ports=d["open_ports"],
                    error=d["error"],
                    command=d["command"],
                )
            )
        return out

    def scans(self, *, limit: int = 100) -> builtins.list[ScanRecord]:
        return self._scans(None, limit)

    def last_scan_at(self, target: str) -> datetime | None:
        found = self._scans({"term": {"target": target}}, 1000)
        return max((s.started_at for s in found), default=None)

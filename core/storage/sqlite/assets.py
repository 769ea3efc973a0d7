"""Assets, scans and asset changes, recorded one scan at a time."""

from __future__ import annotations

import builtins
import sqlite3
from collections.abc import Sequence
from datetime import datetime

import orjson

from core.assets import Asset, AssetChange, ScanRecord
from core.storage.codec import (
    asset_from_dict,
    asset_to_dict,
    change_from_dict,
    change_to_dict,
    scan_from_dict,
    scan_to_dict,
)
from core.storage.sqlite.columns import (
    record_of,
)
from core.storage.sqlite.connection import SubStore

__all__ = ["SqliteAssets"]


def _asset_from(row: sqlite3.Row) -> Asset:
    record = record_of(row)
    record["ports"] = orjson.loads(row["ports"])
    return asset_from_dict(record)


class SqliteAssets(SubStore):
    def find(self, address: str) -> Asset | None:
        row = self._db.one("SELECT * FROM assets WHERE address = ?", (address,))
        return _asset_from(row) if row else None

    def find_by_host(self, hostname: str) -> Asset | None:
        row = self._db.one(
            "SELECT * FROM assets WHERE hostname = ? COLLATE NOCASE ORDER BY last_seen DESC",
            (hostname,),
        )
        return _asset_from(row) if row else None

    def list(self, *, organization_id: str | None = None) -> builtins.list[Asset]:
        if organization_id is None:
            rows = self._db.all("SELECT * FROM assets ORDER BY org, address")
        else:
            rows = self._db.all(
                "SELECT * FROM assets WHERE org = ? ORDER BY address", (organization_id,)
            )
        return [_asset_from(r) for r in rows]

    def record_scan(
        self, scan: ScanRecord, assets: Sequence[Asset], changes: Sequence[AssetChange]
    ) -> int:
        """Store a scan, the assets it saw and the changes, in one transaction."""
        with self._db.write() as con:
            s = scan_to_dict(scan)
            cur = con.execute(
                "INSERT INTO scans (target, org, started_at, finished_at, status, hosts_scanned, "
                "hosts_up, open_ports, error, command) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    s["target"],
                    s["organization_id"],
                    s["started_at"],
                    s["finished_at"],
                    s["status"],
                    s["hosts_scanned"],
                    s["hosts_up"],
                    s["open_ports"],
                    s["error"],
                    s["command"],
                ),
            )
            scan_id = int(cur.lastrowid or 0)
            con.executemany(
                "INSERT INTO assets (address, org, hostname, first_seen, last_seen, up, core, ci, "
                "ports) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(address) DO UPDATE SET "
                "org = excluded.org, hostname = coalesce(excluded.hostname, hostname), "
                "last_seen = excluded.last_seen, up = excluded.up, core = excluded.core, "
                "ci = excluded.ci, ports = excluded.ports",
                [
                    (
                        a["address"],
                        a["organization_id"],
                        a["hostname"],
                        a["first_seen"],
                        a["last_seen"],
                        int(a["up"]),
                        int(a["core_system"]),
                        int(a["critical_infrastructure"]),
                        orjson.dumps(a["ports"]).decode(),
                    )
                    for a in map(asset_to_dict, assets)
                ],
            )
            con.executemany(
                "INSERT INTO asset_changes (at, address, org, kind, detail, scan_id) "
                "VALUES (?,?,?,?,?,?)",
                [
                    (c["at"], c["address"], c["organization_id"], c["kind"], c["detail"], scan_id)
                    for c in map(change_to_dict, changes)
                ],
            )
        return scan_id

    def changes(self, *, limit: int = 100, offset: int = 0) -> builtins.list[AssetChange]:
        rows = self._db.all(
            "SELECT * FROM asset_changes ORDER BY id DESC LIMIT ? OFFSET ?", (limit, offset)
        )
        return [change_from_dict(record_of(r)) for r in rows]

    def scans(self, *, limit: int = 100) -> builtins.list[ScanRecord]:
        rows = self._db.all("SELECT * FROM scans ORDER BY id DESC LIMIT ?", (limit,))
        return [scan_from_dict(record_of(r)) for r in rows]

    def last_scan_at(self, target: str) -> datetime | None:
        row = self._db.one("SELECT max(started_at) FROM scans WHERE target = ?", (target,))
        return datetime.fromisoformat(row[0]) if row and row[0] else None

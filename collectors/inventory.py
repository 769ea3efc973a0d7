"""Apply a scan to the asset inventory: what changed, and the events and findings it makes."""

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from collectors.nmap_scan import HostResult
from collectors.scan_targets import ScanTarget
from core.assets import Asset, AssetChange, ChangeKind, OpenPort
from core.events import Event
from core.storage.base import Store

__all__ = ["InventoryUpdate", "diff_scan", "port_events"]


@dataclass(frozen=True, slots=True)
class InventoryUpdate:
    assets: list[Asset]
    changes: list[AssetChange]
    newly_open: list[tuple[Asset, OpenPort]]  # exposure is judged on these only


def _flags(target: ScanTarget, address: str, hostname: str | None) -> tuple[bool, bool]:
    names = {address, (hostname or "").lower()}
    core = any(x.lower() in names or x == address for x in target.core_systems)
    ci = any(x.lower() in names or x == address for x in target.critical_infrastructure)
    return core or ci, ci


def diff_scan(
    store: Store,
    target: ScanTarget,
    results: Sequence[HostResult],
    *,
    scanned: Sequence[str],
    at: datetime,
) -> InventoryUpdate:
    """Compare answered hosts with the inventory of the scanned addresses."""
    assets: list[Asset] = []
    changes: list[AssetChange] = []
    newly_open: list[tuple[Asset, OpenPort]] = []
    seen: set[str] = set()

    def change(address: str, kind: ChangeKind, detail: str) -> None:
        changes.append(
            AssetChange(
                at=at, address=address, organization_id=target.agency, kind=kind, detail=detail
            )
        )

    for host in results:
        seen.add(host.address)
        core, ci = _flags(target, host.address, host.hostname)
        before = store.assets.find(host.address)
        asset = Asset(
            address=host.address,
            organization_id=target.agency,
            hostname=host.hostname or (before.hostname if before else None),
            first_seen=before.first_seen if before else at,
            last_seen=at,
            up=True,
            core_system=core,
            critical_infrastructure=ci,
            ports=host.ports,
        )
        assets.append(asset)
        old = {p.port: p for p in before.ports} if before and before.up else {}
        if before is None or not before.up:
            change(
                host.address,
                ChangeKind.NEW_HOST,
                f"{host.hostname or host.address} answered with {len(host.ports)} open port(s)",
            )
        for port in host.ports:
            previous = old.pop(port.port, None)
            if previous is None:
                newly_open.append((asset, port))
                if before is not None and before.up:
                    change(host.address, ChangeKind.PORT_OPENED, port.label)
            elif (previous.service, previous.product, previous.version) != (
                port.service,
                port.product,
                port.version,
            ):
                change(
                    host.address, ChangeKind.SERVICE_CHANGED, f"{previous.label} -> {port.label}"
                )
        for closed in old.values():
            change(host.address, ChangeKind.PORT_CLOSED, closed.label)
    scanned_set = set(scanned)
    for known in store.assets.list(organization_id=target.agency):
        in_scope = known.address in scanned_set or (known.hostname or "") in scanned_set
        if in_scope and known.up and known.address not in seen:
            assets.append(replace(known, up=False, ports=()))
            change(
                known.address,
                ChangeKind.HOST_GONE,
                f"{known.hostname or known.address} did not answer "
                f"(had {len(known.ports)} open port(s))",
            )
    return InventoryUpdate(assets, changes, newly_open)


def port_events(
    update: InventoryUpdate, *, scan_id: int, target: ScanTarget, at: datetime
) -> list[Event]:
    """One `nmap` event per open port seen in this scan, for search and for alerts."""
    events = []
    for asset in update.assets:
        for port in asset.ports:
            doc = {
                "scan": scan_id,
                "target": target.name,
                "address": asset.address,
                "port": port.port,
                "protocol": port.protocol,
                "service": port.service,
                "product": port.product,
                "version": port.version,
            }
            original = json.dumps(doc, ensure_ascii=False, sort_keys=True)
            events.append(
                Event(
                    event_id=Event.stable_id("nmap", original),
                    timestamp=at,
                    dataset="nmap",
                    organization_id=asset.organization_id,
                    original=original,
                    fields={
                        "host.ip": asset.address,
                        "host.name": asset.hostname or asset.address,
                        "destination.ip": asset.address,
                        "destination.port": port.port,
                        "network.transport": port.protocol,
                        "service.name": port.service,
                        "service.product": port.product,
                        "service.version": port.version,
                        "asset.core_system": asset.core_system,
                        "asset.critical_infrastructure": asset.critical_infrastructure,
                        "event.kind": "state",
                        "scan.id": scan_id,
                    },
                )
            )
    return events

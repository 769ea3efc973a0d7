"""Run an exposure scan: scope check, nmap, inventory changes, events, findings, audit.

Raises InputError for an out-of-scope address or a scan outside its permitted window,
ForbiddenError for a role that may not scan. A scan that fails (nmap missing, timing out,
no host answering) is recorded as failed with the reason and changes nothing.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from collectors.inventory import diff_scan, port_events
from collectors.nmap_scan import NmapScanner
from collectors.scan_targets import ScanScope, ScanTarget
from core import audit
from core.access import Action, Actor, require
from core.assets import AssetChange, ScanRecord, ScanStatus
from core.clock import Clock
from core.errors import InputError, UnavailableError
from core.storage.base import Store
from detections.exposure import ExposurePolicy, finding_alert

__all__ = ["ScanSummary", "due_targets", "run_scan"]


@dataclass
class ScanSummary:
    record: ScanRecord
    changes: list[AssetChange] = field(default_factory=list)
    findings: int = 0
    alerts_new: int = 0


def run_scan(
    *,
    store: Store,
    actor: Actor,
    scope: ScanScope,
    target_name: str,
    policy: ExposurePolicy,
    clock: Clock,
    scanner: Callable[[], NmapScanner] = NmapScanner,
    only: Sequence[str] = (),
    ignore_window: bool = False,
) -> ScanSummary:
    target = scope.get(target_name)
    require(actor, Action.SCAN, target.agency, "scan target")
    addresses = scope.resolve(target, list(only))
    started = clock.now()
    if not ignore_window and not target.window.allows(started):
        raise InputError(
            f"scan target {target.name} may only be scanned between {target.window.start:%H:%M} "
            f"and {target.window.end:%H:%M} Taipei time; pass ignore_window (CLI: "
            "--ignore-window) to scan now anyway (recorded in the audit trail)",
            location="window",
        )
    try:
        output = scanner().scan(
            addresses,
            ports=target.ports,
            service_detection=target.service_detection,
            assume_up=target.assume_up,
        )
    except UnavailableError as exc:
        return _failed(store, actor, target, addresses, started, clock, exc.message, None)
    if not output.hosts:
        return _failed(
            store,
            actor,
            target,
            addresses,
            started,
            clock,
            "no host in the target answered (down, unreachable or filtered)",
            output.command,
        )
    now = clock.now()
    update = diff_scan(store, target, output.hosts, scanned=addresses, at=now)
    record = ScanRecord(
        id=None,
        target=target.name,
        organization_id=target.agency,
        started_at=started,
        finished_at=now,
        status=ScanStatus.OK,
        hosts_scanned=len(addresses),
        hosts_up=len(output.hosts),
        open_ports=sum(len(h.ports) for h in output.hosts),
        error=output.warnings,
        command=output.command,
    )
    scan_id = store.assets.record_scan(record, update.assets, update.changes)
    events = port_events(update, scan_id=scan_id, target=target, at=now)
    store.events.append(events)
    by_port = {(e.fields["host.ip"], e.fields["destination.port"]): e for e in events}
    alerts = [
        finding_alert(finding, by_port[(asset.address, port.port)], now=now)
        for asset, port in update.newly_open
        for finding in policy.findings(asset, port)
    ]
    added = store.alerts.add(alerts) if alerts else 0
    audit.record(
        store,
        actor=actor,
        action="scan.run",
        subject=target.name,
        at=now,
        detail={
            "scan": scan_id,
            "status": "ok",
            "hosts_up": record.hosts_up,
            "open_ports": record.open_ports,
            "changes": len(update.changes),
            "findings": len(alerts),
            "ignore_window": ignore_window,
        },
    )
    return ScanSummary(
        record=replace(record, id=scan_id),
        changes=update.changes,
        findings=len(alerts),
        alerts_new=added,
    )


def _failed(
    store: Store,
    actor: Actor,
    target: ScanTarget,
    addresses: list[str],
    started: datetime,
    clock: Clock,
    reason: str,
    command: str | None,
) -> ScanSummary:
    now = clock.now()
    record = ScanRecord(
        id=None,
        target=target.name,
        organization_id=target.agency,
        started_at=started,
        finished_at=now,
        status=ScanStatus.FAILED,
        hosts_scanned=len(addresses),
        hosts_up=0,
        open_ports=0,
        error=reason,
        command=command,
    )
    scan_id = store.assets.record_scan(record, [], [])
    audit.record(
        store,
        actor=actor,
        action="scan.run",
        subject=target.name,
        at=now,
        detail={"scan": scan_id, "status": "failed", "error": reason},
    )
    return ScanSummary(record=replace(record, id=scan_id))


def due_targets(store: Store, scope: ScanScope, clock: Clock) -> list[ScanTarget]:
    """Enabled targets whose interval has passed and whose window is open now."""
    now = clock.now()
    due = []
    for target in scope.enabled:
        last = store.assets.last_scan_at(target.name)
        interval_passed = (
            last is None or (now - last).total_seconds() >= target.interval_minutes * 60
        )
        if interval_passed and target.window.allows(now):
            due.append(target)
    return due

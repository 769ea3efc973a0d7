"""Assets found by scans: the inventory record, its changes, and the scan log."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

__all__ = [
    "criticality",
    "Asset",
    "AssetChange",
    "ChangeKind",
    "OpenPort",
    "ScanRecord",
    "ScanStatus",
]


@dataclass(frozen=True, slots=True)
class OpenPort:
    port: int
    protocol: str  # "tcp"
    service: str  # nmap's service name, "" if unknown
    product: str = ""
    version: str = ""

    @property
    def label(self) -> str:
        detail = " ".join(p for p in (self.product, self.version) if p)
        return f"{self.port}/{self.protocol} {self.service}{f' ({detail})' if detail else ''}"


@dataclass(frozen=True, slots=True)
class Asset:
    address: str
    organization_id: str
    hostname: str | None
    first_seen: datetime
    last_seen: datetime
    up: bool
    core_system: bool  # 核心資通系統
    critical_infrastructure: bool  # 涉及關鍵基礎設施
    ports: tuple[OpenPort, ...] = field(default_factory=tuple)


def criticality(asset: "Asset | None") -> str | None:
    """'critical_infrastructure', 'core', 'non_core' for a known asset; None if unknown."""
    if asset is None:
        return None
    if asset.critical_infrastructure:
        return "critical_infrastructure"
    return "core" if asset.core_system else "non_core"


class ChangeKind(StrEnum):
    NEW_HOST = "new_host"
    HOST_GONE = "host_gone"
    PORT_OPENED = "port_opened"
    PORT_CLOSED = "port_closed"
    SERVICE_CHANGED = "service_changed"


@dataclass(frozen=True, slots=True)
class AssetChange:
    at: datetime
    address: str
    organization_id: str
    kind: ChangeKind
    detail: str
    scan_id: int | None = None


class ScanStatus(StrEnum):
    OK = "ok"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ScanRecord:
    id: int | None
    target: str
    organization_id: str
    started_at: datetime
    finished_at: datetime
    status: ScanStatus
    hosts_scanned: int
    hosts_up: int
    open_ports: int
    error: str | None = None
    command: str | None = None

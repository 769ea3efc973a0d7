"""Scan targets: what nmap may touch, per agency, loaded and validated at start-up.

``ScanScope.resolve`` is the only way to turn a request into addresses to scan, and it
refuses anything that is not inside a configured target, or a target not ``enabled``.
Loading never touches the network: host names are kept as written (no DNS) and nmap
resolves them only when an enabled target is scanned.
"""

import ipaddress
from datetime import datetime, time
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.agencies import AgencyRegistry
from core.clock import TAIPEI
from core.config_files import load_yaml_model
from core.errors import ConfigError, InputError

__all__ = ["MAX_TARGET_ADDRESSES", "ScanScope", "ScanTarget", "ScanWindow"]

MAX_TARGET_ADDRESSES = 4096  # a /20: larger ranges are split into several targets on purpose
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class ScanWindow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    start: time
    end: time

    def allows(self, at: datetime) -> bool:
        local = at.astimezone(TAIPEI).time()
        if self.start <= self.end:
            return self.start <= local <= self.end
        return local >= self.start or local <= self.end  # overnight, e.g. 22:00-06:00


class ScanTarget(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    agency: str
    # Scanning is opt-in per target: an operator sets this once the agency agreed.
    enabled: bool = False
    networks: tuple[IPNetwork, ...] = ()
    hosts: tuple[str, ...] = ()
    ports: str = Field(pattern=r"^\d{1,5}(-\d{1,5})?(,\d{1,5}(-\d{1,5})?)*$")
    service_detection: bool = True
    assume_up: bool = False  # nmap -Pn: for hosts that drop discovery probes
    interval_minutes: int = Field(default=1440, ge=5)
    window: ScanWindow = ScanWindow(start=time(0, 0), end=time(23, 59))
    core_systems: tuple[str, ...] = ()
    critical_infrastructure: tuple[str, ...] = ()

    @field_validator("networks")
    @classmethod
    def _not_too_large(cls, value: tuple[IPNetwork, ...]) -> tuple[IPNetwork, ...]:
        for net in value:
            if net.num_addresses > MAX_TARGET_ADDRESSES:
                raise ValueError(
                    f"{net} has {net.num_addresses} addresses; split it into targets of at "
                    f"most {MAX_TARGET_ADDRESSES}"
                )
        return value

    def addresses(self) -> list[str]:
        out: list[str] = []
        for net in self.networks:
            out.extend(str(a) for a in (net.hosts() if net.num_addresses > 2 else net))
        return out + list(self.hosts)

    def contains(self, address: str) -> bool:
        if address.lower() in {h.lower() for h in self.hosts}:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip.version == n.version and ip in n for n in self.networks)


class _TargetsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    targets: list[ScanTarget]


class ScanScope:
    """All configured targets; resolves requests to in-scope addresses only."""

    def __init__(self, targets: list[ScanTarget], source: str = "no scan targets file") -> None:
        self.targets = {t.name: t for t in targets}
        self.source = source

    @property
    def enabled(self) -> list[ScanTarget]:
        return [t for t in self.targets.values() if t.enabled]

    @classmethod
    def load(cls, path: Path | None, registry: AgencyRegistry) -> "ScanScope":
        """The targets in ``path`` (none without a file). Raises ConfigError naming the
        file, the target and the problem."""
        if path is None:
            return cls([])
        parsed = load_yaml_model(path, _TargetsFile, "scan targets file")
        names = [t.name for t in parsed.targets]
        if len(names) != len(set(names)):
            raise ConfigError("scan target names must be unique", location=str(path))
        for target in parsed.targets:
            if registry.find(target.agency) is None:
                raise ConfigError(
                    f"target {target.name}: unknown agency {target.agency!r}", location=str(path)
                )
        return cls(parsed.targets, str(path))

    def get(self, name: str) -> ScanTarget:
        try:
            return self.targets[name]
        except KeyError:
            known = ", ".join(sorted(self.targets)) or (
                "none configured: CITYSOC_SCAN_TARGETS_FILE names the targets file"
            )
            raise InputError(
                f"no scan target named {name!r} (known: {known})", location="target"
            ) from None

    def resolve(self, target: ScanTarget, only: list[str] | None = None) -> list[str]:
        """The addresses to scan: the whole target, or ``only`` if every one is in scope.

        Raises InputError for a target that is not enabled or an address outside it."""
        if not target.enabled:
            raise InputError(
                f"scan target {target.name} is not enabled; set `enabled: true` on it in "
                f"{self.source} once the agency has agreed to have it scanned",
                location="target",
            )
        if not only:
            return target.addresses()
        outside = [a for a in only if not target.contains(a)]
        if outside:
            raise InputError(
                f"refusing to scan {', '.join(outside)}: outside scan target {target.name} "
                f"({', '.join(str(n) for n in target.networks) or 'no networks'}"
                f"{'; hosts ' + ', '.join(target.hosts) if target.hosts else ''}); only "
                "configured targets are ever scanned",
                location="address",
            )
        return only

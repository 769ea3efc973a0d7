"""Run nmap (through python-nmap) against in-scope addresses and read what it found.

Failures are errors, never an empty result: nmap missing or failing raises
UnavailableError; the caller records the failed scan.
"""

from dataclasses import dataclass

import nmap

from core.assets import OpenPort
from core.errors import UnavailableError

__all__ = ["HostResult", "NmapScanner", "ScanOutput"]


@dataclass(frozen=True, slots=True)
class HostResult:
    address: str
    hostname: str | None
    ports: tuple[OpenPort, ...]


@dataclass(frozen=True, slots=True)
class ScanOutput:
    hosts: list[HostResult]  # hosts that answered
    command: str
    warnings: str | None


class NmapScanner:
    """One nmap run per call. ``host_timeout`` bounds each host, ``timeout`` the whole run."""

    def __init__(
        self, *, host_timeout_s: int = 120, timeout_s: int = 1800, nmap_path: str | None = None
    ) -> None:
        try:
            if nmap_path:
                self._nm = nmap.PortScanner(nmap_search_path=(nmap_path,))
            else:
                self._nm = nmap.PortScanner()
        except nmap.PortScannerError as exc:
            raise UnavailableError(
                f"nmap is not available: {exc}; install Debian's nmap package "
                "(scripts/setup does this)",
                location="nmap",
            ) from exc
        self.host_timeout_s = host_timeout_s
        self.timeout_s = timeout_s

    def scan(
        self,
        addresses: list[str],
        *,
        ports: str,
        service_detection: bool,
        assume_up: bool = False,
    ) -> ScanOutput:
        """Raises UnavailableError if nmap fails or times out."""
        arguments = f"-sT -T4 --open --host-timeout {self.host_timeout_s}s"
        if service_detection:
            arguments += " -sV --version-light"
        if assume_up:
            arguments += " -Pn"
        try:
            self._nm.scan(
                hosts=" ".join(addresses), ports=ports, arguments=arguments, timeout=self.timeout_s
            )
        except nmap.PortScannerTimeout as exc:
            raise UnavailableError(
                f"nmap did not finish within {self.timeout_s}s", location="nmap"
            ) from exc
        except nmap.PortScannerError as exc:
            raise UnavailableError(f"nmap failed: {str(exc).strip()}", location="nmap") from exc
        hosts = []
        for address in self._nm.all_hosts():
            host = self._nm[address]
            if host.state() != "up":
                continue
            found = []
            for protocol in host.all_protocols():
                for port, info in sorted(host[protocol].items()):
                    if info.get("state") != "open":
                        continue
                    found.append(
                        OpenPort(
                            port=int(port),
                            protocol=protocol,
                            service=info.get("name", ""),
                            product=info.get("product", ""),
                            version=info.get("version", ""),
                        )
                    )
            hosts.append(HostResult(address, host.hostname() or None, tuple(found)))
        info = self._nm.scaninfo()
        warnings = "; ".join(info.get("warning", [])) if isinstance(info, dict) else None
        errors = info.get("error") if isinstance(info, dict) else None
        if errors:
            warnings = "; ".join(filter(None, [warnings, *errors])) or None
        return ScanOutput(hosts=hosts, command=self._nm.command_line(), warnings=warnings or None)

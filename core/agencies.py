"""The agency registry: which city agency an incoming record belongs to.

Loaded from an editable YAML file and validated at start-up. Tagging is by sender address
(CIDR, most specific first) then host name (glob); no match gives ``UNASSIGNED``.
"""

import fnmatch
import ipaddress
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.config_files import load_yaml_model
from core.errors import NotFoundError

__all__ = ["UNASSIGNED", "Agency", "AgencyRegistry", "AgencyType"]


class AgencyType(StrEnum):
    FIRST_LEVEL = "first_level"
    SECOND_LEVEL = "second_level"
    DISTRICT_OFFICE = "district_office"
    INDIGENOUS_DISTRICT_OFFICE = "indigenous_district_office"
    INTERNAL = "internal"


class Agency(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    name_zh: str
    name_en: str
    agency_type: AgencyType
    group: str | None = None
    relation: Literal["subordinate", "supervised"] = "subordinate"
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    host_patterns: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    # Names in its syslog-over-TLS client certificates (subject CN or a DNS SAN), see README.
    certificate_names: tuple[str, ...] = ()
    note: str | None = None


UNASSIGNED = Agency(
    code="unassigned",
    name_zh="未歸屬",
    name_en="Unassigned",
    agency_type=AgencyType.INTERNAL,
    note="sender matched no agency network or host pattern",
)


class _RegistryFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    superior: str
    agencies: list[Agency]

    @model_validator(mode="after")
    def _unique_and_consistent(self) -> "_RegistryFile":
        seen: set[str] = set()
        for agency in self.agencies:
            if agency.code in seen:
                raise ValueError(f"agency code {agency.code!r} appears twice")
            if agency.code == UNASSIGNED.code:
                raise ValueError("agency code 'unassigned' is reserved")
            seen.add(agency.code)
        names = [n.lower() for a in self.agencies for n in a.certificate_names]
        if len(names) != len(set(names)):
            raise ValueError("a certificate name belongs to more than one agency")
        if self.superior not in seen:
            raise ValueError(f"superior {self.superior!r} is not one of the agencies")
        return self


class AgencyRegistry:
    """All known agencies, with look-ups by code and by event sender."""

    def __init__(self, agencies: list[Agency], *, superior: str) -> None:
        self._by_code = {a.code: a for a in agencies}
        self.superior_code = superior
        # Most specific network first, so a /28 carved out of a /24 wins.
        self._networks = sorted(
            ((net, a) for a in agencies for net in a.networks),
            key=lambda item: item[0].prefixlen,
            reverse=True,
        )
        self._patterns = [(p.lower(), a) for a in agencies for p in a.host_patterns]
        self._cache: dict[tuple[str | None, str | None], Agency] = {}
        self._by_certificate = {n.lower(): a for a in agencies for n in a.certificate_names}

    @classmethod
    def load(cls, path: Path) -> "AgencyRegistry":
        """Raises ConfigError naming the file and the offending entry."""
        parsed = load_yaml_model(path, _RegistryFile, "agency registry")
        return cls(parsed.agencies, superior=parsed.superior)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    @cached_property
    def superior(self) -> Agency:
        return self._by_code[self.superior_code]

    def get(self, code: str) -> Agency:
        if code == UNASSIGNED.code:
            return UNASSIGNED
        try:
            return self._by_code[code]
        except KeyError:
            raise NotFoundError(f"no agency with code {code!r}", location="agency") from None

    def find(self, code: str) -> Agency | None:
        return UNASSIGNED if code == UNASSIGNED.code else self._by_code.get(code)

    def for_sender(self, *, address: str | None = None, host: str | None = None) -> Agency:
        """The agency owning this sender address or host name, or UNASSIGNED."""
        key = (address, host.lower() if host else None)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        agency = self._match(address, key[1])
        if len(self._cache) < 65_536:
            self._cache[key] = agency
        return agency

    def for_certificate(self, names: list[str]) -> Agency | None:
        """The agency whose ``certificate_names`` hold one of a client certificate's names
        (its subject CN, then its SANs); None when none does."""
        for name in names:
            agency = self._by_certificate.get(name.lower())
            if agency is not None:
                return agency
        return None

    def address_mismatch(self, agency: Agency, address: str | None) -> str | None:
        """The code of another agency whose network holds ``address``, or None: a record
        vouched for as ``agency`` that came from elsewhere (a shared relay, or a stolen key)."""
        owner = self.for_sender(address=address) if address else UNASSIGNED
        return None if owner is UNASSIGNED or owner.code == agency.code else owner.code

    def _match(self, address: str | None, host: str | None) -> Agency:
        if address:
            try:
                ip = ipaddress.ip_address(address)
            except ValueError:
                ip = None
            if ip is not None:
                for net, agency in self._networks:
                    if ip.version == net.version and ip in net:
                        return agency
        if host:
            for pattern, agency in self._patterns:
                if fnmatch.fnmatchcase(host, pattern):
                    return agency
        return UNASSIGNED

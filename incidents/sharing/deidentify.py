"""De-identification before anything leaves the city (regulations.md §7.3).

Personal data (e-mail addresses of people, national ID numbers, phone numbers) and
internal detail (private or city addresses, internal host names) are removed. IoCs that
are themselves internal are withheld with the reason — reported back to the analyst,
never dropped silently. Internal detail may stay only where the written arrangement
allows it (``allow_internal_details``) and the marking is AMBER or stricter.
"""

import ipaddress
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from core.agencies import UNASSIGNED, AgencyRegistry
from incidents.models import IoC, IoCType
from incidents.sharing.tlp import Tlp

__all__ = ["Sanitized", "Withheld", "sanitize"]


@dataclass(frozen=True, slots=True)
class Withheld:
    ioc: IoC
    reason: str


@dataclass
class Sanitized:
    iocs: list[IoC]
    summary: str
    withheld: list[Withheld] = field(default_factory=list)
    redactions: Counter[str] = field(default_factory=Counter)  # kind -> how many removed


_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_NATIONAL_ID = re.compile(r"\b[A-Z][12]\d{8}\b")  # 身分證字號
_RESIDENT_ID = re.compile(r"\b[A-Z][89]\d{8}\b")  # 居留證 (new format)
_PHONE = re.compile(
    r"(?<!\d)(?:09\d{2}-?\d{3}-?\d{3}|0\d{1,2}-\d{6,8}|\+886-?\d{1,2}-?\d{6,8})(?!\d)"
)
_HOST = re.compile(r"\b(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\b")
MARK = "[已移除/removed: {}]"
# Addresses that only mean something inside a network (documentation ranges such as
# 203.0.113.0/24 are not among them: they stand in for public addresses in examples).
_INTERNAL_NETS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
    )
)


class _Policy:
    def __init__(
        self,
        registry: AgencyRegistry,
        internal_suffixes: Sequence[str],
        known_hosts: Sequence[str],
        keep_internal: bool,
    ) -> None:
        self.registry = registry
        self.suffixes = tuple(s.lower().lstrip(".") for s in internal_suffixes)
        self.hosts = {h.lower() for h in known_hosts}
        self.keep_internal = keep_internal

    def address_reason(self, text: str) -> str | None:
        try:
            ip = ipaddress.ip_address(text)
        except ValueError:
            return None
        if self.keep_internal:
            return None
        if self.registry.for_sender(address=str(ip)) is not UNASSIGNED:
            return "a city agency's address"
        if any(ip.version == net.version and ip in net for net in _INTERNAL_NETS):
            return "a private or internal address"
        return None

    def host_reason(self, host: str) -> str | None:
        name = host.lower().rstrip(".")
        if self.keep_internal:
            return None
        if name in self.hosts:
            return "a host in the city's inventory"
        if any(name == s or name.endswith("." + s) for s in self.suffixes):
            return "an internal host name"
        return None

    def ioc_reason(self, ioc: IoC) -> str | None:
        if ioc.type in (IoCType.IPV4, IoCType.IPV6):
            return self.address_reason(ioc.value)
        if ioc.type is IoCType.DOMAIN:
            return self.host_reason(ioc.value)
        if ioc.type is IoCType.URL:
            host = urlsplit(ioc.value).hostname or ""
            return self.address_reason(host) or self.host_reason(host)
        if ioc.type is IoCType.EMAIL:
            domain = ioc.value.rsplit("@", 1)[1]
            if any(domain == s or domain.endswith("." + s) for s in self.suffixes):
                return "personal data: a city staff e-mail address"
        return None


def sanitize(
    iocs: Sequence[IoC],
    summary: str,
    *,
    tlp: Tlp,
    registry: AgencyRegistry,
    internal_suffixes: Sequence[str],
    known_hosts: Sequence[str] = (),
    allow_internal_details: bool = False,
) -> Sanitized:
    """Split IoCs into shareable and withheld, and scrub the summary text."""
    keep_internal = allow_internal_details and tlp.rank >= Tlp.AMBER.rank
    policy = _Policy(registry, internal_suffixes, known_hosts, keep_internal)
    out = Sanitized(iocs=[], summary=summary)
    for ioc in dict.fromkeys(iocs):  # de-duplicated, order kept
        reason = policy.ioc_reason(ioc)
        if reason is None:
            out.iocs.append(ioc)
        else:
            out.withheld.append(Withheld(ioc, reason))
    shared = {i.value.lower() for i in out.iocs}

    def scrub(pattern: re.Pattern[str], kind: str, text: str, test: object = None) -> str:
        def replace(match: re.Match[str]) -> str:
            found = match.group(0)
            if found.lower() in shared:
                return found  # an IoC the analyst chose to share stays readable
            if callable(test) and not test(found):
                return found
            out.redactions[kind] += 1
            return MARK.format(kind)

        return pattern.sub(replace, text)

    text = scrub(_NATIONAL_ID, "national ID", summary)
    text = scrub(_RESIDENT_ID, "resident ID", text)
    text = scrub(_EMAIL, "e-mail address", text)  # every address in prose is personal data
    text = scrub(_PHONE, "phone number", text)
    text = scrub(_IPV4, "internal address", text, lambda s: policy.address_reason(s) is not None)
    text = scrub(_HOST, "internal host", text, lambda s: policy.host_reason(s) is not None)
    out.summary = text
    return out

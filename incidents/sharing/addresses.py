"""Every way an IP address can be written, read with ``ipaddress``.

Besides dotted quads, resolvers and browsers accept inet_aton's forms (hex and octal parts,
``0x0a.0x14.0x04.0x14``, ``012.024.04.024``; fewer parts, ``10.1284``; one 32-bit number in a
URL host), and IPv6 addresses can carry an IPv4 address inside (IPv4-mapped ``::ffff:a14:414``,
IPv4-compatible, NAT64 ``64:ff9b::a14:414``, 6to4 ``2002:a14:414::``, Teredo). De-identification
must see the internal address in all of them.
"""

import ipaddress
import re
from collections.abc import Iterator

__all__ = ["IPAddress", "embedded_ipv4", "inet_aton_forms", "parse_host_address"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_PART = re.compile(r"0[xX][0-9a-fA-F]*|\d+")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # SIIT's IPv4-translated addresses


def _number(part: str, *, octal: bool) -> int | None:
    if part[:2].lower() == "0x":
        return int(part[2:] or "0", 16)
    if octal and len(part) > 1 and part.startswith("0"):
        return int(part, 8) if set(part) <= set("01234567") else None
    return int(part)


def inet_aton_forms(token: str) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses ``token`` can mean (parts decimal, ``0x`` hex or ``0`` octal, as
    inet_aton reads them; and with leading zeros read as decimal, as people mean them).
    Empty when it is not an address in any reading."""
    parts = token.split(".")
    if not 1 <= len(parts) <= 4 or not all(len(p) <= 12 and _PART.fullmatch(p) for p in parts):
        return []
    found: list[ipaddress.IPv4Address] = []
    for octal in (True, False):
        numbers = [n for p in parts if (n := _number(p, octal=octal)) is not None]
        if len(numbers) != len(parts):
            continue
        *head, last = numbers
        if any(n > 255 for n in head) or last >= 256 ** (5 - len(parts)):
            continue
        value = last + sum(part << (8 * (3 - n)) for n, part in enumerate(head))
        address = ipaddress.IPv4Address(value)
        if address not in found:
            found.append(address)
    return found


def embedded_ipv4(address: ipaddress.IPv6Address) -> Iterator[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: mapped, translated, compatible, NAT64,
    6to4, and Teredo's server and client."""
    value = int(address)
    if address.ipv4_mapped is not None:
        yield address.ipv4_mapped
    if address in _TRANSLATED or any(address in net for net in _NAT64):
        yield ipaddress.IPv4Address(value & 0xFFFFFFFF)
    if value >> 32 == 0 and value > 1:  # IPv4-compatible (deprecated, still parsed)
        yield ipaddress.IPv4Address(value)
    if address.sixtofour is not None:
        yield address.sixtofour
    if address.teredo is not None:
        yield from address.teredo


def parse_host_address(host: str) -> list[IPAddress]:
    """The addresses a URL host (brackets and zone removed) or IoC value can mean."""
    host = host.strip().strip("[]").split("%", 1)[0].rstrip(".")
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    return list(inet_aton_forms(host))

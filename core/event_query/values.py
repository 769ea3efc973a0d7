"""How a stored value (text, see core.storage.codec) meets a test that is not text: the
one definition of "a number" and "an address in a network" both engines apply (SQLite
registers these as SQL functions; Elasticsearch filters a field's distinct values with
``in_range``), so their answers cannot drift apart."""

from __future__ import annotations

import functools
import ipaddress
import re

from core.event_query.ast import Range

__all__ = ["in_network", "in_range", "number"]

NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")  # what a range on numbers accepts as a number


def number(value: object) -> float | None:
    """The stored text as a number, when it is written as one (else None)."""
    if value is None:
        return None
    text = str(value)
    return float(text) if NUMBER.fullmatch(text) else None


def in_range(value: object, r: Range) -> bool:
    """Whether the stored text is a number inside ``r`` (bounds that are numbers)."""
    found = number(value)
    if found is None:
        return False
    low, high = r.low, r.high
    if isinstance(low, float) and (found < low if r.include_low else found <= low):
        return False
    return not (isinstance(high, float) and (found > high if r.include_high else found >= high))


@functools.lru_cache(maxsize=256)
def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(text)  # once per query, not once per row


def in_network(value: object, network: str) -> bool:
    """Whether the stored text is an address inside ``network`` (IPv4-mapped IPv6
    addresses count as IPv4, as in Elasticsearch's ``ip`` fields)."""
    if value is None:
        return False
    try:
        address = ipaddress.ip_address(str(value))
    except ValueError:
        return False
    net = _network(network)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.version == net.version and address in net

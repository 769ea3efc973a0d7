"""The typed syntax tree of an event query: what the parser produces and what each engine
compiles (core/storage/*/event_search.py) and the Sigma draft (``sigma``) reads.

A leaf is a ``Match``: one field (or none: the original record) and one test on its value.
Values are kept as the person wrote them; the engines decide how to compare (text is
compared case-insensitively except on the header fields that are stored verbatim).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from ipaddress import IPv4Network, IPv6Network

__all__ = [
    "And",
    "Cidr",
    "Equals",
    "Exists",
    "Match",
    "Node",
    "Not",
    "Or",
    "Range",
    "Test",
    "Wildcard",
    "word_parts",
]

Bound = float | datetime | None  # a number, an aware UTC time, or open


@dataclass(frozen=True, slots=True)
class Equals:
    """The value is exactly ``text`` (a bare word: the record contains ``text``)."""

    text: str


@dataclass(frozen=True, slots=True)
class Wildcard:
    """``*`` any run of characters, ``?`` exactly one; ``parts`` alternates literal text
    and the wildcards themselves (a part is ``"*"``, ``"?"`` or literal text)."""

    parts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Range:
    """Between two bounds of one kind (numbers, or times for the time fields)."""

    low: Bound
    high: Bound
    include_low: bool = True
    include_high: bool = True


@dataclass(frozen=True, slots=True)
class Cidr:
    """The value is an address inside ``network`` (address fields only)."""

    network: IPv4Network | IPv6Network


@dataclass(frozen=True, slots=True)
class Exists:
    """The field has a value (``field:*``)."""


Test = Equals | Wildcard | Range | Cidr | Exists


@dataclass(frozen=True, slots=True)
class Match:
    """``field`` (None: the original record, searched for the text anywhere in it)."""

    field: str | None
    test: Test


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


Node = Match | And | Or | Not


def word_parts(test: Test) -> tuple[str, ...]:
    """A bare word's test as wildcard parts (exact text: one literal part); the parser
    gives bare words no other test."""
    if isinstance(test, Wildcard):
        return test.parts
    if isinstance(test, Equals):
        return (test.text,)
    raise ValueError(f"a bare word cannot hold {test!r}")

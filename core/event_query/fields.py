"""What the query language knows about field names: which hold times, which are stored
verbatim (compared case-sensitively), which may hold addresses (CIDR), and what a valid
name looks like. Both engines and the parser read these, so they cannot disagree."""

from __future__ import annotations

import re

__all__ = [
    "FIELD_NAME",
    "TIME_FIELDS",
    "VERBATIM_FIELDS",
    "is_address_field",
]

# Dates on both engines (a date in the Elasticsearch template, ISO text in SQLite).
TIME_FIELDS = frozenset({"@timestamp", "event.ingested"})
# The header fields kept as written (keyword without the lowercase normalizer; plain
# columns in SQLite): matched case-sensitively. Every other field ignores case.
VERBATIM_FIELDS = frozenset({"event.id", "event.dataset", "organization.id"})
# Flattened ECS names: letters (any script), digits, and . _ - @ /
FIELD_NAME = re.compile(r"[\w.@/-]+")


def is_address_field(name: str) -> bool:
    """Whether Elasticsearch indexes the field as an address too (its ``.ip`` sub-field),
    which is what makes CIDR searchable there; SQLite follows the same list."""
    # imported here: the storage package imports this module while it initialises
    from core.storage.elasticsearch.mappings import ADDRESS_FIELDS, IP_FIELDS

    return name in IP_FIELDS or re.match(ADDRESS_FIELDS, name) is not None

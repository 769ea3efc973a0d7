"""The storage interface of event search (hunting) and saved searches, apart from
``base`` so the Store protocol stays readable; both engines implement it in their
``event_search`` and ``saved_searches`` modules, held to one contract by tests/contract.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.event_query.ast import Node
from core.events import Event

__all__ = ["EventFilter", "EventSearchStore", "SavedSearchStore"]


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events: the query's tree (None: every event), @timestamp in [start, end),
    and the agencies (None: every agency; empty: none)."""

    query: Node | None
    start: datetime | None = None
    end: datetime | None = None
    organization_ids: Sequence[str] | None = None


class EventSearchStore(Protocol):
    """Event search compiled by the engine itself (parameters only, no query parser of the
    engine). Text compares case-insensitively but on ``core.event_query.fields``'
    VERBATIM_FIELDS; values read as the codec stores them (text). Results are newest first:
    @timestamp to the millisecond (Elasticsearch's precision), then event id, descending."""

    def count(self, where: EventFilter) -> int: ...

    def page(self, where: EventFilter, *, limit: int, offset: int) -> builtins.list[Event]:
        """Newest first; ``offset`` past the matches gives []."""

    def stream(self, where: EventFilter) -> Iterator[Event]:
        """Every match, newest first, read a batch at a time (exports)."""

    def histogram(self, where: EventFilter, *, bucket_seconds: int) -> dict[int, int]:
        """Matches per bucket: bucket start (UNIX seconds, a multiple of ``bucket_seconds``)
        -> count; empty buckets are left out."""

    def top(self, where: EventFilter, field: str, *, limit: int) -> builtins.list[tuple[str, int]]:
        """The field's most frequent values among the matches, (value, count), most frequent
        first, ties by value; values lower-cased but on the verbatim fields."""


class SavedSearchStore(Protocol):
    """Saved searches as JSON documents the domain owns, keyed by id, with their owner and
    whether every colleague sees them."""

    def put(self, search_id: str, owner: str, shared: bool, document: str) -> None:
        """Create or replace."""

    def get(self, search_id: str) -> tuple[str, str, bool] | None:
        """(owner, document, shared), or None."""

    def visible(self, owner: str) -> builtins.list[str]:
        """The owner's own searches and every shared one, documents in id order."""

    def delete(self, search_id: str) -> bool:
        """Whether there was one to delete."""

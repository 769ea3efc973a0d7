"""The event search service: who may search what (agency isolation), the time range and
its histogram, a page of events, top values of a field, and streaming exports.

Every entry point takes the actor: a reporter's search is pinned to their own agency here,
whatever the caller asks, so the API, the pages and the CLI cannot forget it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from core.access import Action, Actor, require_right
from core.errors import InputError
from core.event_query.fields import FIELD_NAME, TIME_FIELDS
from core.event_query.parser import parse
from core.events import Event
from core.i18n import Lang, labels
from core.spreadsheet import csv_chunks
from core.storage import Store
from core.storage.codec import event_to_json
from core.storage.searching import EventFilter
from core.time_range import check_time

__all__ = [
    "DEFAULT_SPAN",
    "MAX_DEPTH",
    "PAGE_SIZE",
    "ExportFormat",
    "SearchResult",
    "TopValues",
    "bucket_for",
    "export",
    "scope",
    "search",
    "top_values",
]

DEFAULT_SPAN = timedelta(hours=24)  # no range given: the last day
PAGE_SIZE = 50
# How deep pages go (Elasticsearch's window of from + size); past it, export or narrow.
MAX_DEPTH = 10_000
TOP_LIMIT = 10
# Histogram buckets: the smallest of these giving at most TARGET_BARS bars.
_BUCKETS = (60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86_400, 7 * 86_400)
TARGET_BARS = 60
ExportFormat = Literal["csv", "jsonl"]
_CSV_COLUMNS = ("at_taipei", "event_id", "agency", "dataset", "host", "original")


def _forbidden_hint() -> str:
    return "searching events needs the right to view records (every role but partners)"


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    start: datetime
    end: datetime
    total: int
    page: int
    pages: int
    events: list[Event]
    bucket_seconds: int
    histogram: list[tuple[datetime, int]]  # every bucket of the range, empty ones too


@dataclass(frozen=True, slots=True)
class TopValues:
    field: str
    values: list[tuple[str, int]]  # most frequent first
    total: int  # matching events (a value's share is its count / total)


def bucket_for(start: datetime, end: datetime) -> int:
    """The histogram's bucket in seconds for the range."""
    span = (end - start).total_seconds()
    for size in _BUCKETS:
        if span / size <= TARGET_BARS:
            return size
    return _BUCKETS[-1] * max(1, int(span // (_BUCKETS[-1] * TARGET_BARS)) + 1)


def scope(
    actor: Actor, q: str, *, start: datetime | None, end: datetime | None, now: datetime
) -> EventFilter:
    """The filter the actor may run: the parsed query, the time range (the last day when
    none is given; ``end`` alone: the day before it), their agencies."""
    require_right(actor, Action.VIEW, _forbidden_hint(), "search")
    tree = parse(q)
    end = check_time(end, "to") if end is not None else now
    start = check_time(start, "from") if start is not None else end - DEFAULT_SPAN
    if start.tzinfo is None or end.tzinfo is None:
        raise InputError("from and to need a time zone", location="from", key="search_naive")
    if start >= end:
        raise InputError(
            f"the range is empty: from ({start.isoformat()}) must be before to ({end.isoformat()})",
            location="from",
            key="search_empty_range",
        )
    # to the millisecond, the precision Elasticsearch keeps (and SQLite's time index)
    start, end = _millis(start), _millis(end)
    return EventFilter(tree, start, end, actor.scope.agencies())


def _millis(at: datetime) -> datetime:
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def search(
    store: Store,
    actor: Actor,
    q: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
    now: datetime,
) -> SearchResult:
    where = scope(actor, q, start=start, end=end, now=now)
    assert where.start is not None and where.end is not None  # noqa: S101 - scope sets both
    if page < 1 or (page - 1) * per_page + per_page > MAX_DEPTH:
        raise InputError(
            f"page {page} is past the first {MAX_DEPTH} events: narrow the query or the "
            "time range, or export the results",
            location="page",
            key="search_page_too_deep",
            params={"limit": MAX_DEPTH},
        )
    bucket = bucket_for(where.start, where.end)
    counts = store.event_search.histogram(where, bucket_seconds=bucket)
    total = sum(counts.values())  # the histogram covers the range: one pass, not two
    events = store.event_search.page(where, limit=per_page, offset=(page - 1) * per_page)
    first = int(where.start.timestamp()) // bucket * bucket
    bars = [
        (datetime.fromtimestamp(b, UTC), counts.get(b, 0))
        for b in range(first, int(where.end.timestamp()), bucket)
    ]
    pages = max(1, min(-(-total // per_page), MAX_DEPTH // per_page))
    return SearchResult(q, where.start, where.end, total, page, pages, events, bucket, bars)


def top_values(
    store: Store,
    actor: Actor,
    q: str,
    field: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = TOP_LIMIT,
    now: datetime,
) -> TopValues:
    where = scope(actor, q, start=start, end=end, now=now)
    if not FIELD_NAME.fullmatch(field) or field in TIME_FIELDS or field == "event.original":
        raise InputError(
            f"cannot count the values of {field!r}: name a field such as host.name "
            "(times and the original record have no top values)",
            location="field",
            key="search_top_field",
            params={"field": field},
        )
    values = store.event_search.top(where, field, limit=limit)
    return TopValues(field, values, store.event_search.count(where))


def export(
    store: Store,
    actor: Actor,
    q: str,
    fmt: ExportFormat,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    lang: Lang = "zh",
    now: datetime,
) -> Iterator[bytes]:
    """Every matching event, newest first, as CSV (BOM, headers in ``lang``, Taipei times,
    formula-safe) or JSON lines (the stored ECS document). No row cap. Access and the query
    are checked before the first byte (call ``next`` once before streaming)."""
    require_right(actor, Action.EXPORT, "exporting events needs the export right", "search")
    where = scope(actor, q, start=start, end=end, now=now)
    events = store.event_search.stream(where)
    yield b""  # the checks above have passed: the caller may start the response
    if fmt == "jsonl":
        for event in events:
            yield (event_to_json(event) + "\n").encode()
        return
    t = labels(lang)
    rows = (
        (e.timestamp, e.event_id, e.organization_id, e.dataset, e.host_name or "", e.original)
        for e in events
    )
    yield from csv_chunks([t[f"search_col_{c}"] for c in _CSV_COLUMNS], rows)

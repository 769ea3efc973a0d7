"""Event search on Elasticsearch: the query's tree compiled to the query DSL (term,
wildcard, range, exists, bool; never ``query_string``), and the counts, pages, histogram
and top values over it.

Strings are ``keyword`` fields with the lowercase normalizer (core/storage/elasticsearch/
mappings.py), so text compares case-insensitively, as on SQLite; the verbatim header fields
compare as written. Numbers are stored as text: a range on numbers becomes the terms
query of the stored values inside it (see MAX_RANGE_VALUES). CIDR uses the ``.ip``
sub-field of the address fields.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from core.errors import InputError
from core.event_query.ast import (
    And,
    Cidr,
    Equals,
    Exists,
    Match,
    Node,
    Not,
    Or,
    Range,
    Wildcard,
    word_parts,
)
from core.event_query.fields import VERBATIM_FIELDS
from core.event_query.values import in_range
from core.events import Event
from core.storage.codec import event_from_dict
from core.storage.elasticsearch.client import SubStore
from core.storage.searching import EventFilter

__all__ = ["ElasticEventSearch", "compile_filter"]

_SORT: list[Any] = [
    {"@timestamp": {"order": "desc", "unmapped_type": "date"}},
    {"event.id": {"order": "desc", "unmapped_type": "keyword"}},
]
STREAM_BATCH = 1000
TOP_SHARD_SIZE = 1000  # terms per shard: exact counts for the top values of a hunt
# -?[0-9]+(\.[0-9]+)? checked by hand (regular expressions are off in Painless by default)
# A range on numbers reads the field's distinct values among the events in the window
# (a composite aggregation, paged) and keeps those that are numbers inside the range: the
# values are text (core.storage.codec), and the packaged node has no scripting. Fields with
# more distinct values than this are refused with a clear error rather than cut short.
MAX_RANGE_VALUES = 65_536  # also Elasticsearch's limit on a terms query
VALUES_PAGE = 10_000


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")


def _pattern(parts: tuple[str, ...]) -> str:
    return "".join(p if i % 2 else _escape(p) for i, p in enumerate(parts))


def _time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


Numbers = Callable[[str, Range], list[str]]  # field, range -> the stored values inside it


def _match(m: Match, numbers: Numbers) -> dict[str, Any]:
    test = m.test
    if m.field is None:  # the original record contains the text
        inner = _pattern(word_parts(test))
        return {"wildcard": {"event.original": {"value": f"*{inner}*", "case_insensitive": True}}}
    field = m.field
    folded = field not in VERBATIM_FIELDS
    if isinstance(test, Equals):
        return {"term": {field: {"value": test.text, "case_insensitive": folded}}}
    if isinstance(test, Wildcard):
        return {"wildcard": {field: {"value": _pattern(test.parts), "case_insensitive": folded}}}
    if isinstance(test, Exists):
        return {"exists": {"field": field}}
    if isinstance(test, Cidr):
        return {"term": {f"{field}.ip": str(test.network)}}
    return _range(field, test, numbers)


def _range(field: str, r: Range, numbers: Numbers) -> dict[str, Any]:
    if isinstance(r.low, datetime) or isinstance(r.high, datetime):
        bounds: dict[str, str] = {}
        if isinstance(r.low, datetime):
            bounds["gte" if r.include_low else "gt"] = _time(r.low)
        if isinstance(r.high, datetime):
            bounds["lte" if r.include_high else "lt"] = _time(r.high)
        return {"range": {field: bounds}}
    values = numbers(field, r)
    return {"terms": {field: values}} if values else {"match_none": {}}


def _node(node: Node, numbers: Numbers) -> dict[str, Any]:
    if isinstance(node, And):
        return {"bool": {"filter": [_node(n, numbers) for n in node.items]}}
    if isinstance(node, Or):
        items = [_node(n, numbers) for n in node.items]
        return {"bool": {"should": items, "minimum_should_match": 1}}
    if isinstance(node, Not):
        return {"bool": {"must_not": [_node(node.item, numbers)]}}
    return _match(node, numbers)


def _scope(where: EventFilter) -> list[dict[str, Any]]:
    """The agencies and the time window as filters."""
    filters: list[dict[str, Any]] = []
    if where.organization_ids is not None:
        filters.append({"terms": {"organization.id": list(where.organization_ids)}})
    if where.start is not None or where.end is not None:
        window: dict[str, str] = {}
        if where.start is not None:
            window["gte"] = _time(where.start)
        if where.end is not None:
            window["lt"] = _time(where.end)
        filters.append({"range": {"@timestamp": window}})
    return filters


def compile_filter(where: EventFilter, numbers: Numbers) -> dict[str, Any]:
    """The filter as one bool query (``numbers`` resolves ranges on numbers)."""
    filters = _scope(where)
    if where.query is not None:
        filters.append(_node(where.query, numbers))
    return {"bool": {"filter": filters}}


class ElasticEventSearch(SubStore):
    def _compile(self, where: EventFilter) -> dict[str, Any]:
        scope = _scope(where)
        return compile_filter(where, lambda field, r: self._numbers(scope, field, r))

    def _numbers(self, scope: list[dict[str, Any]], field: str, r: Range) -> list[str]:
        query = {"bool": {"filter": [*scope, {"exists": {"field": field}}]}}
        found: list[str] = []
        seen = 0
        after: dict[str, Any] | None = None
        while True:
            composite: dict[str, Any] = {
                "size": VALUES_PAGE,
                "sources": [{"v": {"terms": {"field": field}}}],
            }
            if after is not None:
                composite["after"] = after
            result = self._search(query=query, size=0, aggs={"v": {"composite": composite}})
            agg = result.get("aggregations", {}).get("v", {})
            buckets = agg.get("buckets", [])
            seen += len(buckets)
            if seen > MAX_RANGE_VALUES:
                raise InputError(
                    f"{field} has more than {MAX_RANGE_VALUES} distinct values in this time "
                    "range: narrow the time range to search it by a range of numbers",
                    location="q",
                    key="search_range_values",
                    params={"field": field, "limit": MAX_RANGE_VALUES},
                )
            found += [str(b["key"]["v"]) for b in buckets if in_range(str(b["key"]["v"]), r)]
            if len(buckets) < VALUES_PAGE or "after_key" not in agg:
                return found
            after = agg["after_key"]

    def _search(self, **body: Any) -> dict[str, Any]:
        self._db.refresh_events()
        result: dict[str, Any] = self.es.search(
            index=self._db.events_pattern,
            allow_no_indices=True,
            ignore_unavailable=True,
            **body,
        ).body
        return result

    def _event(self, source: dict[str, Any]) -> Event:
        return event_from_dict(source, skip=("pos",))

    def count(self, where: EventFilter) -> int:
        self._db.refresh_events()
        result = self.es.count(
            index=self._db.events_pattern,
            query=self._compile(where),
            allow_no_indices=True,
            ignore_unavailable=True,
        )
        return int(result["count"])

    def page(self, where: EventFilter, *, limit: int, offset: int) -> builtins.list[Event]:
        found = self._search(query=self._compile(where), sort=_SORT, from_=offset, size=limit)
        return [self._event(h["_source"]) for h in found["hits"]["hits"]]

    def stream(self, where: EventFilter) -> Iterator[Event]:
        self._db.refresh_events()
        for hit in self._db.search_hits(self._db.events_pattern, self._compile(where), _SORT):
            yield self._event(hit["_source"])

    def histogram(self, where: EventFilter, *, bucket_seconds: int) -> dict[int, int]:
        aggs = {
            "h": {
                "date_histogram": {
                    "field": "@timestamp",
                    "fixed_interval": f"{bucket_seconds}s",
                    "min_doc_count": 1,
                }
            }
        }
        result = self._search(query=self._compile(where), size=0, aggs=aggs)
        buckets = result.get("aggregations", {}).get("h", {}).get("buckets", [])
        return {int(b["key"]) // 1000: int(b["doc_count"]) for b in buckets}

    def top(self, where: EventFilter, field: str, *, limit: int) -> builtins.list[tuple[str, int]]:
        aggs = {
            "t": {
                "terms": {
                    "field": field,
                    "size": limit,
                    "shard_size": max(TOP_SHARD_SIZE, limit),
                    "order": [{"_count": "desc"}, {"_key": "asc"}],
                }
            }
        }
        result = self._search(query=self._compile(where), size=0, aggs=aggs)
        buckets = result.get("aggregations", {}).get("t", {}).get("buckets", [])
        return [(str(b["key"]), int(b["doc_count"])) for b in buckets]

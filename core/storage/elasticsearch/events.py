"""Events on Elasticsearch: the event document (flat ECS names plus ``pos``), reads, and the
Sigma scan over named Lucene queries."""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from typing import Any

from elasticsearch import ApiError

from core.errors import NotFoundError as Missing
from core.errors import RuleError
from core.events import Event
from core.storage.codec import event_from_dict, event_to_dict
from core.storage.elasticsearch.client import SubStore
from core.storage.records import ScanHit

HEAVY_WILDCARDS = 500  # a condition with more wildcards than this gets a search of its own
SCAN_PART = 10  # named queries per search (halved while the node's breaker objects)


class ElasticEvents(SubStore):
    def append(self, events: Sequence[Event]) -> int:
        if not events:
            return 0
        return self._db.write_events(events)

    def _doc(self, source: dict[str, Any]) -> Event:
        return event_from_dict(source, skip=("pos",))

    def get(self, event_id: str) -> Event:
        self._db.refresh_events()
        found = self.es.search(
            index=self._db.events_pattern, query={"ids": {"values": [event_id]}}, size=1
        )["hits"]["hits"]
        if not found:
            raise Missing(f"no event {event_id}", location="event")
        return self._doc(found[0]["_source"])

    def count(self, *, organization_id: str | None = None) -> int:
        self._db.refresh_events()
        query = {"term": {"organization.id": organization_id}} if organization_id else None
        result = self.es.count(
            index=self._db.events_pattern,
            query=query,
            allow_no_indices=True,
            ignore_unavailable=True,
        )
        return int(result["count"])

    def last_position(self) -> int:
        self._db.refresh_events()
        result = self.es.search(
            index=self._db.events_pattern,
            size=0,
            aggs={"last": {"max": {"field": "pos"}}},
            allow_no_indices=True,
            ignore_unavailable=True,
        )
        value = result["aggregations"]["last"]["value"] if "aggregations" in result else None
        return int(value or 0)

    def list(self, *, limit: int = 100, offset: int = 0) -> builtins.list[Event]:
        self._db.refresh_events()
        hits = self.es.search(
            index=self._db.events_pattern,
            sort=[{"pos": "asc"}],
            from_=offset,
            size=limit,
            allow_no_indices=True,
            ignore_unavailable=True,
        )["hits"]["hits"]
        return [self._doc(h["_source"]) for h in hits]

    def scan(
        self,
        conditions: Sequence[str],
        *,
        after: int,
        upto: int,
        prefilter: str | None = None,
        failed: dict[int, str] | None = None,
    ) -> Iterator[ScanHit]:
        """Conditions are Lucene queries; each is a named query in a bool ``should``, so one
        search per part returns every event matching any of them with the names that did.

        A part the node refuses (a query it cannot parse, or its memory breaker) is halved
        until the refused condition is alone; that one is recorded in ``failed`` (when given)
        and the scan goes on. Conditions with very many wildcards run alone from the start,
        so the breaker trips once for such a rule, not once per halving."""
        if not conditions:
            return
        self._db.refresh_events()
        window: dict[str, Any] = {"range": {"pos": {"gt": after, "lte": upto}}}
        filters: list[dict[str, Any]] = [window]
        if prefilter:
            filters.append(_lucene(prefilter))
        hits: dict[int, tuple[dict[str, Any], builtins.list[int]]] = {}
        heavy = {i for i, c in enumerate(conditions) if c.count("*") > HEAVY_WILDCARDS}
        light = [i for i in range(len(conditions)) if i not in heavy]
        pending = [[i] for i in sorted(heavy)] + [
            light[n : n + SCAN_PART] for n in range(0, len(light), SCAN_PART)
        ]
        while pending:
            part = pending.pop()
            should = [_lucene(conditions[i], name=str(i)) for i in part]
            query = {"bool": {"filter": filters, "should": should, "minimum_should_match": 1}}
            try:
                found = list(self._db.search_hits(self._db.events_pattern, query, [{"pos": "asc"}]))
            except ApiError as exc:
                if exc.meta.status not in (400, 429):
                    raise
                if len(part) > 1:  # find the refused condition: ask for less
                    half = len(part) // 2
                    pending += [part[:half], part[half:]]
                    continue
                if failed is None:
                    raise RuleError(f"detection query failed: {_reason(exc)}") from exc
                failed[part[0]] = f"detection query failed: {_reason(exc)}"
                continue
            for hit in found:
                pos = int(hit["_source"]["pos"])
                entry = hits.setdefault(pos, (hit["_source"], []))
                entry[1].extend(int(n) for n in hit.get("matched_queries", []))
        for pos in sorted(hits):
            source, matched = hits[pos]
            yield ScanHit(rowid=pos, event=self._doc(source), matched=sorted(matched))


def _lucene(query: str, *, name: str | None = None) -> dict[str, Any]:
    """Sigma's Lucene output; bare keywords search the original record, as on SQLite."""
    body: dict[str, Any] = {"query": query, "default_field": "event.original"}
    if name is not None:
        body["_name"] = name
    return {"query_string": body}


def _reason(exc: ApiError) -> str:
    try:
        cause = exc.body["error"]["root_cause"][0]
        return f"{cause.get('type')}: {cause.get('reason')}"
    except (KeyError, IndexError, TypeError):
        return str(exc)


def event_document(event: Event, pos: int) -> dict[str, Any]:
    """The event as the codec's flat ECS document, with its position of arrival."""
    return event_to_dict(event) | {"pos": pos}

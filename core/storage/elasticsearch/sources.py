"""Sources on Elasticsearch: each source's last event and its events per hour, and dead
letters per source text, as aggregations (no event is loaded; see core.sources).

A source is the first field present of SOURCE_FIELDS, which a query cannot compute without
a script (the test distribution has none): one filtered composite aggregation per kind,
each excluding the events an earlier kind names."""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from core.sources import SOURCE_FIELDS, SourceActivity, source_name
from core.storage.elasticsearch.client import SubStore

__all__ = ["ElasticSources"]

_PAGE = 1000  # composite buckets per request


class ElasticSources(SubStore):
    def activity(
        self,
        *,
        since: datetime,
        until: datetime,
        organization_ids: Sequence[str] | None = None,
    ) -> builtins.list[SourceActivity]:
        if organization_ids is not None and not organization_ids:
            return []
        self._db.refresh_events()
        found: list[SourceActivity] = []
        for n, (name, kind) in enumerate(SOURCE_FIELDS):
            filters: list[dict[str, Any]] = [{"exists": {"field": name}}]
            if organization_ids is not None:
                filters.append({"terms": {"organization.id": list(organization_ids)}})
            earlier = [{"exists": {"field": f}} for f, _ in SOURCE_FIELDS[:n]]
            query = {"bool": {"filter": filters, "must_not": earlier}}
            hours = {"gte": _hour(since).isoformat(), "lt": _hour(until).isoformat()}
            window = {"range": {"@timestamp": hours}}
            aggs: dict[str, Any] = {
                "last": {"max": {"field": "@timestamp"}},
                "window": {
                    "filter": window,
                    "aggs": {
                        "hours": {
                            "date_histogram": {
                                "field": "@timestamp",
                                "fixed_interval": "1h",
                                "min_doc_count": 1,
                            }
                        }
                    },
                },
            }
            keys = [
                {"org": {"terms": {"field": "organization.id"}}},
                {"value": {"terms": {"field": name}}},
            ]
            for bucket in self._composite(self._db.events_pattern, query, keys, aggs):
                hours = bucket["window"]["hours"]["buckets"]
                found.append(
                    SourceActivity(
                        organization_id=bucket["key"]["org"],
                        source=source_name(kind, str(bucket["key"]["value"])),
                        last_seen=_time(bucket["last"]["value"]),
                        hourly={_time(h["key"]): int(h["doc_count"]) for h in hours},
                    )
                )
        return sorted(found, key=lambda a: (a.organization_id, a.source))

    def dead_letters(self, *, since: datetime, until: datetime) -> dict[str, int]:
        index = self._index("dead-letters")
        self._db.refresh(index)
        query = {"range": {"received_at": {"gte": since.isoformat(), "lt": until.isoformat()}}}
        keys = [{"source": {"terms": {"field": "source"}}}]
        return {
            str(b["key"]["source"]): int(b["doc_count"])
            for b in self._composite(index, query, keys, {})
        }

    def _composite(
        self,
        index: str,
        query: dict[str, Any],
        keys: list[dict[str, Any]],
        aggs: dict[str, Any],
    ) -> Iterator[dict[str, Any]]:
        """Every bucket of a composite aggregation, page by page."""
        after: dict[str, Any] | None = None
        while True:
            composite: dict[str, Any] = {"size": _PAGE, "sources": keys}
            if after is not None:
                composite["after"] = after
            body: dict[str, Any] = {"composite": composite}
            if aggs:
                body["aggs"] = aggs
            result = self.es.search(
                index=index,
                query=query,
                size=0,
                aggs={"sources": body},
                allow_no_indices=True,
                ignore_unavailable=True,
            )
            part = result.get("aggregations", {}).get("sources")
            if not part:
                return
            yield from part["buckets"]
            after = part.get("after_key")
            if after is None or len(part["buckets"]) < _PAGE:
                return


def _hour(at: datetime) -> datetime:
    """The start of the hour holding ``at`` (UTC): windows are whole hours."""
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _time(millis: float) -> datetime:
    return datetime.fromtimestamp(millis / 1000, UTC)

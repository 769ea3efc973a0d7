"""Trends: alerts and events counted per Taipei hour or day by aggregations.

A composite aggregation (a date histogram in +08:00 beside a terms source), paged by its
``after_key``, so the counts are exact however many agencies or rules there are; the
record indices have one shard, so the "top" terms aggregations are exact too."""

from __future__ import annotations

import builtins
from datetime import UTC, datetime
from typing import Any

from core.storage.elasticsearch.client import SubStore
from core.trends import AlertDimension, Bucket, Count, TopField, TrendWindow

__all__ = ["ElasticTrends"]

_INTERVAL = {Bucket.HOUR: "1h", Bucket.DAY: "1d"}
_ALERT_KEY = {
    AlertDimension.AGENCY: "org",
    AlertDimension.RULE: "rule_id",
    AlertDimension.SEVERITY: "severity",
}
_TOP_KEY = {TopField.RULE: "rule_id", TopField.HOST: "host"}


def _query(window: TrendWindow, time: str, org: str) -> dict[str, Any]:
    bounds = {
        "gte": window.since.astimezone(UTC).replace(microsecond=0).isoformat(),
        "lt": window.until.astimezone(UTC).replace(microsecond=0).isoformat(),
    }
    filters: list[dict[str, Any]] = [{"range": {time: bounds}}]
    if window.organization_ids is not None:
        filters.append({"terms": {org: list(window.organization_ids)}})
    return {"bool": {"filter": filters}}


class ElasticTrends(SubStore):
    def _series(
        self, index: str, window: TrendWindow, time: str, org: str, key: str
    ) -> builtins.list[Count]:
        out: builtins.list[Count] = []
        after: dict[str, Any] | None = None
        while True:
            composite: dict[str, Any] = {
                "size": 1000,
                "sources": [
                    {
                        "b": {
                            "date_histogram": {
                                "field": time,
                                "calendar_interval": _INTERVAL[window.bucket],
                                "time_zone": "+08:00",
                            }
                        }
                    },
                    {"k": {"terms": {"field": key}}},
                ],
            }
            if after:
                composite["after"] = after
            result = self.es.search(
                index=index,
                size=0,
                query=_query(window, time, org),
                aggs={"series": {"composite": composite}},
                allow_no_indices=True,
                ignore_unavailable=True,
            )
            found = result.get("aggregations", {}).get("series", {})
            buckets = found.get("buckets", [])
            out.extend(
                Count(
                    key=str(b["key"]["k"]),
                    count=int(b["doc_count"]),
                    at=datetime.fromtimestamp(b["key"]["b"] / 1000, UTC),
                )
                for b in buckets
            )
            after = found.get("after_key")
            if not buckets or after is None:
                return out

    def alert_series(self, window: TrendWindow, by: AlertDimension) -> builtins.list[Count]:
        index = self._index("alerts")
        self._db.refresh(index)
        return self._series(index, window, "event_at", "org", _ALERT_KEY[by])

    def event_series(self, window: TrendWindow) -> builtins.list[Count]:
        self._db.refresh_events()
        return self._series(
            self._db.events_pattern, window, "@timestamp", "organization.id", "organization.id"
        )

    def top_alerts(self, window: TrendWindow, field: TopField, limit: int) -> builtins.list[Count]:
        index = self._index("alerts")
        self._db.refresh(index)
        terms: dict[str, Any] = {
            "field": _TOP_KEY[field],
            "size": limit,
            "order": [{"_count": "desc"}, {"_key": "asc"}],
        }
        agg: dict[str, Any] = {"terms": terms}
        if field is TopField.RULE:  # the title beside the id: the first, as SQLite's min()
            agg["aggs"] = {
                "title": {"terms": {"field": "rule_title", "size": 1, "order": {"_key": "asc"}}}
            }
        result = self.es.search(
            index=index, size=0, query=_query(window, "event_at", "org"), aggs={"top": agg}
        )
        out = []
        for b in result["aggregations"]["top"]["buckets"]:
            titles = b.get("title", {}).get("buckets", [])
            out.append(
                Count(
                    key=str(b["key"]),
                    count=int(b["doc_count"]),
                    label=str(titles[0]["key"]) if titles else None,
                )
            )
        return out

"""Alerts: one document per alert, its filterable fields beside the whole alert as JSON."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from core.alerts import ALL_ALERTS, Alert, AlertGroup, AlertQuery, AlertStatus, Severity
from core.errors import NotFoundError as Missing
from core.storage.codec import alert_from_dict, alert_to_dict
from core.storage.elasticsearch.client import SubStore

# Wildcard syntax in what a person types is taken literally (core.alerts.AlertQuery).
_WILDCARD_SYNTAX = str.maketrans({c: "\\" + c for c in "\\*?"})


def _contains(field: str, text: str) -> dict[str, Any]:
    """Part of a keyword field, case-insensitively, the user's text escaped."""
    pattern = f"*{text.translate(_WILDCARD_SYNTAX)}*"
    return {"wildcard": {field: {"value": pattern, "case_insensitive": True}}}


class ElasticAlerts(SubStore):
    def add(self, alerts: Sequence[Alert]) -> int:
        if not alerts:
            return 0
        actions = [
            {
                "_op_type": "create",
                "_index": self._index("alerts"),
                "_id": a.id,
                "_source": alert_to_dict(a),
            }
            for a in alerts
        ]
        return self._db.bulk(actions, conflicts_ok=True)

    def get(self, alert_id: str) -> Alert:
        source = self._db.get(self._index("alerts"), alert_id)
        if source is None:
            raise Missing(f"no alert {alert_id}", location="alert")
        return alert_from_dict(source)

    @staticmethod
    def _query(q: AlertQuery) -> dict[str, Any] | None:
        filters: list[dict[str, Any]] = [
            {"term": {field: value}} for field, value in q.exact().items()
        ]
        if q.rule_prefix is not None:
            filters.append({"prefix": {"rule_id": q.rule_prefix}})
        if q.host_contains is not None:
            filters.append(_contains("host", q.host_contains))
        if q.rule_contains is not None:
            either = [_contains(f, q.rule_contains) for f in ("rule_id", "rule_title")]
            filters.append({"bool": {"should": either, "minimum_should_match": 1}})
        bounds = {
            op: bound.astimezone(UTC).replace(microsecond=0).isoformat()
            for op, bound in (("gte", q.since), ("lt", q.until))
            if bound is not None
        }
        if bounds:
            filters.append({"range": {"event_at": bounds}})
        return {"bool": {"filter": filters}} if filters else None

    def list(
        self, query: AlertQuery = ALL_ALERTS, *, limit: int = 100, offset: int = 0
    ) -> builtins.list[Alert]:
        order = "desc" if query.newest_first else "asc"
        sort = [{"created_at": order}, {"id": order}]
        hits = self._db.page(self._index("alerts"), self._query(query), sort, limit, offset)
        return [alert_from_dict(h) for h in hits]

    def count(self, query: AlertQuery = ALL_ALERTS) -> int:
        return self._db.count(self._index("alerts"), self._query(query))

    def assign(self, alert_ids: Sequence[str], *, assignee: str | None) -> int:
        return self._rewrite(alert_ids, {"assignee": assignee})

    def update_status(
        self,
        alert_ids: Sequence[str],
        *,
        status: AlertStatus,
        reason: str | None,
        incident_id: str | None,
    ) -> int:
        return self._rewrite(
            alert_ids, {"status": status, "status_reason": reason, "incident_id": incident_id}
        )

    def _rewrite(self, alert_ids: Sequence[str], update: dict[str, object]) -> int:
        actions = []
        for alert_id in alert_ids:
            source = self._db.get(self._index("alerts"), alert_id)
            if source is None:
                continue
            alert = alert_from_dict(source).model_copy(update=update)
            actions.append(
                {"_index": self._index("alerts"), "_id": alert_id, "_source": alert_to_dict(alert)}
            )
        self._db.bulk(actions)
        return len(actions)

    def groups(self, *, status: AlertStatus = AlertStatus.NEW) -> builtins.list[AlertGroup]:
        """One bucket per group key (a composite aggregation, paged), never the documents."""
        out = []
        after: dict[str, Any] | None = None
        self._db.refresh(self._index("alerts"))
        while True:
            composite: dict[str, Any] = {
                "size": 1000,
                "sources": [{"key": {"terms": {"field": "group_key"}}}],
            }
            if after:
                composite["after"] = after
            result = self.es.search(
                index=self._index("alerts"),
                size=0,
                query={"term": {"status": status.value}},
                aggs={
                    "groups": {
                        "composite": composite,
                        "aggs": {
                            "first": {"min": {"field": "event_at"}},
                            "last": {"max": {"field": "event_at"}},
                            "created": {"min": {"field": "created_at"}},
                            "sample": {
                                "top_hits": {
                                    "size": 1,
                                    "sort": [{"rule_id": "asc"}],
                                    "_source": ["rule_id", "rule_title", "severity", "org", "host"],
                                }
                            },
                        },
                    }
                },
            )
            buckets = result["aggregations"]["groups"]["buckets"]
            for b in buckets:
                sample = b["sample"]["hits"]["hits"][0]["_source"]
                out.append(
                    (
                        b["created"]["value"],
                        AlertGroup(
                            key=b["key"]["key"],
                            count=int(b["doc_count"]),
                            rule_id=sample["rule_id"],
                            rule_title=sample["rule_title"],
                            severity=Severity(sample["severity"]),
                            organization_id=sample["org"],
                            host_name=sample.get("host"),
                            first_at=datetime.fromisoformat(b["first"]["value_as_string"]),
                            last_at=datetime.fromisoformat(b["last"]["value_as_string"]),
                        ),
                    )
                )
            after = result["aggregations"]["groups"].get("after_key")
            if not buckets or after is None:
                break
        return [g for _, g in sorted(out, key=lambda item: item[0])]

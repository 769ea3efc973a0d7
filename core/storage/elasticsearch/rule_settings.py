"""Rule management: per-rule documents by kind, detection run timings, alert tallies."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from core.alerts import AlertStatus
from core.storage.base import RuleSettingKind, RuleTally
from core.storage.elasticsearch.client import SubStore

__all__ = ["ElasticRuleSettings"]

# More rules than any pack holds (SigmaHQ's Windows rules: ~2,400) plus indicator rules.
TALLY_RULES = 20_000


class ElasticRuleSettings(SubStore):
    def put(self, kind: RuleSettingKind, key: str, document: str) -> None:
        self._db.put(
            self._index("rule-settings"),
            f"{kind}:{key}",
            {"kind": kind, "key": key, "doc": document},
        )

    def get(self, kind: RuleSettingKind, key: str) -> str | None:
        source = self._db.get(self._index("rule-settings"), f"{kind}:{key}")
        return None if source is None else str(source["doc"])

    def delete(self, kind: RuleSettingKind, key: str) -> bool:
        index = self._index("rule-settings")
        answer = self.es.options(ignore_status=404).delete(index=index, id=f"{kind}:{key}")
        self._db.refresh(index)
        return bool(answer.get("result") == "deleted")

    def list(self, kind: RuleSettingKind) -> builtins.list[str]:
        found = self._all("rule-settings", {"term": {"kind": kind}}, [{"key": "asc"}])
        return [str(s["doc"]) for s in found]

    def add_run(self, run_id: str, at: datetime, document: str, *, keep: int) -> None:
        index = self._index("rule-runs")
        self._db.put(index, run_id, {"id": run_id, "at": at.isoformat(), "doc": document})
        self._db.refresh(index)
        old = self.es.search(
            index=index, sort=[{"at": "desc"}, {"id": "desc"}], from_=keep, size=1000, source=False
        )["hits"]["hits"]
        if old:
            self._db.bulk([{"_op_type": "delete", "_index": index, "_id": h["_id"]} for h in old])

    def runs(self, *, limit: int = 20) -> builtins.list[str]:
        found = self._db.page(
            self._index("rule-runs"), None, [{"at": "desc"}, {"id": "desc"}], limit, 0
        )
        return [str(s["doc"]) for s in found]

    def tally(self, *, since: datetime, until: datetime) -> builtins.list[RuleTally]:
        index = self._index("alerts")
        self._db.refresh(index)
        created: dict[str, Any] = {"gte": since.isoformat(), "lt": until.isoformat()}
        result = self.es.search(
            index=index,
            size=0,
            query={"range": {"created_at": created}},
            aggs={
                "rules": {
                    "terms": {"field": "rule_id", "size": TALLY_RULES, "order": {"_key": "asc"}},
                    "aggs": {
                        "dismissed": {"filter": {"term": {"status": AlertStatus.FALSE_POSITIVE}}},
                        "last": {"max": {"field": "created_at"}},
                    },
                }
            },
        )
        return [
            RuleTally(
                rule_id=str(b["key"]),
                alerts=int(b["doc_count"]),
                dismissed=int(b["dismissed"]["doc_count"]),
                last_at=datetime.fromisoformat(b["last"]["value_as_string"]),
            )
            for b in result["aggregations"]["rules"]["buckets"]
        ]

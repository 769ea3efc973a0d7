"""The Elasticsearch engine: the same storage interface on indices CitySOC creates itself.

Layout (``<p>`` is the index prefix, ``citysoc`` by default):

* ``<p>-events-000001``, ``-000002``, ... behind the write alias ``<p>-events`` (roll it over
  by age or size, then delete old indices, for retention), from the index template
  ``<p>-events``: flat dotted ECS names (``subobjects: false``), every string a ``keyword``
  with the built-in ``lowercase`` normalizer (Sigma matching is case-insensitive, as on
  SQLite), addresses as ``ip`` (CIDR queries), ``@timestamp`` a date, ``event.original``
  kept whole in ``_source``. The event id is the document id and documents are created,
  never overwritten, so re-reading a file adds nothing.
* one index per other record kind (alerts, incidents, audit, ...), documents keyed as the
  SQLite tables are.

Detections need a total order of arrival: each event gets a ``pos`` from a counter document
(reserved a batch at a time under a lock, so positions become visible in order). Incidents use
``if_seq_no``/``if_primary_term``; the audit chain appends with ``op_type=create`` on the next
sequence number, so two writers cannot both extend the same link. When the node cannot be
reached during ingest, event batches wait in a durable spool on disk (see ``spool``) and are
written, idempotently, when it returns.
"""

from __future__ import annotations

import base64
import builtins
import functools
import inspect
import json
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from elasticsearch import (
    ApiError,
    ConnectionError,
    Elasticsearch,
    NotFoundError,
    OrjsonSerializer,
    helpers,
)
from elasticsearch import ConflictError as EsConflict
from elasticsearch import TransportError as EsTransportError

from core.alerts import ALL_ALERTS, Alert, AlertGroup, AlertQuery, AlertStatus, Severity
from core.assets import Asset, AssetChange, ChangeKind, OpenPort, ScanRecord, ScanStatus
from core.errors import ConflictError, RuleError, UnavailableError
from core.errors import NotFoundError as Missing
from core.events import DeadLetter, Event, FieldValue
from core.storage.base import GENESIS_HASH, SharedObject, VersionFilter, audit_hash
from core.storage.spool import Spool

log = logging.getLogger("citysoc.store")

__all__ = ["ElasticStore", "EVENT_TEMPLATE"]

KEYWORD_LIMIT = 8191  # characters; longer strings are kept in _source but not indexed
IP_FIELDS = ("source.ip", "destination.ip", "client.ip", "server.ip", "host.ip")
# from/size paging reaches this deep into record indices (their max_result_window; the
# default 10,000 is a page 200 of the alert queue); past it, search_after over sort values.
RESULT_WINDOW = 200_000
HEAVY_WILDCARDS = 500  # a condition with more wildcards than this gets a search of its own
SCAN_PART = 10  # named queries per search (halved while the node's breaker objects)
SCAN_PAGE = 1000
SEARCH_TIMEOUT = 900.0  # seconds
UPDATE_ATTEMPTS = 100  # compare-and-set retries before a contended document is "busy"

ADDRESS_FIELDS = r"(?i)^.*(ip|ipaddress|address|addr)$"  # names whose values may be addresses
_KEYWORD: dict[str, Any] = {
    "type": "keyword",
    "normalizer": "lowercase",
    "ignore_above": KEYWORD_LIMIT,
}
_IP: dict[str, Any] = {"type": "ip", "ignore_malformed": True}

EVENT_TEMPLATE: dict[str, Any] = {
    "settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "1s"},
    "mappings": {
        "subobjects": False,
        "dynamic_templates": [
            {
                "addresses": {  # keyword for wildcards, plus an ip sub-field for CIDR rules
                    "match_mapping_type": "string",
                    "match_pattern": "regex",
                    "match": ADDRESS_FIELDS,
                    "mapping": {**_KEYWORD, "fields": {"ip": _IP}},
                }
            },
            {
                "strings": {
                    "match_mapping_type": "*",
                    "mapping": {
                        "type": "keyword",
                        "normalizer": "lowercase",
                        "ignore_above": KEYWORD_LIMIT,
                    },
                }
            },
        ],
        "properties": {
            "pos": {"type": "long"},
            "@timestamp": {"type": "date"},
            "event.id": {"type": "keyword"},
            "event.dataset": {"type": "keyword"},
            "organization.id": {"type": "keyword"},
            **{f: {**_KEYWORD, "fields": {"ip": _IP}} for f in IP_FIELDS},
        },
    },
}


def _keyword(*names: str) -> dict[str, Any]:
    return {n: {"type": "keyword"} for n in names}


def _stored(name: str = "doc") -> dict[str, Any]:
    return {name: {"type": "keyword", "index": False, "doc_values": False}}


_WINDOW = {"max_result_window": RESULT_WINDOW}

# Record kinds: index suffix -> explicit properties (dynamic mapping is off for these).
_RECORDS: dict[str, dict[str, Any]] = {
    "meta": {"value": {"type": "long"}},
    "dead-letters": {
        "id": {"type": "long"},
        "received_at": {"type": "date"},
        **_keyword("source", "position"),
        **_stored("reason"),
        **_stored("raw"),
    },
    "alerts": {
        **_keyword("id", "rule_id", "severity", "org", "host", "group_key", "status"),
        **_keyword("incident_id", "rule_title", "assignee"),
        "created_at": {"type": "date"},
        "event_at": {"type": "date"},
        **_stored(),
    },
    "incidents": {**_keyword("id", "org"), "version": {"type": "long"}, **_stored()},
    "audit": {
        "seq": {"type": "long"},
        "at": {"type": "keyword"},
        **_keyword("actor", "action", "subject", "prev_hash", "hash"),
        **_stored("detail"),
    },
    "checkpoints": {"key": {"type": "keyword"}, "value": {"type": "long"}},
    "cache": {"key": {"type": "keyword"}, **_stored("value")},
    "assets": {**_keyword("address", "org"), "hostname": {"type": "keyword"}, **_stored()},
    "asset-changes": {"id": {"type": "long"}, **_keyword("org"), **_stored()},
    "scans": {"id": {"type": "long"}, **_keyword("target", "org"), **_stored()},
    "drills": {**_keyword("id", "org"), **_stored()},
    "users": {**_keyword("username"), **_stored()},
    "tokens": {**_keyword("id", "username", "hash"), **_stored()},
    "sessions": {**_keyword("hash", "username"), **_stored()},
    "taxii-objects": {
        "seq": {"type": "long"},
        **_keyword("collection", "id", "type", "version", "date_added", "tlp"),
        **_stored(),
    },
    "taxii-status": {**_stored()},
    "watchlist": {**_keyword("id", "partner"), **_stored()},
}


def _text(value: FieldValue) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True, slots=True)
class ElasticScanHit:
    rowid: int
    event: Event
    matched: Sequence[int]


@dataclass(frozen=True, slots=True)
class ElasticAuditRow:
    seq: int
    at: datetime
    actor: str
    action: str
    subject: str
    detail: str
    prev_hash: str
    hash: str


_BUSY = frozenset({429, 502, 503, 504})  # the node is overloaded or going away: try later


class _Rejected(UnavailableError):
    """The node refused some events of a bulk write; ``transient`` when every refusal was
    "not now" (429, 5xx, a block) rather than a problem with the events."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message, location="store")
        self.transient = transient


def _transient_status(status: object) -> bool:
    return isinstance(status, int) and (status == 429 or status >= 500)


def _transient(exc: BaseException) -> bool:
    """Will the same write succeed later? Unreachable, timeouts, 429/5xx, blocks: yes."""
    if isinstance(exc, _Rejected):
        return exc.transient
    if isinstance(exc, ApiError):
        return _transient_status(exc.meta.status) or "cluster_block_exception" in str(exc)
    return isinstance(exc, (ConnectionError, EsTransportError, UnavailableError))


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def _unavailable(url: str, exc: Exception) -> UnavailableError:
    return UnavailableError(
        f"Elasticsearch at {url} is unavailable ({type(exc).__name__}: {exc}); check that "
        "the node is running and reachable, then retry",
        location="store",
    )


def _translating(method: Callable[..., Any]) -> Callable[..., Any]:
    """The store contract: engine errors leave as core.errors. Unreachable or overloaded
    nodes become UnavailableError (503 over HTTP); anything else is a bug and stays loud.
    Generators are translated while they are consumed."""

    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def generator(self: _Part, *args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from method(self, *args, **kwargs)
            except (ConnectionError, EsTransportError, ApiError) as exc:
                _raise_if_unavailable(self._db.url, exc)
                raise

        return generator

    @functools.wraps(method)
    def call(self: _Part, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except (ConnectionError, EsTransportError, ApiError) as exc:
            _raise_if_unavailable(self._db.url, exc)
            raise

    return call


def _raise_if_unavailable(url: str, exc: Exception) -> None:
    """Unreachable, or busy (429/5xx): UnavailableError. Otherwise return (a bug: re-raise)."""
    if isinstance(exc, ApiError) and exc.meta.status not in _BUSY:
        return
    raise _unavailable(url, exc) from exc


class _Part:
    """A sub-store. Every public method of a subclass translates engine errors."""

    def __init__(self, db: ElasticStore) -> None:
        self._db = db
        self.es = db.es

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, member in list(vars(cls).items()):
            if not name.startswith("_") and inspect.isfunction(member):
                setattr(cls, name, _translating(member))

    def _index(self, kind: str) -> str:
        return self._db.index(kind)

    def _all(
        self, kind: str, query: dict[str, Any], sort: list[Any], size: int | None = None
    ) -> builtins.list[dict[str, Any]]:
        """Every matching document's source (search_after paging), in ``sort`` order."""
        return self._db.search_all(self._index(kind), query, sort, size)


class ElasticEvents(_Part):
    def append(self, events: Sequence[Event]) -> int:
        if not events:
            return 0
        return self._db.write_events(events)

    def _doc(self, source: dict[str, Any]) -> Event:
        return _event_from(source)

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
    ) -> Iterator[ElasticScanHit]:
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
            yield ElasticScanHit(rowid=pos, event=self._doc(source), matched=sorted(matched))


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


def _event_document(event: Event, pos: int) -> dict[str, Any]:
    doc: dict[str, Any] = {
        k: (v if type(v) is str else _text(v)) for k, v in event.fields.items() if v is not None
    }
    doc.update(
        {
            "pos": pos,
            "@timestamp": event.timestamp.isoformat(),
            "event.id": event.event_id,
            "event.dataset": event.dataset,
            "organization.id": event.organization_id,
            "event.original": event.original,
        }
    )
    return doc


def _event_from(source: dict[str, Any]) -> Event:
    fields = {
        k: v
        for k, v in source.items()
        if k not in ("pos", "@timestamp", "event.id", "event.dataset", "organization.id")
        and k != "event.original"
    }
    return Event(
        event_id=source["event.id"],
        timestamp=datetime.fromisoformat(source["@timestamp"]),
        dataset=source["event.dataset"],
        organization_id=source["organization.id"],
        original=source["event.original"],
        fields=fields,
    )


class ElasticDeadLetters(_Part):
    def add(self, letters: Sequence[DeadLetter]) -> None:
        if not letters:
            return
        first = self._db.reserve("dead-letters", len(letters))
        actions = [
            {
                # Keyed by source, position and content: reading an input again adds nothing.
                "_op_type": "create",
                "_index": self._index("dead-letters"),
                "_id": d.key,
                "_source": {
                    "id": first + n,
                    "received_at": d.received_at.isoformat(),
                    "source": d.source,
                    "position": d.position,
                    "reason": d.reason,
                    "raw": base64.b64encode(d.raw).decode(),
                },
            }
            for n, d in enumerate(letters)
        ]
        self._db.bulk(actions, conflicts_ok=True)

    @staticmethod
    def _from(s: dict[str, Any]) -> DeadLetter:
        return DeadLetter(
            id=int(s["id"]),
            received_at=datetime.fromisoformat(s["received_at"]),
            source=s["source"],
            position=s.get("position"),
            reason=s["reason"],
            raw=base64.b64decode(s["raw"]),
        )

    def list(self, *, limit: int = 100, offset: int = 0) -> builtins.list[DeadLetter]:
        hits = self._db.page(self._index("dead-letters"), None, [{"id": "asc"}], limit, offset)
        return [self._from(h) for h in hits]

    def get(self, letter_id: int) -> DeadLetter:
        found = self._db.search_all(
            self._index("dead-letters"), {"term": {"id": letter_id}}, [{"id": "asc"}], 1
        )
        if not found:
            raise Missing(f"no dead letter #{letter_id}", location="dead letter")
        return self._from(found[0])

    def count(self) -> int:
        return self._db.count(self._index("dead-letters"), None)


class ElasticAlerts(_Part):
    def add(self, alerts: Sequence[Alert]) -> int:
        if not alerts:
            return 0
        actions = [
            {
                "_op_type": "create",
                "_index": self._index("alerts"),
                "_id": a.id,
                "_source": _alert_source(a),
            }
            for a in alerts
        ]
        return self._db.bulk(actions, conflicts_ok=True)

    def get(self, alert_id: str) -> Alert:
        source = self._db.get(self._index("alerts"), alert_id)
        if source is None:
            raise Missing(f"no alert {alert_id}", location="alert")
        return Alert.model_validate_json(source["doc"])

    @staticmethod
    def _query(q: AlertQuery) -> dict[str, Any] | None:
        filters: list[dict[str, Any]] = [
            {"term": {field: value}} for field, value in q.exact().items()
        ]
        if q.rule_prefix is not None:
            filters.append({"prefix": {"rule_id": q.rule_prefix}})
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
        return [Alert.model_validate_json(h["doc"]) for h in hits]

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
            alert = Alert.model_validate_json(source["doc"]).model_copy(update=update)
            actions.append(
                {"_index": self._index("alerts"), "_id": alert_id, "_source": _alert_source(alert)}
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


def _alert_source(a: Alert) -> dict[str, Any]:
    return {
        "id": a.id,
        "rule_id": a.rule_id,
        "rule_title": a.rule_title,
        "severity": a.severity.value,
        "org": a.organization_id,
        "host": a.host_name,
        "created_at": a.created_at.isoformat(),
        "event_at": a.event.timestamp.isoformat(),
        "group_key": a.group_key,
        "status": a.status.value,
        "incident_id": a.incident_id,
        "assignee": a.assignee,
        "doc": a.model_dump_json(),
    }


class ElasticIncidents(_Part):
    def insert(self, incident_id: str, organization_id: str, document: str) -> None:
        try:
            self.es.create(
                index=self._index("incidents"),
                id=incident_id,
                document={"id": incident_id, "org": organization_id, "version": 1, "doc": document},
            )
        except EsConflict as exc:
            raise ConflictError(f"incident {incident_id} already exists") from exc

    def update(self, incident_id: str, document: str, *, expected_version: int) -> int:
        """Optimistic concurrency on Elasticsearch's own sequence numbers."""
        stale = ConflictError(
            f"incident {incident_id} was changed by someone else since you loaded it "
            f"(you had version {expected_version}); reload it and apply your change again",
            location="incident",
        )
        try:
            current = self.es.get(index=self._index("incidents"), id=incident_id)
        except NotFoundError as exc:
            raise Missing(f"no incident {incident_id}", location="incident") from exc
        source = current["_source"]
        if int(source["version"]) != expected_version:
            raise stale
        try:
            self.es.index(
                index=self._index("incidents"),
                id=incident_id,
                document={**source, "version": expected_version + 1, "doc": document},
                if_seq_no=current["_seq_no"],
                if_primary_term=current["_primary_term"],
            )
        except EsConflict as exc:
            raise stale from exc
        return expected_version + 1

    def get(self, incident_id: str) -> tuple[str, int]:
        source = self._db.get(self._index("incidents"), incident_id)
        if source is None:
            raise Missing(f"no incident {incident_id}", location="incident")
        return str(source["doc"]), int(source["version"])

    def list(
        self, *, organization_ids: Sequence[str] | None = None, limit: int = 100, offset: int = 0
    ) -> builtins.list[tuple[str, int]]:
        query = None if organization_ids is None else {"terms": {"org": list(organization_ids)}}
        hits = self._db.page(self._index("incidents"), query, [{"id": "desc"}], limit, offset)
        return [(str(h["doc"]), int(h["version"])) for h in hits]


class ElasticAudit(_Part):
    def append(
        self, *, at: datetime, actor: str, action: str, subject: str, detail: str
    ) -> ElasticAuditRow:
        """Create link ``seq + 1`` on the last link we know; if another writer (another
        process) took that number first, the create fails and we re-read the chain's end."""
        at_text = at.isoformat()
        with self._db.audit_lock:
            for _attempt in range(20):
                if self._tail is None:
                    self._tail = self._last()
                seq, prev = self._tail
                seq += 1
                digest = audit_hash(prev, at_text, actor, action, subject, detail)
                row = {
                    "seq": seq,
                    "at": at_text,
                    "actor": actor,
                    "action": action,
                    "subject": subject,
                    "detail": detail,
                    "prev_hash": prev,
                    "hash": digest,
                }
                try:
                    self.es.create(index=self._index("audit"), id=str(seq), document=row)
                except EsConflict:
                    self._tail = None  # someone else extended the chain: start from theirs
                    continue
                self._tail = (seq, digest)
                return ElasticAuditRow(seq, at, actor, action, subject, detail, prev, digest)
        raise UnavailableError("could not append to the audit trail (too much contention)")

    _tail: tuple[int, str] | None = None

    def _last(self) -> tuple[int, str]:
        self._db.refresh(self._index("audit"))
        hits = self.es.search(index=self._index("audit"), sort=[{"seq": "desc"}], size=1)["hits"][
            "hits"
        ]
        if not hits:
            return 0, GENESIS_HASH
        return int(hits[0]["_source"]["seq"]), str(hits[0]["_source"]["hash"])

    def rows(self, *, subject: str | None = None, after: int = 0) -> Iterator[ElasticAuditRow]:
        filters: list[dict[str, Any]] = [{"range": {"seq": {"gt": after}}}]
        if subject is not None:
            filters.append({"term": {"subject": subject}})
        query = {"bool": {"filter": filters}}
        return (_audit_row(s) for s in self._all("audit", query, [{"seq": "asc"}]))

    def page(
        self, *, subject: str | None = None, limit: int = 100, offset: int = 0
    ) -> builtins.list[ElasticAuditRow]:
        query = {"term": {"subject": subject}} if subject is not None else None
        hits = self._db.page(self._index("audit"), query, [{"seq": "desc"}], limit, offset)
        return [_audit_row(s) for s in hits]

    def count(self, *, subject: str | None = None) -> int:
        query = {"term": {"subject": subject}} if subject is not None else None
        return self._db.count(self._index("audit"), query)


def _audit_row(s: dict[str, Any]) -> ElasticAuditRow:
    return ElasticAuditRow(
        int(s["seq"]),
        datetime.fromisoformat(s["at"]),
        s["actor"],
        s["action"],
        s["subject"],
        s["detail"],
        s["prev_hash"],
        s["hash"],
    )


class ElasticCheckpoints(_Part):
    def get(self, key: str) -> int:
        source = self._db.get(self._index("checkpoints"), key)
        return int(source["value"]) if source else 0

    def set_many(self, values: dict[str, int]) -> None:
        self._db.bulk(
            [
                {"_index": self._index("checkpoints"), "_id": k, "_source": {"key": k, "value": v}}
                for k, v in values.items()
            ]
        )

    def lowest(self, prefix: str) -> int | None:
        self._db.refresh(self._index("checkpoints"))
        result = self.es.search(
            index=self._index("checkpoints"),
            size=0,
            query={"prefix": {"key": prefix}},
            aggs={"low": {"min": {"field": "value"}}},
        )
        value = result["aggregations"]["low"]["value"]
        return int(value) if value is not None else None

    def cache_get(self, key: str) -> str | None:
        source = self._db.get(self._index("cache"), key)
        return str(source["value"]) if source else None

    def cache_put(self, key: str, value: str) -> None:
        self.es.index(index=self._index("cache"), id=key, document={"key": key, "value": value})


def _asset_source(a: Asset) -> dict[str, Any]:
    return {
        "address": a.address,
        "org": a.organization_id,
        "hostname": a.hostname.lower() if a.hostname else None,
        "last_seen": a.last_seen.isoformat(),
        "doc": json.dumps(
            {
                "address": a.address,
                "organization_id": a.organization_id,
                "hostname": a.hostname,
                "first_seen": a.first_seen.isoformat(),
                "last_seen": a.last_seen.isoformat(),
                "up": a.up,
                "core_system": a.core_system,
                "critical_infrastructure": a.critical_infrastructure,
                "ports": [asdict(p) for p in a.ports],
            }
        ),
    }


def _asset_from(source: dict[str, Any]) -> Asset:
    d = json.loads(source["doc"])
    return Asset(
        address=d["address"],
        organization_id=d["organization_id"],
        hostname=d["hostname"],
        first_seen=datetime.fromisoformat(d["first_seen"]),
        last_seen=datetime.fromisoformat(d["last_seen"]),
        up=d["up"],
        core_system=d["core_system"],
        critical_infrastructure=d["critical_infrastructure"],
        ports=tuple(OpenPort(**p) for p in d["ports"]),
    )


class ElasticAssets(_Part):
    def find(self, address: str) -> Asset | None:
        source = self._db.get(self._index("assets"), address)
        return _asset_from(source) if source else None

    def find_by_host(self, hostname: str) -> Asset | None:
        hits = self._db.page(
            self._index("assets"),
            {"term": {"hostname": hostname.lower()}},
            [{"address": "asc"}],
            100,
            0,
        )
        found = sorted((_asset_from(h) for h in hits), key=lambda a: a.last_seen, reverse=True)
        return found[0] if found else None

    def list(self, *, organization_id: str | None = None) -> builtins.list[Asset]:
        query = {"term": {"org": organization_id}} if organization_id else {"match_all": {}}
        return [
            _asset_from(s) for s in self._all("assets", query, [{"org": "asc"}, {"address": "asc"}])
        ]

    def record_scan(
        self, scan: ScanRecord, assets: Sequence[Asset], changes: Sequence[AssetChange]
    ) -> int:
        scan_id = self._db.reserve("scans", 1)
        first_change = self._db.reserve("asset-changes", len(changes)) if changes else 0
        actions: list[dict[str, Any]] = [
            {
                "_index": self._index("scans"),
                "_id": str(scan_id),
                "_source": {
                    "id": scan_id,
                    "target": scan.target,
                    "org": scan.organization_id,
                    "doc": json.dumps(
                        {
                            "target": scan.target,
                            "organization_id": scan.organization_id,
                            "started_at": scan.started_at.isoformat(),
                            "finished_at": scan.finished_at.isoformat(),
                            "status": scan.status.value,
                            "hosts_scanned": scan.hosts_scanned,
                            "hosts_up": scan.hosts_up,
                            "open_ports": scan.open_ports,
                            "error": scan.error,
                            "command": scan.command,
                        }
                    ),
                },
            }
        ]
        for a in assets:
            before = self.find(a.address)
            if before is not None:  # as on SQLite: keep first_seen and a known host name
                a = replace(a, first_seen=before.first_seen, hostname=a.hostname or before.hostname)
            actions.append(
                {"_index": self._index("assets"), "_id": a.address, "_source": _asset_source(a)}
            )
        for n, c in enumerate(changes):
            change_id = first_change + n
            actions.append(
                {
                    "_index": self._index("asset-changes"),
                    "_id": str(change_id),
                    "_source": {
                        "id": change_id,
                        "org": c.organization_id,
                        "doc": json.dumps(
                            {
                                "at": c.at.isoformat(),
                                "address": c.address,
                                "organization_id": c.organization_id,
                                "kind": c.kind.value,
                                "detail": c.detail,
                                "scan_id": scan_id,
                            }
                        ),
                    },
                }
            )
        self._db.bulk(actions)
        return scan_id

    def changes(self, *, limit: int = 100, offset: int = 0) -> builtins.list[AssetChange]:
        hits = self._db.page(self._index("asset-changes"), None, [{"id": "desc"}], limit, offset)
        out = []
        for h in hits:
            d = json.loads(h["doc"])
            out.append(
                AssetChange(
                    at=datetime.fromisoformat(d["at"]),
                    address=d["address"],
                    organization_id=d["organization_id"],
                    kind=ChangeKind(d["kind"]),
                    detail=d["detail"],
                    scan_id=d["scan_id"],
                )
            )
        return out

    def _scans(self, query: dict[str, Any] | None, limit: int) -> builtins.list[ScanRecord]:
        hits = self._db.page(self._index("scans"), query, [{"id": "desc"}], limit, 0)
        out = []
        for h in hits:
            d = json.loads(h["doc"])
            out.append(
                ScanRecord(
                    id=int(h["id"]),
                    target=d["target"],
                    organization_id=d["organization_id"],
                    started_at=datetime.fromisoformat(d["started_at"]),
                    finished_at=datetime.fromisoformat(d["finished_at"]),
                    status=ScanStatus(d["status"]),
                    hosts_scanned=d["hosts_scanned"],
                    hosts_up=d["hosts_up"],
                    open_ports=d["open_ports"],
                    error=d["error"],
                    command=d["command"],
                )
            )
        return out

    def scans(self, *, limit: int = 100) -> builtins.list[ScanRecord]:
        return self._scans(None, limit)

    def last_scan_at(self, target: str) -> datetime | None:
        found = self._scans({"term": {"target": target}}, 1000)
        return max((s.started_at for s in found), default=None)


class ElasticDrills(_Part):
    def put(self, drill_id: str, organization_id: str, document: str) -> None:
        self._db.put(
            self._index("drills"),
            drill_id,
            {"id": drill_id, "org": organization_id, "doc": document},
        )

    def get(self, drill_id: str) -> str:
        source = self._db.get(self._index("drills"), drill_id)
        if source is None:
            raise Missing(f"no drill {drill_id}", location="drill")
        return str(source["doc"])

    def list(self, *, organization_ids: Sequence[str] | None = None) -> builtins.list[str]:
        query = (
            {"match_all": {}}
            if organization_ids is None
            else {"terms": {"org": list(organization_ids)}}
        )
        return [str(s["doc"]) for s in self._all("drills", query, [{"id": "asc"}])]


class ElasticAccounts(_Part):
    def put_user(self, username: str, document: str) -> None:
        self._db.put(self._index("users"), username, {"username": username, "doc": document})

    def add_user(self, username: str, document: str) -> None:
        try:
            self.es.create(
                index=self._index("users"),
                id=username,
                document={"username": username, "doc": document},
            )
        except EsConflict as exc:
            raise ConflictError(f"user {username!r} already exists", location="username") from exc

    def get_user(self, username: str) -> str | None:
        source = self._db.get(self._index("users"), username)
        return str(source["doc"]) if source else None

    def update_user(self, username: str, change: Callable[[str], str]) -> str | None:
        # Compare-and-set on the document's sequence number (the test distribution has no
        # scripting for an atomic update); a writer that lost the race reads again.
        index = self._index("users")
        for _attempt in range(UPDATE_ATTEMPTS):
            try:
                current = self.es.get(index=index, id=username)
            except NotFoundError:
                return None
            updated = change(str(current["_source"]["doc"]))
            try:
                self.es.index(
                    index=index,
                    id=username,
                    document={**current["_source"], "doc": updated},
                    if_seq_no=current["_seq_no"],
                    if_primary_term=current["_primary_term"],
                )
            except EsConflict:
                continue
            return updated
        raise UnavailableError(
            f"account {username!r} is being changed by too many requests at once; retry",
            location="store",
        )

    def users(self) -> builtins.list[str]:
        return [str(s["doc"]) for s in self._all("users", {"match_all": {}}, [{"username": "asc"}])]

    def put_token(self, token_id: str, username: str, token_hash: str, document: str) -> None:
        self._db.put(
            self._index("tokens"),
            token_id,
            {"id": token_id, "username": username, "hash": token_hash, "doc": document},
        )

    def token_by_hash(self, token_hash: str) -> str | None:
        hits = self._db.page(self._index("tokens"), {"term": {"hash": token_hash}}, [], 1, 0)
        return str(hits[0]["doc"]) if hits else None

    def token(self, token_id: str) -> str | None:
        source = self._db.get(self._index("tokens"), token_id)
        return str(source["doc"]) if source else None

    def tokens(self, username: str | None = None) -> builtins.list[str]:
        query = {"term": {"username": username}} if username else {"match_all": {}}
        return [str(s["doc"]) for s in self._all("tokens", query, [{"id": "asc"}])]

    def put_session(
        self,
        session_hash: str,
        username: str,
        expires_at: str,  # noqa: ARG002 - kept inside the document
        document: str,
    ) -> None:
        self._db.put(
            self._index("sessions"),
            session_hash,
            {"hash": session_hash, "username": username, "doc": document},
        )

    def session(self, session_hash: str) -> str | None:
        source = self._db.get(self._index("sessions"), session_hash)
        return str(source["doc"]) if source else None

    def delete_session(self, session_hash: str) -> None:
        self.es.options(ignore_status=404).delete(index=self._index("sessions"), id=session_hash)


class ElasticSharing(_Part):
    def add_objects(self, objects: Sequence[SharedObject]) -> int:
        if not objects:
            return 0
        first = self._db.reserve("taxii-objects", len(objects))
        actions = [
            {
                "_op_type": "create",
                "_index": self._index("taxii-objects"),
                "_id": f"{o.collection_id}|{o.id}|{o.version}",
                "_source": {
                    "seq": first + n,
                    "collection": o.collection_id,
                    "id": o.id,
                    "type": o.type,
                    "version": o.version,
                    "date_added": o.date_added,
                    "tlp": o.tlp,
                    "doc": o.document,
                },
            }
            for n, o in enumerate(objects)
        ]
        return self._db.bulk(actions, conflicts_ok=True)

    def objects(
        self,
        collection_id: str,
        *,
        added_after: str | None = None,
        ids: Sequence[str] = (),
        types: Sequence[str] = (),
        versions: Sequence[VersionFilter] = ("last",),
        tlps: Sequence[str] | None = None,
        after_seq: int = 0,
        limit: int = 100,
    ) -> builtins.list[SharedObject]:
        filters: list[dict[str, Any]] = [{"term": {"collection": collection_id}}]
        if ids:
            filters.append({"terms": {"id": list(ids)}})
        if types:
            filters.append({"terms": {"type": list(types)}})
        if tlps is not None:
            filters.append(
                {
                    "bool": {
                        "should": [
                            {"terms": {"tlp": list(tlps)}},
                            {"bool": {"must_not": {"exists": {"field": "tlp"}}}},
                        ]
                    }
                }
            )
        candidates = [
            _shared_from(s)
            for s in self._all("taxii-objects", {"bool": {"filter": filters}}, [{"seq": "asc"}])
        ]
        # first/last are per object across the whole collection, before the other filters.
        by_id: dict[str, builtins.list[str]] = {}
        for o in candidates:
            by_id.setdefault(o.id, []).append(o.version)
        picked = []
        for o in candidates:
            if "all" not in versions:
                wanted = {
                    min(by_id[o.id]) if v == "first" else max(by_id[o.id]) if v == "last" else v
                    for v in versions
                }
                if o.version not in wanted:
                    continue
            if added_after is not None and o.date_added <= added_after:
                continue
            if o.seq <= after_seq:
                continue
            picked.append(o)
        return picked[:limit]

    def last_added(self, collection_id: str) -> str | None:
        hits = self._db.page(
            self._index("taxii-objects"),
            {"term": {"collection": collection_id}},
            [{"date_added": "desc"}],
            1,
            0,
        )
        return str(hits[0]["date_added"]) if hits else None

    def put_status(self, status_id: str, document: str) -> None:
        self._db.put(self._index("taxii-status"), status_id, {"doc": document})

    def status(self, status_id: str) -> str | None:
        source = self._db.get(self._index("taxii-status"), status_id)
        return str(source["doc"]) if source else None

    def put_indicators(self, rows: Sequence[tuple[str, str, str]]) -> builtins.list[str]:
        """Compare-and-set per indicator: read the owners, create what is new and replace the
        same partner's entries only if unchanged since read; lost races are read again."""
        index = self._index("watchlist")
        pending = list({row[0]: row for row in rows}.values())  # one write per id: the last
        refused: builtins.list[str] = []
        for _attempt in range(100):
            if not pending:
                return refused
            found = self.es.mget(index=index, ids=[r[0] for r in pending])["docs"]
            actions = []
            for (indicator_id, partner, document), doc in zip(pending, found, strict=True):
                action: dict[str, Any] = {
                    "_index": index,
                    "_id": indicator_id,
                    "_source": {"id": indicator_id, "partner": partner, "doc": document},
                }
                if not doc.get("found"):
                    actions.append(action | {"_op_type": "create"})
                elif doc["_source"]["partner"] != partner:
                    refused.append(indicator_id)
                else:
                    cas = {"if_seq_no": doc["_seq_no"], "if_primary_term": doc["_primary_term"]}
                    actions.append(action | {"_op_type": "index"} | cas)
            lost = set(self._db.bulk_conflicts(actions))
            pending = [r for r in pending if r[0] in lost]
        raise UnavailableError("the watchlist kept changing while indicators were written")

    def indicators(self, *, partner: str | None = None) -> builtins.list[str]:
        query = {"term": {"partner": partner}} if partner else {"match_all": {}}
        return [str(s["doc"]) for s in self._all("watchlist", query, [{"id": "asc"}])]


def _shared_from(s: dict[str, Any]) -> SharedObject:
    return SharedObject(
        collection_id=s["collection"],
        id=s["id"],
        type=s["type"],
        version=s["version"],
        date_added=s["date_added"],
        tlp=s.get("tlp"),
        document=s["doc"],
        seq=int(s["seq"]),
    )


class ElasticStore:
    """One Elasticsearch cluster, reached with the official client."""

    engine = "elasticsearch"

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "citysoc",
        username: str | None = None,
        password: str | None = None,
        ca_certs: Path | None = None,
        spool_dir: Path | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.url = url
        self.prefix = prefix
        options: dict[str, Any] = {}
        if username and password is not None:
            options["basic_auth"] = (username, password)
        if ca_certs:
            options["ca_certs"] = str(ca_certs)
        # orjson (already a dependency) serializes bulk bodies several times faster than the
        # standard library, and ingest shares one core with parsing.
        self.es = Elasticsearch(
            url,
            request_timeout=timeout,
            retry_on_timeout=True,
            max_retries=2,
            serializer=OrjsonSerializer(),
            **options,
        )
        try:
            # (the integration-test distribution has no GET / handler: ask the cluster)
            health = self.es.cluster.health(wait_for_status="yellow", timeout="30s")
        except (ConnectionError, EsTransportError, ApiError) as exc:
            raise UnavailableError(
                f"cannot reach Elasticsearch at {url}: {exc}; check that the node is running, "
                "the URL and port, the credentials (CITYSOC_STORE_USERNAME / _PASSWORD) and, "
                "for https, the CA file (CITYSOC_STORE_CA_CERTS)",
                location="store",
            ) from exc
        self.cluster = str(health["cluster_name"])
        self._lock = threading.Lock()  # event positions become visible in the order reserved
        self.audit_lock = threading.Lock()
        self.events_pattern = f"{prefix}-events-*"
        self.events_alias = f"{prefix}-events"
        self._ensure_indices()
        self.spool = Spool(spool_dir) if spool_dir else None
        self._spool_lock = threading.RLock()  # one drain at a time: the drainer or a writer
        self.events = ElasticEvents(self)
        self.dead_letters = ElasticDeadLetters(self)
        self.alerts = ElasticAlerts(self)
        self.incidents = ElasticIncidents(self)
        self.audit = ElasticAudit(self)
        self.checkpoints = ElasticCheckpoints(self)
        self.assets = ElasticAssets(self)
        self.drills = ElasticDrills(self)
        self.accounts = ElasticAccounts(self)
        self.sharing = ElasticSharing(self)

    # -- set-up ---------------------------------------------------------------------------

    def index(self, kind: str) -> str:
        return f"{self.prefix}-{kind}"

    def _ensure_indices(self) -> None:
        self.es.indices.put_index_template(
            name=f"{self.prefix}-events",
            index_patterns=[self.events_pattern],
            template=EVENT_TEMPLATE,
            priority=200,
        )
        # Events are written through an alias, so an operator (or ILM on a full cluster) can
        # roll over to a new index without CitySOC noticing. One index, not one per month of
        # event time: Sigma's wildcard queries cost per index segment, and old logs arrive.
        if not self.es.indices.exists_alias(name=self.events_alias):
            self.es.options(ignore_status=400).indices.create(
                index=f"{self.events_alias}-000001",
                aliases={self.events_alias: {"is_write_index": True}},
            )
        for kind, properties in _RECORDS.items():
            name = self.index(kind)
            if not self.es.indices.exists(index=name):
                self.es.options(ignore_status=400).indices.create(
                    index=name,
                    settings={"number_of_shards": 1, "number_of_replicas": 0, **_WINDOW},
                    mappings={"dynamic": False, "properties": properties},
                )
            else:  # indices made by an earlier version keep the default window
                self.es.indices.put_settings(index=name, settings={"index": _WINDOW})

    def drop(self) -> None:
        """Delete every index and template of this prefix (tests and `citysoc` resets)."""
        self.es.options(ignore_status=404).indices.delete(
            index=f"{self.prefix}-*", expand_wildcards="all"
        )
        self.es.options(ignore_status=404).indices.delete_index_template(
            name=f"{self.prefix}-events"
        )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Elasticsearch has no transaction across documents: writes in the block land one
        by one. Callers make a re-run complete what an interruption left (deterministic
        ids, created if absent)."""
        yield

    # -- helpers shared by the sub-stores -------------------------------------------------

    def refresh(self, index: str) -> None:
        self.es.options(ignore_status=404).indices.refresh(index=index)

    def refresh_events(self) -> None:
        self.es.indices.refresh(
            index=self.events_pattern, allow_no_indices=True, ignore_unavailable=True
        )

    def get(self, index: str, doc_id: str) -> dict[str, Any] | None:
        try:
            source: dict[str, Any] = self.es.get(index=index, id=doc_id)["_source"]
        except NotFoundError:
            return None
        return source

    def put(self, index: str, doc_id: str, source: dict[str, Any]) -> None:
        self.es.index(index=index, id=doc_id, document=source)

    def count(self, index: str, query: dict[str, Any] | None) -> int:
        self.refresh(index)
        return int(self.es.count(index=index, query=query)["count"])

    def page(
        self,
        index: str,
        query: dict[str, Any] | None,
        sort: list[Any],
        limit: int,
        offset: int,
    ) -> list[dict[str, Any]]:
        self.refresh(index)
        query = query or {"match_all": {}}
        if offset + limit <= RESULT_WINDOW:
            hits = self.es.search(
                index=index, query=query, sort=sort or None, from_=offset, size=limit
            )["hits"]["hits"]
            return [h["_source"] for h in hits]
        # Past the result window: step over ``offset`` hits reading sort values only
        # (search_after; ``sort`` is a total order), then read the page a window at a time.
        after: list[Any] | None = None
        skipped = 0
        while skipped < offset:
            step = min(RESULT_WINDOW, offset - skipped)
            hits = self.es.search(
                index=index, query=query, sort=sort, size=step, source=False, search_after=after
            )["hits"]["hits"]
            skipped += len(hits)
            if len(hits) < step:
                return []
            after = hits[-1]["sort"]
        found: list[dict[str, Any]] = []
        while len(found) < limit:
            step = min(RESULT_WINDOW, limit - len(found))
            hits = self.es.search(
                index=index, query=query, sort=sort, size=step, search_after=after
            )["hits"]["hits"]
            found.extend(h["_source"] for h in hits)
            if len(hits) < step:
                break
            after = hits[-1]["sort"]
        return found

    def search_hits(
        self, index: str, query: dict[str, Any], sort: list[Any], size: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every hit, paged with search_after on ``sort`` (which must be a total order)."""
        after: list[Any] | None = None
        seen = 0
        while True:
            body: dict[str, Any] = {"query": query, "sort": sort, "size": SCAN_PAGE}
            if after is not None:
                body["search_after"] = after
            # Sigma's leading wildcards make some searches slow on keyword fields: give them time.
            hits = self.es.options(request_timeout=SEARCH_TIMEOUT).search(
                index=index, allow_no_indices=True, ignore_unavailable=True, **body
            )["hits"]["hits"]
            for hit in hits:
                yield hit
                seen += 1
                if size is not None and seen >= size:
                    return
            if len(hits) < SCAN_PAGE:
                return
            after = hits[-1]["sort"]

    def search_all(
        self, index: str, query: dict[str, Any], sort: list[Any], size: int | None = None
    ) -> list[dict[str, Any]]:
        self.refresh(index)
        return [h["_source"] for h in self.search_hits(index, query, sort, size)]

    def reserve(self, counter: str, n: int) -> int:
        """The first of ``n`` fresh numbers from a counter document: compare-and-set on the
        document's sequence number (the test distribution has no scripting), retried."""
        index = self.index("meta")
        for _attempt in range(100):
            try:
                current = self.es.get(index=index, id=counter)
            except NotFoundError:
                try:
                    self.es.create(index=index, id=counter, document={"value": n})
                except EsConflict:
                    continue
                return 1
            value = int(current["_source"]["value"])
            try:
                self.es.index(
                    index=index,
                    id=counter,
                    document={"value": value + n},
                    if_seq_no=current["_seq_no"],
                    if_primary_term=current["_primary_term"],
                )
            except EsConflict:
                continue
            return value + 1
        raise UnavailableError(f"could not reserve numbers from counter {counter}")

    def bulk(self, actions: list[dict[str, Any]], *, conflicts_ok: bool = False) -> int:
        """Write the actions; returns how many were created or updated. With
        ``conflicts_ok``, existing documents (create conflicts) are counted out, not errors."""
        if not actions:
            return 0
        ok, errors = helpers.bulk(self.es, actions, raise_on_error=False, stats_only=False)
        problems = [
            e
            for e in errors  # type: ignore[union-attr]
            if not (conflicts_ok and next(iter(e.values())).get("status") == 409)
        ]
        if problems:
            first = next(iter(problems[0].values()))
            raise UnavailableError(
                f"Elasticsearch refused {len(problems)} of {len(actions)} writes: "
                f"{first.get('error')}",
                location="store",
            )
        return int(ok)

    def bulk_conflicts(self, actions: list[dict[str, Any]]) -> list[str]:
        """Write the actions; returns the ids of those refused as conflicts (a document that
        exists for ``create``, or changed since read for ``if_seq_no``). Other refusals raise."""
        if not actions:
            return []
        _ok, errors = helpers.bulk(self.es, actions, raise_on_error=False, stats_only=False)
        results = [next(iter(e.values())) for e in errors]  # type: ignore[union-attr]
        problems = [r for r in results if r.get("status") != 409]
        if problems:
            raise UnavailableError(
                f"Elasticsearch refused {len(problems)} of {len(actions)} writes: "
                f"{problems[0].get('error')}",
                location="store",
            )
        return [str(r["_id"]) for r in results]

    # -- events: positions, bulk, spool ---------------------------------------------------

    def write_events(self, events: Sequence[Event]) -> int:
        """Bulk-create events. When the node cannot take them now (unreachable, timing out,
        429 or 5xx, the read-only block of a full disk) the batch goes to the spool and
        counts as accepted: ``pending_events`` says how many wait, and the spool drainer
        (or the next write) stores them, oldest first."""
        try:
            if self.spool is not None and self.spool.pending():
                self.drain_spool()  # oldest first, so positions follow arrival
            return self._write_events(events)
        except Exception as exc:
            if not _transient(exc):
                raise
            if self.spool is None:
                raise _unavailable(self.url, exc) from exc
            self.spool.put([_event_to_json(e) for e in events])
            log.warning(
                "Elasticsearch at %s cannot take events now (%s); %d spooled under %s",
                self.url,
                _why(exc),
                len(events),
                self.spool.folder,
            )
            return len(events)

    def pending_events(self) -> int:
        """Events accepted into the spool and not yet stored."""
        return self.spool.events() if self.spool is not None else 0

    def _write_events(self, events: Sequence[Event]) -> int:
        with self._lock:
            first = self.reserve("events", len(events))
            actions = [
                {
                    "_op_type": "create",
                    "_index": self.events_alias,
                    "_id": e.event_id,
                    "_source": _event_document(e, first + n),
                }
                for n, e in enumerate(events)
            ]
            # Two requests in flight: the node indexes one chunk while the next is sent.
            created, rejected = 0, []
            for ok, item in helpers.parallel_bulk(
                self.es,
                actions,
                thread_count=2,
                chunk_size=1000,
                raise_on_error=False,
                raise_on_exception=True,
            ):
                result = next(iter(item.values()))
                if ok:
                    created += 1
                elif result.get("status") != 409:  # 409: already stored (idempotent)
                    rejected.append(result)
        if rejected:
            raise _Rejected(
                f"Elasticsearch rejected {len(rejected)} events: {rejected[0].get('error')}",
                transient=all(_transient_status(r.get("status")) for r in rejected),
            )
        return int(created)

    def drain_spool(self) -> int:
        """Write every spooled batch, oldest first; returns how many events were new. A
        batch leaves the spool only once the node took it; the first refusal stops."""
        if self.spool is None:
            return 0
        written = 0
        with self._spool_lock:
            for batch_id, lines in self.spool.batches():
                events = [_event_from_json(line) for line in lines]
                written += self._write_events(events)
                self.spool.done(batch_id)
        return written

    def close(self) -> None:
        self.es.close()

    def __enter__(self) -> ElasticStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _event_to_json(event: Event) -> str:
    return json.dumps(
        {
            "id": event.event_id,
            "ts": event.timestamp.isoformat(),
            "dataset": event.dataset,
            "org": event.organization_id,
            "original": event.original,
            "fields": event.fields,
        },
        ensure_ascii=False,
    )


def _event_from_json(line: str) -> Event:
    d = json.loads(line)
    return Event(
        event_id=d["id"],
        timestamp=datetime.fromisoformat(d["ts"]),
        dataset=d["dataset"],
        organization_id=d["org"],
        original=d["original"],
        fields=d["fields"],
    )

"""ElasticStore: the client, index set-up, the helpers the sub-stores share (paging, bulk,
counters) and event writes through the disk spool."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from elasticsearch import ConflictError as EsConflict
from elasticsearch import NotFoundError, helpers

from core.errors import UnavailableError
from core.events import Event
from core.storage.codec import event_from_json, event_to_json
from core.storage.elasticsearch.accounts import ElasticAccounts
from core.storage.elasticsearch.alerts import ElasticAlerts
from core.storage.elasticsearch.assets import ElasticAssets
from core.storage.elasticsearch.audit import ElasticAudit
from core.storage.elasticsearch.checkpoints import ElasticCheckpoints
from core.storage.elasticsearch.client import (
    Rejected,
    connect,
    is_transient,
    is_transient_status,
    unavailable,
    why,
)
from core.storage.elasticsearch.dead_letters import ElasticDeadLetters
from core.storage.elasticsearch.drills import ElasticDrills
from core.storage.elasticsearch.event_search import ElasticEventSearch
from core.storage.elasticsearch.events import ElasticEvents, event_document
from core.storage.elasticsearch.incidents import ElasticIncidents
from core.storage.elasticsearch.mappings import EVENT_TEMPLATE, RECORDS, RESULT_WINDOW, WINDOW
from core.storage.elasticsearch.messages import ElasticMessages
from core.storage.elasticsearch.rule_settings import ElasticRuleSettings
from core.storage.elasticsearch.saved_searches import ElasticSavedSearches
from core.storage.elasticsearch.sharing import ElasticSharing
from core.storage.elasticsearch.sources import ElasticSources
from core.storage.elasticsearch.spool import Spool
from core.storage.elasticsearch.trends import ElasticTrends

log = logging.getLogger("citysoc.store")

SCAN_PAGE = 1000
SEARCH_TIMEOUT = 900.0  # seconds


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
        self.es, self.cluster = connect(
            url, username=username, password=password, ca_certs=ca_certs, timeout=timeout
        )
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
        self.event_search = ElasticEventSearch(self)
        self.saved_searches = ElasticSavedSearches(self)
        self.accounts = ElasticAccounts(self)
        self.sharing = ElasticSharing(self)
        self.messages = ElasticMessages(self)
        self.trends = ElasticTrends(self)
        self.rule_settings = ElasticRuleSettings(self)
        self.sources = ElasticSources(self)

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
        for kind, properties in RECORDS.items():
            name = self.index(kind)
            if not self.es.indices.exists(index=name):
                self.es.options(ignore_status=400).indices.create(
                    index=name,
                    settings={"number_of_shards": 1, "number_of_replicas": 0, **WINDOW},
                    mappings={"dynamic": False, "properties": properties},
                )
            else:  # indices made by an earlier version keep the default window
                self.es.indices.put_settings(index=name, settings={"index": WINDOW})
                # ... and get keys added since (assets, scans and changes are searched by
                # organization_id, the codec's key, since it replaced org). A key whose type
                # changed cannot be remapped (400): such an index keeps its mapping.
                self.es.options(ignore_status=400).indices.put_mapping(
                    index=name, properties=properties
                )

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
            if not is_transient(exc):
                raise
            if self.spool is None:
                raise unavailable(self.url, exc) from exc
            self.spool.put([event_to_json(e) for e in events])
            log.warning(
                "Elasticsearch at %s cannot take events now (%s); %d spooled under %s",
                self.url,
                why(exc),
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
                    "_source": event_document(e, first + n),
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
            raise Rejected(
                f"Elasticsearch rejected {len(rejected)} events: {rejected[0].get('error')}",
                transient=all(is_transient_status(r.get("status")) for r in rejected),
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
                events = [event_from_json(line) for line in lines]
                written += self._write_events(events)
                self.spool.done(batch_id)
        return written

    def close(self) -> None:
        self.es.close()

    def __enter__(self) -> ElasticStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""The audit trail: a hash chain appended with ``op_type=create`` on the next sequence number."""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from elasticsearch import ConflictError as EsConflict

from core.errors import UnavailableError
from core.storage.base import GENESIS_HASH, audit_hash
from core.storage.codec import audit_row_from_dict, audit_row_to_dict
from core.storage.elasticsearch.client import SubStore
from core.storage.records import AuditRow


class ElasticAudit(SubStore):
    def append(
        self, *, at: datetime, actor: str, action: str, subject: str, detail: str
    ) -> AuditRow:
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
                row = AuditRow(seq, at, actor, action, subject, detail, prev, digest)
                document = audit_row_to_dict(row)
                try:
                    self.es.create(index=self._index("audit"), id=str(seq), document=document)
                except EsConflict:
                    self._tail = None  # someone else extended the chain: start from theirs
                    continue
                self._tail = (seq, digest)
                return row
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

    def rows(self, *, subject: str | None = None, after: int = 0) -> Iterator[AuditRow]:
        filters: list[dict[str, Any]] = [{"range": {"seq": {"gt": after}}}]
        if subject is not None:
            filters.append({"term": {"subject": subject}})
        query = {"bool": {"filter": filters}}
        return (audit_row_from_dict(s) for s in self._all("audit", query, [{"seq": "asc"}]))

    def page(
        self, *, subject: str | None = None, limit: int = 100, offset: int = 0
    ) -> builtins.list[AuditRow]:
        query = {"term": {"subject": subject}} if subject is not None else None
        hits = self._db.page(self._index("audit"), query, [{"seq": "desc"}], limit, offset)
        return [audit_row_from_dict(s) for s in hits]

    def count(self, *, subject: str | None = None) -> int:
        query = {"term": {"subject": subject}} if subject is not None else None
        return self._db.count(self._index("audit"), query)

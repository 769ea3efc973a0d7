"""The outbox of messages to people: documents with their status and next attempt."""

from __future__ import annotations

import builtins
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ConflictError as EsConflict
from elasticsearch import NotFoundError

from core.errors import NotFoundError as Missing
from core.storage.elasticsearch.client import SubStore

__all__ = ["ElasticMessages"]


def _at(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="microseconds") if value else None


class ElasticMessages(SubStore):
    """Messages as documents (see core.messages), queried by status and next attempt."""

    def add(
        self,
        message_id: str,
        *,
        status: str,
        created_at: datetime,
        next_attempt_at: datetime | None,
        document: str,
    ) -> bool:
        source = {
            "id": message_id,
            "status": status,
            "created_at": _at(created_at),
            "next_attempt_at": _at(next_attempt_at),
            "doc": document,
        }
        try:  # create, never overwrite: the id is the message's cause
            self.es.create(index=self._index("messages"), id=message_id, document=source)
        except EsConflict:
            return False
        return True

    def put(
        self, message_id: str, *, status: str, next_attempt_at: datetime | None, document: str
    ) -> None:
        update = {"status": status, "next_attempt_at": _at(next_attempt_at), "doc": document}
        try:
            self.es.update(index=self._index("messages"), id=message_id, doc=update)
        except NotFoundError as exc:
            raise Missing(f"no message {message_id}", location="message") from exc

    def get(self, message_id: str) -> str:
        source = self._db.get(self._index("messages"), message_id)
        if source is None:
            raise Missing(f"no message {message_id}", location="message")
        return str(source["doc"])

    def due(self, now: datetime, *, limit: int = 100) -> builtins.list[str]:
        query = {
            "bool": {
                "filter": [
                    {"term": {"status": "pending"}},
                    {"range": {"next_attempt_at": {"lte": _at(now)}}},
                ]
            }
        }
        sort = [{"next_attempt_at": "asc"}, {"id": "asc"}]
        hits = self._db.page(self._index("messages"), query, sort, limit, 0)
        return [str(h["doc"]) for h in hits]

    def list(
        self, *, status: str | None = None, limit: int = 100, offset: int = 0
    ) -> builtins.list[str]:
        sort = [{"created_at": "desc"}, {"id": "desc"}]
        hits = self._db.page(self._index("messages"), _status(status), sort, limit, offset)
        return [str(h["doc"]) for h in hits]

    def count(self, *, status: str | None = None) -> int:
        return self._db.count(self._index("messages"), _status(status))


def _status(status: str | None) -> dict[str, Any] | None:
    return {"term": {"status": status}} if status else None

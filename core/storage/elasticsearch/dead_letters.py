"""Dead letters: records that could not be parsed, kept with their reason and raw bytes."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from elasticsearch import NotFoundError

from core.errors import NotFoundError as Missing
from core.events import ALL_DEAD_LETTERS, DeadLetter, DeadLetterQuery
from core.storage.codec import dead_letter_from_dict, dead_letter_to_dict
from core.storage.elasticsearch.client import SubStore

_WILDCARD_SPECIALS = str.maketrans({"*": "\\*", "?": "\\?", "\\": "\\\\"})


def _query(query: DeadLetterQuery) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if query.source:
        # a part of the source, any case; the person's * and ? are characters, not patterns
        part = query.source.translate(_WILDCARD_SPECIALS)
        clauses.append({"wildcard": {"source": {"value": f"*{part}*", "case_insensitive": True}}})
    bounds: dict[str, str] = {}
    if query.since is not None:
        bounds["gte"] = query.since.isoformat()
    if query.until is not None:
        bounds["lt"] = query.until.isoformat()
    if bounds:
        clauses.append({"range": {"received_at": bounds}})
    if query.ids is not None:
        clauses.append({"terms": {"id": list(query.ids)}})
    return {"bool": {"filter": clauses}} if clauses else None


class ElasticDeadLetters(SubStore):
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
                "_source": dead_letter_to_dict(d) | {"id": first + n},
            }
            for n, d in enumerate(letters)
        ]
        self._db.bulk(actions, conflicts_ok=True)

    def list(
        self, *, limit: int = 100, offset: int = 0, query: DeadLetterQuery = ALL_DEAD_LETTERS
    ) -> builtins.list[DeadLetter]:
        hits = self._db.page(
            self._index("dead-letters"), _query(query), [{"id": "asc"}], limit, offset
        )
        return [dead_letter_from_dict(h) for h in hits]

    def get(self, letter_id: int) -> DeadLetter:
        found = self._db.search_all(
            self._index("dead-letters"), {"term": {"id": letter_id}}, [{"id": "asc"}], 1
        )
        if not found:
            raise Missing(f"no dead letter #{letter_id}", location="dead letter")
        return dead_letter_from_dict(found[0])

    def count(self, query: DeadLetterQuery = ALL_DEAD_LETTERS) -> int:
        return self._db.count(self._index("dead-letters"), _query(query))

    def set_reason(self, letter_id: int, reason: str) -> None:
        letter = self.get(letter_id)  # the document's id is the letter's key
        try:
            self.es.update(
                index=self._index("dead-letters"),
                id=letter.key,
                doc={"reason": reason},
                refresh=True,
            )
        except NotFoundError as exc:
            raise Missing(f"no dead letter #{letter_id}", location="dead letter") from exc

    def remove(self, letter_ids: Sequence[int]) -> int:
        if not letter_ids:
            return 0
        found = self.list(limit=len(letter_ids), query=DeadLetterQuery(ids=tuple(letter_ids)))
        actions = [
            {"_op_type": "delete", "_index": self._index("dead-letters"), "_id": d.key}
            for d in found
        ]
        self._db.bulk(actions, conflicts_ok=True)
        self._db.refresh(self._index("dead-letters"))
        return len(found)

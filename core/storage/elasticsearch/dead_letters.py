"""Dead letters: records that could not be parsed, kept with their reason and raw bytes."""

from __future__ import annotations

import base64
import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from core.errors import NotFoundError as Missing
from core.events import DeadLetter
from core.storage.elasticsearch.client import SubStore


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

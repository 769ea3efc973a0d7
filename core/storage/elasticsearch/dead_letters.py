"""Dead letters: records that could not be parsed, kept with their reason and raw bytes."""

from __future__ import annotations

import builtins
from collections.abc import Sequence

from core.errors import NotFoundError as Missing
from core.events import DeadLetter
from core.storage.codec import dead_letter_from_dict, dead_letter_to_dict
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
                "_source": dead_letter_to_dict(d) | {"id": first + n},
            }
            for n, d in enumerate(letters)
        ]
        self._db.bulk(actions, conflicts_ok=True)

    def list(self, *, limit: int = 100, offset: int = 0) -> builtins.list[DeadLetter]:
        hits = self._db.page(self._index("dead-letters"), None, [{"id": "asc"}], limit, offset)
        return [dead_letter_from_dict(h) for h in hits]

    def get(self, letter_id: int) -> DeadLetter:
        found = self._db.search_all(
            self._index("dead-letters"), {"term": {"id": letter_id}}, [{"id": "asc"}], 1
        )
        if not found:
            raise Missing(f"no dead letter #{letter_id}", location="dead letter")
        return dead_letter_from_dict(found[0])

    def count(self) -> int:
        return self._db.count(self._index("dead-letters"), None)

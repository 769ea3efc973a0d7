"""Dead letters on both engines: keyed by source, position and content (issue 19, item 11)."""

from datetime import UTC, datetime

import pytest

from core.errors import NotFoundError
from core.events import DeadLetter


@pytest.fixture
def engine(both_engines: str) -> str:
    return both_engines


def _letter(position: str, raw: bytes) -> DeadLetter:
    return DeadLetter(
        received_at=datetime(2026, 3, 2, 1, 0, tzinfo=UTC),
        source="file:/exports/fw.csv",
        position=position,
        reason="too few columns",
        raw=raw,
    )


def test_the_same_dead_letter_twice_is_kept_once(store):
    letters = [_letter("line 1", b"a,b"), _letter("line 2", b"a,b"), _letter("line 1", b"x")]
    store.dead_letters.add(letters)
    store.dead_letters.add(letters)  # the file read again
    store.dead_letters.add([letters[0]])
    kept = store.dead_letters.list()
    assert [(d.position, d.raw) for d in kept] == [
        ("line 1", b"a,b"),
        ("line 2", b"a,b"),
        ("line 1", b"x"),
    ]
    assert store.dead_letters.count() == 3
    first = kept[0]
    assert first.id is not None and store.dead_letters.get(first.id).raw == b"a,b"
    with pytest.raises(NotFoundError):
        store.dead_letters.get(10_000)

"""Dead letters on both engines: keyed by source, position and content (issue 19, item 11)."""

from datetime import UTC, datetime

import pytest

from core.errors import NotFoundError
from core.events import DeadLetter


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


def test_every_different_dead_letter_is_kept_in_arrival_order(store):
    """Nothing is dropped: another source, another reason-free position, or other bytes make
    another letter; the list pages in the order they came."""
    letters = [_letter(f"line {n}", f"bad {n}".encode()) for n in range(5)]
    letters.append(_letter("line 1", b"bad 1").model_copy(update={"source": "syslog-udp:10.2"}))
    letters.append(_letter("line 1", b"\xff\xfe not text").model_copy(update={"position": None}))
    store.dead_letters.add(letters[:3])
    store.dead_letters.add(letters[3:])
    store.dead_letters.add([])
    assert store.dead_letters.count() == 7
    kept = store.dead_letters.list()
    assert [(d.source, d.position, d.raw) for d in kept] == [
        (d.source, d.position, d.raw) for d in letters
    ]
    assert kept[-1].reason == "too few columns" and kept[-1].received_at == letters[0].received_at
    assert [d.position for d in store.dead_letters.list(limit=2, offset=3)] == ["line 3", "line 4"]

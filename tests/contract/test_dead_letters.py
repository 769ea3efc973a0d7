"""Dead letters on both engines: keyed by source, position and content (issue 19, item 11)."""

from datetime import UTC, datetime

import pytest

from core.errors import NotFoundError
from core.events import DeadLetter, DeadLetterQuery


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


def test_dead_letters_are_filtered_by_part_of_the_source_and_receive_time(store):
    """Issue 16 item 7: the dead-letters page filters by source (any case) and time."""
    early = _letter("line 1", b"x")
    late = _letter("line 2", b"y").model_copy(
        update={
            "source": "file:/logs/u_ex260302.LOG",
            "received_at": datetime(2026, 3, 3, tzinfo=UTC),
        }
    )
    odd = _letter("line 3", b"z").model_copy(update={"source": "syslog-udp:10.2*?%_"})
    store.dead_letters.add([early, late, odd])
    by = store.dead_letters
    assert [d.position for d in by.list(query=DeadLetterQuery(source="U_EX"))] == ["line 2"]
    assert by.count(DeadLetterQuery(source=".log")) == 1
    assert by.count(DeadLetterQuery(source="*?%_")) == 1  # characters, not patterns
    assert by.count(DeadLetterQuery(source="%")) == 1
    assert by.count(DeadLetterQuery(source="nothing")) == 0
    since = DeadLetterQuery(since=datetime(2026, 3, 2, 12, tzinfo=UTC))
    assert [d.position for d in by.list(query=since)] == ["line 2"]
    until = DeadLetterQuery(until=datetime(2026, 3, 2, 12, tzinfo=UTC))
    assert by.count(until) == 2
    ids = [d.id for d in by.list()]
    assert [d.position for d in by.list(query=DeadLetterQuery(ids=(ids[0], ids[2])))] == [
        "line 1",
        "line 3",
    ]
    assert by.count(DeadLetterQuery(ids=())) == 0
    assert [d.position for d in by.list(limit=1, offset=1, query=until)] == ["line 3"]


def test_a_dead_letter_gets_a_new_reason_and_is_removed_once_stored(store):
    store.dead_letters.add([_letter("line 1", b"a"), _letter("line 2", b"b")])
    first, second = store.dead_letters.list()
    assert first.id is not None and second.id is not None
    store.dead_letters.set_reason(first.id, "W3C log line has 3 columns")
    again = store.dead_letters.get(first.id)
    assert again.reason == "W3C log line has 3 columns" and again.raw == b"a"
    assert store.dead_letters.remove([second.id, 10_000]) == 1
    assert [d.id for d in store.dead_letters.list()] == [first.id]
    assert store.dead_letters.remove([]) == 0
    with pytest.raises(NotFoundError):
        store.dead_letters.set_reason(second.id, "gone")
    # The same record read again after its removal is a dead letter again (not lost twice).
    store.dead_letters.add([_letter("line 2", b"b")])
    assert store.dead_letters.count() == 2

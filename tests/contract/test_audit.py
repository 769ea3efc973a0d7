"""AuditStore on both engines: an append-only chain in which each row hashes the previous
row's hash and its own content (the same way on every engine, ``audit_hash``), read oldest
first from a position, or newest first a page at a time (tests/contract/test_alert_queries.py
holds the paging case)."""

from datetime import UTC, datetime, timedelta

from core.storage import Store
from core.storage.base import GENESIS_HASH, audit_hash

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def write(store: Store, n: int) -> None:
    for i in range(n):
        store.audit.append(
            at=T0 + timedelta(seconds=i),
            actor="amy",
            action=f"incident.change.{i}",
            subject=f"INC-{i % 3}",
            detail=f'{{"i": {i}, "note": "層級 {i}"}}',
        )


def test_each_row_links_to_the_one_before(store: Store):
    assert list(store.audit.rows()) == [] and store.audit.count() == 0
    first = store.audit.append(at=T0, actor="amy", action="a", subject="s", detail="{}")
    assert (first.seq, first.prev_hash) == (1, GENESIS_HASH)
    assert first.hash == audit_hash(GENESIS_HASH, T0.isoformat(), "amy", "a", "s", "{}")
    write(store, 6)
    rows = list(store.audit.rows())
    assert [r.seq for r in rows] == list(range(1, 8))
    assert (rows[0].seq, rows[0].hash) == (first.seq, first.hash)
    for before, row in zip(rows, rows[1:], strict=False):
        assert row.prev_hash == before.hash
        assert row.hash == audit_hash(
            row.prev_hash, row.at.isoformat(), row.actor, row.action, row.subject, row.detail
        )
    assert rows[-1].detail == '{"i": 5, "note": "層級 5"}' and rows[-1].at == T0 + timedelta(
        seconds=5
    )


def test_rows_after_a_position_are_the_tail_by_subject_too(store: Store):
    write(store, 9)
    assert [r.seq for r in store.audit.rows(after=6)] == [7, 8, 9]
    assert [r.seq for r in store.audit.rows(subject="INC-1")] == [2, 5, 8]
    assert [r.seq for r in store.audit.rows(subject="INC-1", after=2)] == [5, 8]
    assert list(store.audit.rows(after=9)) == []
    assert store.audit.count(subject="INC-2") == 3 and store.audit.count(subject="INC-9") == 0

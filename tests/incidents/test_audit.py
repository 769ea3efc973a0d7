"""The audit trail is append-only and any edit, removal or reordering is detected, on both
engines. Tampering goes around CitySOC, as someone with access to the files or the cluster
would."""

import json
import sqlite3

import pytest

from core import audit
from core.access import Actor, Role

ACTOR = Actor("amy", Role.ANALYST)


@pytest.fixture
def engine(both_engines: str) -> str:
    return both_engines


def write_entries(store, clock, n=5):
    for i in range(n):
        audit.record(
            store, actor=ACTOR, action="test.step", subject=f"S{i}", at=clock.now(), detail={"i": i}
        )


def edit(store, seq: int, **changes: str) -> None:
    if store.engine == "sqlite":
        store.execute_raw("DROP TRIGGER IF EXISTS audit_no_update")
        for column, value in changes.items():
            store.execute_raw(f"UPDATE audit SET {column} = ? WHERE seq = ?", (value, seq))
        return
    index = store.index("audit")
    current = store.es.get(index=index, id=str(seq))["_source"]
    store.es.index(index=index, id=str(seq), document={**current, **changes}, refresh=True)


def remove(store, seq: int) -> None:
    if store.engine == "sqlite":
        store.execute_raw("DROP TRIGGER IF EXISTS audit_no_delete")
        store.execute_raw("DELETE FROM audit WHERE seq = ?", (seq,))
        return
    store.es.delete(index=store.index("audit"), id=str(seq), refresh=True)


def test_an_untouched_chain_verifies(store, clock):
    write_entries(store, clock)
    result = audit.verify(store)
    assert (result.ok, result.entries) == (True, 5)


def test_the_sqlite_store_refuses_updates_and_deletes(store, clock):
    if store.engine != "sqlite":
        pytest.skip("Elasticsearch has no triggers: its chain detects edits (tests below)")
    write_entries(store, clock, 1)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.execute_raw("UPDATE audit SET actor = 'mallory'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.execute_raw("DELETE FROM audit")


def test_an_edited_row_is_detected(store, clock):
    write_entries(store, clock)
    edit(store, 3, detail=json.dumps({"i": 99}))
    result = audit.verify(store)
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert "changed" in result.reason


def test_a_removed_row_is_detected(store, clock):
    write_entries(store, clock)
    remove(store, 2)
    result = audit.verify(store)
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert "missing" in result.reason


def test_removing_the_newest_rows_and_rehashing_a_row_is_still_detected(store, clock):
    write_entries(store, clock)
    row = next(r for r in store.audit.rows() if r.seq == 4)
    edit(store, 4, hash="f" + row.hash[1:])
    result = audit.verify(store)
    assert not result.ok and result.first_bad_seq == 4


def test_appends_from_many_threads_keep_one_chain(store, clock):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: write_entries(store, clock, 3), range(4)))
    result = audit.verify(store)
    assert (result.ok, result.entries) == (True, 12)

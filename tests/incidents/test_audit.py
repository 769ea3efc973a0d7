"""The audit trail is append-only and any edit, removal or reordering is detected."""

import sqlite3

import pytest

from core import audit
from core.access import Actor, Role

ACTOR = Actor("amy", Role.ANALYST)


def write_entries(store, clock, n=5):
    for i in range(n):
        audit.record(
            store, actor=ACTOR, action="test.step", subject=f"S{i}", at=clock.now(), detail={"i": i}
        )


def test_an_untouched_chain_verifies(store, clock):
    write_entries(store, clock)
    result = audit.verify(store)
    assert (result.ok, result.entries) == (True, 5)


def test_the_store_refuses_updates_and_deletes(store, clock):
    write_entries(store, clock, 1)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.execute_raw("UPDATE audit SET actor = 'mallory'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.execute_raw("DELETE FROM audit")


def test_an_edited_row_is_detected(store, clock):
    write_entries(store, clock)
    store.execute_raw("DROP TRIGGER audit_no_update")  # someone with file access
    store.execute_raw("UPDATE audit SET detail = '{\"i\": 99}' WHERE seq = 3")
    result = audit.verify(store)
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert "changed" in result.reason


def test_a_removed_row_is_detected(store, clock):
    write_entries(store, clock)
    store.execute_raw("DROP TRIGGER audit_no_delete")
    store.execute_raw("DELETE FROM audit WHERE seq = 2")
    result = audit.verify(store)
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert "missing" in result.reason


def test_removing_the_newest_rows_and_rehashing_a_row_is_still_detected(store, clock):
    write_entries(store, clock)
    store.execute_raw("DROP TRIGGER audit_no_update")
    store.execute_raw("UPDATE audit SET hash = 'f' || substr(hash, 2) WHERE seq = 4")
    result = audit.verify(store)
    assert not result.ok and result.first_bad_seq == 4

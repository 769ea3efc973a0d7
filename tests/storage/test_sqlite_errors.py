"""SQLite says its errors as core.errors, as Elasticsearch does: a database that is locked
by another process, or cannot be opened, is UnavailableError (503), never a raw sqlite3
error (500) and never a RuleError (422, which would also fail every rule of a scan)."""

import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.errors import UnavailableError
from core.events import Event
from core.storage.sqlite import SqliteStore

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _event(n: int) -> Event:
    return Event(
        event_id=f"e{n}",
        timestamp=AT,
        dataset="json",
        organization_id="376580000A",
        original=f"record {n}",
        fields={"host.name": "pc-1"},
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "store" / "s.db") as opened:
        opened.events.append([_event(1)])
        opened.execute_raw("PRAGMA busy_timeout = 100")  # milliseconds, not the default 30 s
        yield opened


def test_a_database_locked_by_another_process_is_unavailable(store: SqliteStore) -> None:
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process's long write holds the lock
    try:
        with pytest.raises(UnavailableError, match="cannot be used now") as raised:
            store.events.append([_event(2)])
        assert raised.value.location == "store"
        assert isinstance(raised.value.__cause__, sqlite3.OperationalError)
        with pytest.raises(UnavailableError), store.transaction():
            store.incidents.insert("INC-1", "376580000A", "{}")
        assert store.events.count() == 1  # reads go on (WAL): only writers wait
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.events.append([_event(2)]) == 1  # and the store works once it is released


def test_a_scan_of_a_database_that_cannot_be_opened_is_unavailable_not_a_rule_error(
    store: SqliteStore,
) -> None:
    shutil.rmtree(store.path.parent)  # the folder went away under the running store
    with pytest.raises(UnavailableError, match="cannot be used now"):
        list(store.events.scan(["host = 'pc-1'"], after=0, upto=10))


def test_a_path_that_cannot_be_opened_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(UnavailableError, match="cannot open the SQLite store"):
        SqliteStore(tmp_path / "a-file" / "s.db")

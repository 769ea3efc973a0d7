"""kill -9 of `citysoc serve` with accepted lines not yet stored (issue 19, item 4): the
journal holds them, and the next start stores every one, once."""

import socket
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.journal import count_unstored
from tests.faults.serve import Serve

pytestmark = pytest.mark.faults

LINES = 2000


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    server = Serve(tmp_path)
    try:
        yield server
    finally:
        server.stop()


def _events(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db, timeout=30) as con:
        total, distinct = con.execute(
            "SELECT count(*), count(DISTINCT original) FROM events"
        ).fetchone()
        return int(total), int(distinct)


def _wait(condition, what: str, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_lines_accepted_before_a_kill_are_stored_after_the_restart(serve, tmp_path):
    serve.start()
    db = tmp_path / "c.db"
    blocker = sqlite3.connect(db, isolation_level=None, timeout=30)
    blocker.execute("BEGIN IMMEDIATE")  # the store takes no write: lines wait after intake
    payload = b"".join(
        f"<38>Mar  2 09:00:00 web02 sshd[1]: Failed password for u{n} from 10.9.9.9\n".encode()
        for n in range(LINES)
    )
    with socket.create_connection(("127.0.0.1", serve.tcp)) as sender:
        sender.sendall(payload)
    # (read from the files: the API waits for the store, which the blocker holds)
    journal = tmp_path / "syslog-journal"
    _wait(lambda: count_unstored(journal) == LINES, f"{LINES} lines in the journal")
    serve.kill()
    blocker.execute("ROLLBACK")
    blocker.close()
    assert _events(db) == (0, 0)

    serve.start()
    _wait(lambda: _events(db)[0] >= LINES, f"{LINES} events after the restart")
    assert _events(db) == (LINES, LINES)
    assert serve.metric("citysoc_syslog_journal_unstored_bytes") == 0

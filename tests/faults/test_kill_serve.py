"""kill -9 of `citysoc serve` with accepted lines not yet stored (issue 19, item 4): the
journal holds them, and the next start stores every one, once."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.journal import count_unstored
from tests.conftest import _free_port

pytestmark = pytest.mark.faults

LINES = 2000


class Serve:
    """`citysoc serve` in its own process on free loopback ports, with a store in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.tcp, self.api = _free_port(), _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "CITYSOC_STORE": f"sqlite:///{self.folder / 'c.db'}",
            "CITYSOC_SYSLOG_TCP_PORT": str(self.tcp),
            "CITYSOC_SYSLOG_UDP_PORT": str(_free_port()),
            "CITYSOC_API_PORT": str(self.api),
            "CITYSOC_SCAN_SCHEDULE": "false",
            "CITYSOC_SHARE_PULL_SCHEDULE": "false",
        }
        log = (self.folder / "serve.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve"], env=env, stdout=log, stderr=log
        )
        deadline = time.monotonic() + 90
        while True:
            assert self.process.poll() is None, (self.folder / "serve.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "serve did not start listening within 90 s"
            try:
                socket.create_connection(("127.0.0.1", self.api), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)

    def metric(self, name: str) -> float | None:
        token = (self.folder / "api-token").read_text().strip()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.api}/metrics", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 - loopback http
            text = answer.read().decode()
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[-1])
        return None

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


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

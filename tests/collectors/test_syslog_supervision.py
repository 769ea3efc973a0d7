"""A syslog worker that dies is restarted, loses nothing, and readiness says so meanwhile.

The failure is real: the dead-letter table is renamed away under the running store (from a
second SQLite connection), so storing a dead letter fails until it is renamed back.
"""

import socket
import sqlite3
import time

from fastapi.testclient import TestClient

from api.app import create_app
from collectors.syslog import WORKER_NAME, SyslogServer
from core.health import WorkerState


def wait_for(condition, what: str, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
    return found


def test_a_dead_worker_restarts_retries_its_batch_and_makes_ready_answer_503(soc, settings):
    server = SyslogServer(
        soc.ingestor(), udp_port=0, tcp_port=None, health=soc.health, restart_backoff=(0.05, 0.2)
    )
    with server, TestClient(create_app(soc, api_token="t" * 32)) as client:
        assert client.get("/api/v1/ready").json()["checks"][WORKER_NAME] == "running"
        db = sqlite3.connect(settings.sqlite_path, isolation_level=None)
        db.execute("ALTER TABLE dead_letters RENAME TO dead_letters_aside")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(b"<999>not syslog", server.udp_address)
            s.sendto(b"<38>1 2026-03-02T09:00:00+08:00 web02 sshd 1 - - kept", server.udp_address)

        wait_for(lambda: server.health.snapshot().restarts >= 2, "the worker to fail twice")
        ready = client.get("/api/v1/ready")
        assert ready.status_code == 503
        check = ready.json()["checks"][WORKER_NAME]
        assert check.startswith("restarting") and "no such table: dead_letters" in check
        health = client.get("/api/v1/health").json()
        assert health["status"] == "degraded"
        assert health["workers"][WORKER_NAME]["state"] == "restarting"

        db.execute("ALTER TABLE dead_letters_aside RENAME TO dead_letters")
        server.drain(expect=2)
        snapshot = server.health.snapshot()
        assert snapshot.state is WorkerState.RUNNING and snapshot.last_success_at is not None
        assert "OperationalError" in str(snapshot.last_error)
        assert client.get("/api/v1/ready").status_code == 200
    # nothing lost, nothing counted twice
    assert soc.store.dead_letters.count() == 1 and soc.store.events.count() == 1
    report = server.ingestor.report
    # (the event may have been stored by the failed attempt: the retry counts it a duplicate)
    assert (report.read, report.stored + report.duplicates, report.dead_lettered) == (2, 1, 1)
    assert WORKER_NAME not in {w.name for w in soc.health.snapshot()}  # closed on purpose

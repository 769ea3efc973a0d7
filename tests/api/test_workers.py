"""Background workers that fail are restarted, and readiness and metrics say so meanwhile.

The failures are real: a table is renamed away under the running store (from a second
SQLite connection), so the worker's step fails until it is renamed back.
"""

import json
import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

from fastapi.testclient import TestClient

from api.app import create_app
from api.server import DetectionLoop
from collectors.records import RawRecord
from core.health import HealthRegistry, WorkerState
from core.supervisor import Supervised
from tests.data.events import winlogbeat

TOKEN = "t" * 32
T = TypeVar("T")


def wait_for(condition: Callable[[], T], what: str, timeout: float = 15.0) -> T:
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
    return found


def _new_admins(soc, names: str) -> None:
    ingestor = soc.ingestor()
    for name in names:
        doc = winlogbeat("Security", 4732, {"TargetSid": "S-1-5-32-544", "MemberName": name})
        ingestor.submit(RawRecord("t", json.dumps(doc).encode(), soc.clock.now()), "jsonl")
    ingestor.flush()


def test_a_failing_detection_loop_restarts_and_ready_answers_503_meanwhile(soc, settings):
    loop = DetectionLoop(soc, interval=0.05)  # back-off 1 s, then 2 s
    with TestClient(create_app(soc, api_token=TOKEN)) as client:
        loop.start()
        try:
            wait_for(lambda: client.get("/api/v1/ready").status_code == 200, "ready")
            db = sqlite3.connect(settings.sqlite_path, isolation_level=None)
            db.execute("ALTER TABLE watchlist RENAME TO watchlist_aside")
            loop.wake.set()

            down = wait_for(
                lambda: (r := client.get("/api/v1/ready")).status_code == 503 and r,
                "readiness to name the failed detection loop",
            )
            check = down.json()["checks"]["detections"]
            assert check.startswith("restarting") and "no such table" in check
            metrics = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
            assert 'citysoc_worker_up{worker="detections"} 0' in metrics
            wait_for(lambda: loop.health.snapshot().restarts >= 2, "a retry with back-off")

            db.execute("ALTER TABLE watchlist_aside RENAME TO watchlist")
            _new_admins(soc, "abc")  # work that arrived while it was down still gets done
            wait_for(lambda: client.get("/api/v1/ready").status_code == 200, "recovery")
            wait_for(lambda: soc.store.alerts.count() > 0, "the alerts of the waiting events")
            snapshot = loop.health.snapshot()
            assert snapshot.state is WorkerState.RUNNING and snapshot.last_success_at is not None
            assert "OperationalError" in str(snapshot.last_error)
            wait_for(lambda: loop.health.snapshot().backlog == 0, "the detection lag to clear")
            ready = client.get("/api/v1/ready").json()
            assert ready["workers"]["detections"]["backlog"] == 0
            metrics = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
            assert 'citysoc_worker_up{worker="detections"} 1' in metrics
            assert 'citysoc_worker_backlog{worker="detections"} 0' in metrics
            assert 'citysoc_worker_last_success_seconds{worker="detections"}' in metrics
        finally:
            loop.stop.set()
            loop.wake.set()
    loop.close()
    assert "detections" not in {w.name for w in soc.health.snapshot()}  # stopped on purpose


def test_a_supervised_step_backs_off_and_recovers():
    failures = iter([RuntimeError("disk full"), RuntimeError("still full")])
    calls: list[int] = []

    def step() -> None:
        calls.append(1)
        if (error := next(failures, None)) is not None:
            raise error

    registry = HealthRegistry()
    with Supervised("probe", step, health=registry, interval=0.01, backoff=(0.01, 0.02)) as w:
        wait_for(lambda: w.health.snapshot().last_success_at is not None, "success after retry")
        snapshot = w.health.snapshot()
        assert snapshot.restarts == 2 and snapshot.last_error == "RuntimeError: still full"
        assert snapshot.state is WorkerState.RUNNING and len(calls) >= 3
    assert registry.snapshot() == []

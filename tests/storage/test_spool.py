"""The Elasticsearch spool under a running CitySOC: every transient refusal is spooled,
reported as pending (not stored), and drained by the supervised drainer without a new write.

Real outages: the node's own read-only block (what a full disk sets) for 15 s, and a node
stopped for about 20 s (its restart) and started again.
"""

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient

from api.app import create_app
from api.context import CitySoc
from api.server import SpoolDrainer
from collectors.records import RawRecord
from core.settings import DEFAULT_RULES, Settings
from core.storage import pending_events, spooling
from tests.conftest import REPO, _free_port

pytestmark = pytest.mark.elasticsearch
SCRIPT = REPO / "scripts" / "elasticsearch"
BLOCK_SECONDS = 15  # how long the read-only block stays on
T = TypeVar("T")


@pytest.fixture
def engine() -> str:
    return "elasticsearch"


def wait_for(condition: Callable[[], T], what: str, timeout: float = 120.0) -> T:
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)
    return found


def _lines(start: int, n: int) -> list[bytes]:
    return [
        json.dumps({"@timestamp": "2026-03-02T01:00:00Z", "message": f"event {i}"}).encode()
        for i in range(start, start + n)
    ]


def _ingest(soc: CitySoc, lines: list[bytes]) -> int:
    """Ingest and return what the ingestor counted as accepted."""
    ingestor = soc.ingestor()
    for line in lines:
        ingestor.submit(RawRecord("test", line, soc.clock.now()), "jsonl")
    ingestor.flush()
    return ingestor.report.stored


def _stored(url: str, prefix: str) -> int:
    """What the node holds, asked directly (not through the store under test)."""
    with Elasticsearch(url) as es:
        es.indices.refresh(index=f"{prefix}-events-*", allow_no_indices=True)
        return int(es.count(index=f"{prefix}-events-*", allow_no_indices=True)["count"])


def _read_only(url: str, prefix: str, on: bool) -> None:
    with Elasticsearch(url) as es:
        es.indices.put_settings(
            index=f"{prefix}-*",
            settings={"index.blocks.read_only_allow_delete": True if on else None},
        )


def test_the_read_only_block_is_spooled_reported_pending_and_drained(soc, settings):
    url, prefix = settings.store, settings.store_index_prefix
    spool = spooling(soc.store)
    assert spool is not None
    drainer = SpoolDrainer(soc, spool, interval=0.5, backoff=(0.2, 2.0))
    with TestClient(create_app(soc, api_token="t" * 32)) as client:
        drainer.start()
        try:
            _read_only(url, prefix, True)
            try:
                accepted = _ingest(soc, _lines(0, 300))
                assert accepted == 300 and pending_events(soc.store) == 300
                assert _stored(url, prefix) == 0
                health = client.get("/api/v1/health").json()
                assert health["events_pending"] == 300
                ready = wait_for(
                    lambda: (
                        (r := client.get("/api/v1/ready")).status_code == 503
                        and r.json()["workers"]["spool-drain"]["state"] == "restarting"
                        and r.json()
                    ),
                    "readiness to name the drainer that cannot drain",
                )
                check = ready["checks"]["spool-drain"]
                assert "cluster_block_exception" in check and "(backlog 300)" in check
                time.sleep(BLOCK_SECONDS)  # the outage lasts; nothing is written meanwhile
            finally:
                _read_only(url, prefix, False)
            # no new write: the drainer stores them on its own
            wait_for(lambda: _stored(url, prefix) == 300, "the spooled events to arrive")
            wait_for(lambda: pending_events(soc.store) == 0, "the spool to empty")
            wait_for(lambda: client.get("/api/v1/ready").status_code == 200, "ready again")
            assert client.get("/api/v1/ready").json()["workers"]["spool-drain"]["backlog"] == 0
        finally:
            drainer.close()


@pytest.fixture
def own_node() -> Iterator[Callable[[str], str]]:
    """A node of this test's own, to stop and start (the session's node stays up)."""
    folder = Path(tempfile.mkdtemp(prefix="citysoc-es-spool-"))
    port = _free_port()

    def node(command: str) -> str:
        args = [str(SCRIPT), command, str(folder / "node")]
        args += [str(port)] if command == "start" else []
        done = subprocess.run(args, capture_output=True, text=True, timeout=400, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip()

    try:
        yield node
    finally:
        node("stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
def test_events_written_while_the_node_is_stopped_arrive_after_without_a_new_write(
    own_node, tmp_path, clock
):
    url = own_node("start").splitlines()[-1]
    settings = Settings(
        store=url, store_index_prefix="spool", state_dir=tmp_path, rule_dirs=[DEFAULT_RULES]
    )
    with CitySoc(settings, clock=clock) as soc:
        spool = spooling(soc.store)
        assert spool is not None
        with SpoolDrainer(soc, spool, interval=0.5, backoff=(0.2, 2.0)):
            assert _ingest(soc, _lines(0, 500)) == 500
            own_node("stop")
            assert _ingest(soc, _lines(500, 1500)) == 1500  # accepted into the spool
            assert pending_events(soc.store) == 1500
            own_node("start")  # about 20 s on this machine
            wait_for(lambda: _stored(url, "spool") == 2000, "the spooled events to arrive")
            assert pending_events(soc.store) == 0
            assert soc.store.events.count() == 2000

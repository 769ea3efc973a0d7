"""The Elasticsearch engine's own behaviour: start-up errors, concurrency, outages."""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from collectors.ingest import Ingestor
from collectors.records import RawRecord
from core.errors import ConflictError, UnavailableError
from core.settings import Settings
from core.storage import open_store
from core.storage.base import SharedObject
from tests.conftest import REPO, _free_port

pytestmark = pytest.mark.elasticsearch
SCRIPT = REPO / "scripts" / "elasticsearch"


def test_an_unreachable_node_is_named_with_what_to_check(tmp_path):
    url = f"http://127.0.0.1:{_free_port()}"
    with pytest.raises(UnavailableError) as caught:
        open_store(Settings(store=url, state_dir=tmp_path))
    assert url in caught.value.message and "check that the node is running" in caught.value.message


@pytest.fixture
def engine() -> str:
    return "elasticsearch"


def test_two_analysts_updating_one_incident_the_second_gets_a_conflict(store):
    store.incidents.insert("INC-1", "police", '{"v": 0}')
    _doc, version = store.incidents.get("INC-1")
    assert store.incidents.update("INC-1", '{"v": "first"}', expected_version=version) == 2
    with pytest.raises(ConflictError, match="changed by someone else"):
        store.incidents.update("INC-1", '{"v": "second"}', expected_version=version)
    assert store.incidents.get("INC-1") == ('{"v": "first"}', 2)


def test_indices_and_template_have_explicit_mappings(store):
    template = store.es.indices.get_index_template(name=f"{store.prefix}-events")
    mappings = template["index_templates"][0]["index_template"]["template"]["mappings"]
    assert mappings["subobjects"] is False
    assert mappings["properties"]["organization.id"] == {"type": "keyword"}
    assert mappings["properties"]["source.ip"]["fields"]["ip"]["type"] == "ip"


def _shared(version: str, tlp: str) -> SharedObject:
    return SharedObject(
        collection_id="c1",
        id="indicator--1",
        type="indicator",
        version=version,
        date_added=version,
        tlp=tlp,
        document=f'{{"modified": "{version}"}}',
    )


def test_version_selection_picks_the_version_before_the_tlp_ceiling_filters_it(store):
    """As on SQLite: "last" (or "first") is chosen among every version of the object, then
    the TLP ceiling applies. An older, lower-TLP version is never served in its place."""
    v1, v2 = "2026-03-02T01:00:00.000000Z", "2026-03-02T02:00:00.000000Z"
    assert store.sharing.add_objects([_shared(v1, "green"), _shared(v2, "red")]) == 2
    assert store.sharing.objects("c1", versions=("last",), tlps=["clear", "green"]) == []
    assert store.sharing.objects("c2", versions=("last",)) == []
    [last] = store.sharing.objects("c1", versions=("last",), tlps=["green", "red"])
    assert (last.version, last.tlp) == (v2, "red")
    assert [o.version for o in store.sharing.objects("c1", versions=("all",), tlps=["green"])] == [
        v1
    ]
    [first] = store.sharing.objects("c1", versions=("first",), tlps=["green"])
    assert first.version == v1
    assert store.sharing.objects("c1", versions=("first",), tlps=["clear"]) == []


def _lines(start: int, n: int) -> list[bytes]:
    return [
        json.dumps(
            {
                "@timestamp": "2026-03-02T01:00:00Z",
                "message": f"event {i}",
                "source.ip": "10.20.1.5",
            }
        ).encode()
        for i in range(start, start + n)
    ]


@pytest.mark.slow
def test_an_outage_mid_ingest_loses_nothing_and_duplicates_nothing(tmp_path, registry, clock):
    """Stop the node in the middle of an ingest, keep ingesting, start it again: every
    event is there exactly once."""
    folder = Path(tempfile.mkdtemp(prefix="citysoc-es-outage-"))
    port = _free_port()

    def node(command: str) -> str:
        args = [str(SCRIPT), command, str(folder / "node")] + (
            [str(port)] if command == "start" else []
        )
        done = subprocess.run(args, capture_output=True, text=True, timeout=400, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip()

    url = node("start")
    try:
        settings = Settings(store=url, state_dir=tmp_path, store_index_prefix="outage")
        with open_store(settings) as store:
            ingestor = Ingestor(store, registry, batch_size=500, clock=clock)

            def ingest(lines: list[bytes]) -> None:
                for line in lines:
                    ingestor.submit(RawRecord("test", line, clock.now()), "jsonl")
                ingestor.flush()

            ingest(_lines(0, 1000))
            node("stop")
            ingest(_lines(1000, 1000))  # the node is down: these wait in the spool
            assert store.spool is not None and store.spool.pending() == 2
            ingest(_lines(1500, 500))  # half of them again: duplicates must not double
            # reads while it is down say so plainly (a 503 over HTTP), not an engine error
            for read in (store.alerts.list, store.events.count, store.audit.count):
                with pytest.raises(UnavailableError, match=f"Elasticsearch at {url}"):
                    read()
            with pytest.raises(UnavailableError, match="is unavailable"):
                list(store.audit.rows())
            node("start")
            ingest(_lines(2000, 1000))  # drains the spool first, then writes
            assert store.spool.pending() == 0
            assert store.events.count() == 3000
            events = store.events.list(limit=5000)
            assert len({e.event_id for e in events}) == 3000
            assert store.events.last_position() == 3500  # 3,500 positions handed out, once each
            assert ingestor.report.dead_lettered == 0
    finally:
        node("stop")
        shutil.rmtree(folder, ignore_errors=True)

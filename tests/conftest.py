"""Shared fixtures: real SQLite files, a real Elasticsearch node, the real agency registry,
a fixed clock.

Tests run on SQLite by default. A module that must hold on both engines overrides the
``engine`` fixture with ``both_engines`` (see tests/detections/test_rules_and_runner.py);
its Elasticsearch runs are marked ``elasticsearch`` and share one node per session, each
test in its own index prefix.
"""

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from api.context import CitySoc
from core.access import Actor, Role
from core.agencies import AgencyRegistry
from core.clock import FixedClock
from core.settings import DEFAULT_AGENCIES, DEFAULT_RULES, Settings
from core.storage import Store

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("CITYSOC_SHARED_DATA", REPO.parent / "shared" / "data"))
EVTX_SAMPLES = SHARED_DATA / "evtx-attack-samples"
SIGMAHQ_RULES = SHARED_DATA / "sigmahq-rules" / "rules"
DATA = Path(__file__).resolve().parent / "data"


def need_shared(path: Path) -> Path:
    """Skip (with the reason) where ../shared/data is absent; CI has it and runs these."""
    if not path.exists():
        if os.environ.get("CITYSOC_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{path} is required under CI but missing")
        pytest.skip(f"needs the shared data set at {path} (not part of a user's clone)")
    return path


@pytest.fixture(scope="session", autouse=True)
def _rule_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One compiled-rule cache for the session (as processes on one machine share one): the
    tests never write to the user's cache, and compile a rule set once, not once per test.
    Tests of the cache itself give their own (tests/detections/test_compile_cache.py)."""
    path = tmp_path_factory.mktemp("rule-cache") / "compiled-rules.sqlite"
    before = os.environ.get("CITYSOC_RULE_CACHE")
    os.environ["CITYSOC_RULE_CACHE"] = str(path)  # subprocesses (the CLI, serve) inherit it
    yield path
    if before is None:
        os.environ.pop("CITYSOC_RULE_CACHE", None)
    else:
        os.environ["CITYSOC_RULE_CACHE"] = before


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))  # 09:00 Taipei


@pytest.fixture(scope="session")
def registry() -> AgencyRegistry:
    return AgencyRegistry.load(DEFAULT_AGENCIES)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def elasticsearch_url() -> Iterator[str]:
    """A real single-node Elasticsearch for the session (scripts/elasticsearch), or the one
    named by CITYSOC_TEST_ELASTICSEARCH_URL."""
    given = os.environ.get("CITYSOC_TEST_ELASTICSEARCH_URL")
    if given:
        yield given
        return
    script = REPO / "scripts" / "elasticsearch"
    folder = Path(tempfile.mkdtemp(prefix="citysoc-es-"))
    started = subprocess.run(
        [str(script), "start", str(folder / "node"), str(_free_port())],
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    if started.returncode != 0:
        reason = f"could not start Elasticsearch with {script}: {started.stderr[-2000:]}"
        if os.environ.get("CITYSOC_REQUIRE_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([str(script), "stop", str(folder / "node")], check=False, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def engine() -> str:
    return "sqlite"


@pytest.fixture(params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def both_engines(request: pytest.FixtureRequest) -> str:
    return str(request.param)


TEST_PREFIX = "citysoc-test"


def _empty_prefix(url: str, prefix: str) -> None:
    """Leave the indices (creating them costs seconds per test) but none of their documents."""
    from elasticsearch import Elasticsearch, helpers

    with Elasticsearch(url) as es:
        while True:  # (the test distribution has no _delete_by_query)
            es.indices.refresh(index=f"{prefix}-*", allow_no_indices=True)
            hits = es.search(index=f"{prefix}-*", size=10_000, source=False, allow_no_indices=True)[
                "hits"
            ]["hits"]
            if not hits:
                return
            helpers.bulk(
                es,
                ({"_op_type": "delete", "_index": h["_index"], "_id": h["_id"]} for h in hits),
                raise_on_error=False,
            )


@pytest.fixture
def settings(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    if engine == "sqlite":
        yield Settings(store=f"sqlite:///{tmp_path / 'citysoc.db'}", rule_dirs=[DEFAULT_RULES])
        return
    url = request.getfixturevalue("elasticsearch_url")
    _empty_prefix(url, TEST_PREFIX)
    yield Settings(
        store=url, store_index_prefix=TEST_PREFIX, state_dir=tmp_path, rule_dirs=[DEFAULT_RULES]
    )


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    from core.storage import open_store

    with open_store(settings) as s:
        yield s


@pytest.fixture
def soc(settings: Settings, clock: FixedClock) -> Iterator[CitySoc]:
    with CitySoc(settings, clock=clock) as s:
        yield s


@pytest.fixture
def analyst() -> Actor:
    return Actor("amy", Role.ANALYST)


@pytest.fixture
def lead() -> Actor:
    return Actor("lee", Role.LEAD)


def require_binary(name: str, install: str) -> str:
    """The path of a program; skip (user clone) or fail (CI) with the install command."""
    import shutil

    path = shutil.which(name)
    if path is None:
        if os.environ.get("CITYSOC_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{name} is required under CI: {install}")
        pytest.skip(f"{name} is not installed: {install}")
    return path

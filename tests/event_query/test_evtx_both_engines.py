"""The shared EVTX attack samples on both engines: every query of a list gives the same
event ids, in the same order, with the same totals (needs ../shared/data and a node)."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from collectors.files import ingest_paths
from collectors.ingest import Ingestor
from core.clock import FixedClock
from core.event_query.parser import parse
from core.storage import SqliteStore
from core.storage.searching import EventFilter
from tests.conftest import EVTX_SAMPLES, need_shared

pytestmark = [pytest.mark.shared_data, pytest.mark.elasticsearch, pytest.mark.slow]

QUERIES = [
    "winlog.event_id:4624",
    "winlog.event_id:[4624 TO 4634] AND NOT winlog.event_data.LogonType:3",
    "winlog.event_id:>=4700 AND winlog.channel:security",
    "winlog.channel:*sysmon* AND winlog.event_data.Image:*\\\\powershell.exe",
    "winlog.event_data.CommandLine:*mimikatz* OR winlog.event_data.CommandLine:*sekurlsa*",
    'winlog.event_data.ParentImage:"C:\\\\Windows\\\\explorer.exe"',
    "winlog.event_data.IpAddress:10.0.0.0/8 OR winlog.event_data.IpAddress:192.168.0.0/16",
    "winlog.event_data.IpAddress:* AND NOT winlog.event_data.IpAddress:127.0.0.0/8",
    "host.name:IEWIN7 AND winlog.event_id:1",
    "host.name:?EWIN*",
    "@timestamp:[2019-01-01 TO 2019-12-31] AND (winlog.event_id:1 OR winlog.event_id:3)",
    "@timestamp:<2018-01-01",
    "winlog.event_data.LogonType:{2 TO 10}",
    "mimikatz",
    '"lsass.exe"',
    "psexe?svc",
    "NOT winlog.channel:*",
    "winlog.task:[* TO 12] winlog.level:4",
]


@pytest.fixture(scope="module")
def engines(
    tmp_path_factory: pytest.TempPathFactory, elasticsearch_url: str, registry
) -> Iterator[tuple[SqliteStore, object]]:
    from core.storage.elasticsearch import ElasticStore

    clock = FixedClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    samples = sorted(need_shared(EVTX_SAMPLES).rglob("*.evtx"))
    lite = SqliteStore(Path(tmp_path_factory.mktemp("evtx")) / "citysoc.db")
    ingest_paths(samples, Ingestor(lite, registry, clock=clock))
    elastic = ElasticStore(elasticsearch_url, prefix="citysoc-search-evtx")
    elastic.drop()
    elastic = ElasticStore(elasticsearch_url, prefix="citysoc-search-evtx")
    try:
        ingest_paths(samples, Ingestor(elastic, registry, clock=clock))
        yield lite, elastic
    finally:
        elastic.drop()
        elastic.close()
        lite.close()


def test_both_engines_give_the_same_events_for_every_query(engines):
    lite, elastic = engines
    assert lite.events.count() == elastic.events.count() > 8000
    for query in QUERIES:
        where = EventFilter(parse(query))
        total = lite.event_search.count(where)
        assert elastic.event_search.count(where) == total, query
        ids = [e.event_id for e in lite.event_search.page(where, limit=200, offset=0)]
        assert [e.event_id for e in elastic.event_search.page(where, limit=200, offset=0)] == ids, (
            query
        )
        every = sorted(e.event_id for e in lite.event_search.stream(where))
        assert sorted(e.event_id for e in elastic.event_search.stream(where)) == every, query
        print(f"{total:6d}  {query}")
    # the queries are not vacuous: most of them find something, none finds everything
    found = [lite.event_search.count(EventFilter(parse(q))) for q in QUERIES]
    assert sum(1 for n in found if n) >= len(QUERIES) - 2
    assert max(found) < lite.events.count()


def test_top_values_and_histograms_agree(engines):
    lite, elastic = engines
    where = EventFilter(parse("winlog.channel:security"))
    for field in ("winlog.event_id", "host.name", "winlog.event_data.LogonType"):
        assert lite.event_search.top(where, field, limit=10) == elastic.event_search.top(
            where, field, limit=10
        ), field
    day = 86_400
    assert lite.event_search.histogram(where, bucket_seconds=day) == (
        elastic.event_search.histogram(where, bucket_seconds=day)
    )

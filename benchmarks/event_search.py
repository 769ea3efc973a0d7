"""Event search latency: a field query over 24 hours on a store of 1 M events.

    python -m benchmarks.event_search [--events 1000000] [--engine sqlite|elasticsearch|both]
                                      [--es-events 200000] [--queries 40] [--url http://...]

The SQLite store is built once (synthetic ECS events spread over 7 days, bulk-inserted
through the engine's own row format) into a cache folder outside git and reused. Each
query is what the search page asks: the count, the first page of 50 and the histogram
(``core.event_query.search.search``), over a random 24-hour window. The baseline, measured
in the same run over the same windows, is the cheapest question about the slice: ``count(*)``
of the window's events (an index-only count on SQLite, a range count on Elasticsearch).
Wall and CPU time are both reported: on a shared machine the wall time includes waiting
for a core (the load average is in the results); on Elasticsearch the CPU time is the
client's only.
Target: p95 < 500 ms on SQLite with 1 M events.
"""

import argparse
import os
import random
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.common import report
from benchmarks.elastic_node import elasticsearch
from core.access import Actor, Role
from core.event_query import search
from core.events import Event
from core.storage import Store
from core.storage.searching import EventFilter
from core.storage.sqlite import SqliteStore
from core.storage.sqlite.columns import EVENT_INSERT, event_row

END = datetime(2026, 3, 9, tzinfo=UTC)
SPAN = timedelta(days=7)
AGENCIES = [f"agency-{n:02d}" for n in range(12)]
HOSTS = 500
CODES = (4624, 4625, 4634, 4672, 4688, 4720, 5156)
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "citysoc" / "bench"
ANALYST = Actor("bench", Role.ANALYST)
# Field queries an analyst types, each over a 24-hour window.
QUERIES = (
    "host.name:ws-0042",
    "winlog.event_id:4625 AND user.name:admin*",
    "source.ip:10.20.0.0/16 AND NOT winlog.event_id:4624",
    "user.name:svc-backup",
    "winlog.event_id:[4720 TO 4730]",
)


def synthetic(n: int, seed: int = 7) -> Iterator[Event]:
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible
    step = SPAN / n
    start = END - SPAN
    for i in range(n):
        code = CODES[rng.randrange(len(CODES))]
        host = f"ws-{rng.randrange(HOSTS):04d}"
        user = rng.choice(("admin", "administrator", "svc-backup", f"user{rng.randrange(3000)}"))
        ip = f"10.{rng.choice((20, 30, 40))}.{rng.randrange(256)}.{rng.randrange(256)}"
        original = (
            f'{{"EventID": {code}, "Computer": "{host}", "User": "{user}", "Ip": "{ip}", "n": {i}}}'
        )
        yield Event(
            event_id=f"b{i:010d}",
            timestamp=start + step * i,
            dataset="windows.security",
            organization_id=AGENCIES[rng.randrange(len(AGENCIES))],
            original=original,
            fields={
                "winlog.event_id": code,
                "winlog.channel": "Security",
                "host.name": host,
                "user.name": user,
                "source.ip": ip,
                "winlog.event_data.LogonType": rng.choice((2, 3, 10)),
            },
        )


def sqlite_store(n: int) -> SqliteStore:
    """The cached store of ``n`` events (built on first use, by bulk insert)."""
    path = CACHE / f"event-search-{n}.db"
    if path.exists():
        store = SqliteStore(path)
        if store.events.count() == n:
            return store
        store.close()
        path.unlink()
    CACHE.mkdir(parents=True, exist_ok=True)
    SqliteStore(path).close()  # the schema and indexes, as CitySOC creates them
    started = time.perf_counter()
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    batch: list[tuple[object, ...]] = []
    for event in synthetic(n):
        batch.append(event_row(event))
        if len(batch) == 50_000:
            con.execute("BEGIN")
            con.executemany(EVENT_INSERT, batch)
            con.execute("COMMIT")
            batch.clear()
    con.execute("BEGIN")
    con.executemany(EVENT_INSERT, batch)
    con.execute("COMMIT")
    con.execute("ANALYZE")
    con.close()
    print(f"built {path} with {n} events in {time.perf_counter() - started:.0f} s")
    return SqliteStore(path)


def windows(count: int, seed: int = 11) -> list[tuple[datetime, datetime]]:
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible
    latest = SPAN - timedelta(days=1)
    out = []
    for _ in range(count):
        start = END - SPAN + timedelta(seconds=rng.randrange(int(latest.total_seconds())))
        out.append((start, start + timedelta(days=1)))
    return out


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]
    return statistics.median(ordered), p95


def measure(store: Store, count: int) -> dict[str, float]:
    """p50/p95 in ms of the page's search and of the baseline, over the same windows."""
    spans = windows(count)
    now = END

    def run(job: Callable[[str, datetime, datetime], object]) -> tuple[list[float], list[float]]:
        """(wall ms, CPU ms) per query: this machine is shared, and the CPU time of the
        process (SQLite runs in it) shows the work apart from waiting for a core."""
        wall, cpu = [], []
        for n, (start, end) in enumerate(spans):
            q = QUERIES[n % len(QUERIES)]
            began, used = time.perf_counter(), time.process_time()
            job(q, start, end)
            wall.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - used) * 1000)
        return wall, cpu

    def baseline(_q: str, start: datetime, end: datetime) -> object:
        return store.event_search.count(EventFilter(None, start, end))

    def searched(q: str, start: datetime, end: datetime) -> object:
        return search.search(store, ANALYST, q, start=start, end=end, now=now)

    run(searched)  # warm-up: caches and compiled statements, as a running server has them
    base, base_cpu = run(baseline)
    hunt, hunt_cpu = run(searched)
    b50, b95 = percentiles(base)
    s50, s95 = percentiles(hunt)
    c50, c95 = percentiles(hunt_cpu)
    _, bc95 = percentiles(base_cpu)
    matches = [
        search.search(store, ANALYST, q, start=s, end=e, now=now).total
        for q, (s, e) in zip(QUERIES, spans, strict=False)
    ]
    return {
        "baseline_p50_ms": b50,
        "baseline_p95_ms": b95,
        "search_p50_ms": s50,
        "search_p95_ms": s95,
        "p95_ratio_to_baseline": s95 / b95 if b95 else float("nan"),
        "baseline_cpu_p95_ms": bc95,
        "search_cpu_p50_ms": c50,
        "search_cpu_p95_ms": c95,
        "load_average_1min": os.getloadavg()[0],
        "mean_matches_per_query": statistics.mean(matches),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--es-events", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--engine", choices=("sqlite", "elasticsearch", "both"), default="both")
    parser.add_argument("--url", help="an Elasticsearch node to use instead of starting one")
    args = parser.parse_args()
    if args.engine in ("sqlite", "both"):
        with sqlite_store(args.events) as store:
            figures = measure(store, args.queries)
        report(
            "event_search_sqlite",
            {
                "events": args.events,
                "queries": args.queries,
                **figures,
                "target_p95_ms": 500.0,
                "met": figures["search_p95_ms"] < 500,
            },
        )
    if args.engine in ("elasticsearch", "both"):
        from core.storage.elasticsearch import ElasticStore

        with elasticsearch(args.url) as url:
            elastic = ElasticStore(url, prefix="bench-search")
            elastic.drop()
            elastic = ElasticStore(url, prefix="bench-search")
            try:
                batch: list[Event] = []
                for event in synthetic(args.es_events):
                    batch.append(event)
                    if len(batch) == 5000:
                        elastic.events.append(batch)
                        batch = []
                elastic.events.append(batch)
                elastic.es.indices.forcemerge(index=elastic.events_pattern, max_num_segments=1)
                figures = measure(elastic, args.queries)
            finally:
                elastic.drop()
                elastic.close()
        report(
            "event_search_elasticsearch",
            {"events": args.es_events, "queries": args.queries, **figures},
        )


if __name__ == "__main__":
    main()

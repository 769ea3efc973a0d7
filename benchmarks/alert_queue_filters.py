"""The alert queue's typed filters on SQLite: part of a host name, part of a rule's id or
title (issue 16 item 6), against the baseline of the same run: the unfiltered queue (its
first page and total), and the exact host filter the queue had before. A queue page asks
``count`` and one ``list`` page; each is timed as the median of ``--repeat`` runs.

    python -m benchmarks.alert_queue_filters [--alerts 100000] [--repeat 7]
"""

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.common import report
from core.alerts import Alert, AlertQuery, MatchedEvent, Severity
from core.settings import Settings
from core.storage import open_store
from core.storage.base import Store

TITLES = ["Mimikatz LSASS Access", "Office Spawns Shell", "New User Created", "Log Cleared"]


def seed(store: Store, alerts: int) -> None:
    rng = random.Random(7)  # noqa: S311 - benchmark data
    start = datetime(2026, 1, 1, tzinfo=UTC)
    batch: list[Alert] = []
    for n in range(alerts):
        batch.append(
            Alert(
                id=f"a{n:08d}",
                rule_id=f"sigma-{n % 400:04d}",
                rule_title=f"{TITLES[n % len(TITLES)]} {n % 400}",
                severity=list(Severity)[n % 5],
                organization_id=rng.choice(["district-xitun", "district-beitun", "police"]),
                host_name=f"D-XITUN-PC{n % 2000:04d}",
                event=MatchedEvent(event_id=f"e{n}", timestamp=start + timedelta(seconds=n)),
                created_at=start + timedelta(seconds=n),
                group_key=f"g{n % 997}",
            )
        )
        if len(batch) == 5000:
            store.alerts.add(batch)
            batch = []
    store.alerts.add(batch)


def page_seconds(store: Store, query: AlertQuery, repeat: int) -> float:
    """The median time of what a queue page asks: the total and the first 50."""

    def once() -> float:
        start = time.perf_counter()
        store.alerts.count(query)
        store.alerts.list(query, limit=50, offset=0)
        return time.perf_counter() - start

    return statistics.median(once() for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(store=f"sqlite:///{Path(folder) / 'bench.db'}")
        with open_store(settings) as store:
            seed(store, args.alerts)
            queries: dict[str, AlertQuery] = {
                "baseline (no filter)": AlertQuery(newest_first=True),
                "exact host": AlertQuery(host="D-XITUN-PC0042", newest_first=True),
                "host contains": AlertQuery(host_contains="pc0042", newest_first=True),
                "rule contains (id)": AlertQuery(rule_contains="sigma-0042", newest_first=True),
                "rule contains (title)": AlertQuery(rule_contains="LSASS", newest_first=True),
            }
            seconds = {name: page_seconds(store, q, args.repeat) for name, q in queries.items()}
    base = seconds["baseline (no filter)"]
    result: dict[str, object] = {"alerts": args.alerts}
    for name, value in seconds.items():
        result[f"{name}: ms"] = value * 1000
        result[f"{name}: x baseline"] = value / base
    report("alert_queue_filters", result)


if __name__ == "__main__":
    main()

"""Source health on SQLite: reading every source's last event and hours (what /sources and
each /metrics scrape do) from the running counts, against the baseline of the same run:
naming every event's source from its JSON in one aggregate query per read.

    python -m benchmarks.source_health [--events 300000] [--sources 70]

Reported: the baseline, the first read (which catches the counts up with every event once),
a later read after 2,000 new events, and the later read as a ratio to the baseline.
"""

import argparse
import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.common import report, timed
from core.access import Actor, Role
from core.clock import FixedClock
from core.events import Event
from core.settings import Settings
from core.source_health import source_health
from core.storage import open_store
from core.storage.sqlite.sources import SOURCE_SQL

NOW = datetime(2026, 3, 2, tzinfo=UTC)
ADMIN = Actor("bench", Role.ADMIN)


def _events(n: int, sources: int, start: int = 0) -> list[Event]:
    """Syslog senders and hosts of ten agencies, one event every two seconds back from NOW."""
    out = []
    for i in range(start, start + n):
        fields: dict[str, str | int | float | bool | None] = {
            "host.name": f"ws{i % sources}",
            "message": "x" * 100,
        }
        if i % 3 == 0:
            fields["log.source.address"] = f"10.0.{i % 20}.1"
        at = NOW - timedelta(seconds=2 * (i - start)) if start == 0 else NOW
        out.append(Event(f"e{i}", at, "syslog", f"org{i % 10}", "o" * 200, fields))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--sources", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        settings = Settings(store=f"sqlite:///{path}")
        clock = FixedClock(NOW)
        with open_store(settings) as store:
            events = _events(args.events, args.sources)
            for i in range(0, len(events), 5000):
                store.events.append(events[i : i + 5000])
            con = sqlite3.connect(path)
            with timed() as baseline:
                con.execute(
                    f"SELECT org, {SOURCE_SQL} AS s, max(ts) FROM events GROUP BY org, s"  # noqa: S608
                ).fetchall()
                con.execute(
                    f"SELECT org, {SOURCE_SQL} AS s, substr(ts, 1, 13), count(*) FROM events "  # noqa: S608
                    "WHERE ts >= ? GROUP BY 1, 2, 3",
                    ((NOW - timedelta(days=7)).isoformat(),),
                ).fetchall()
            con.close()
            with timed() as first:
                found = source_health(store, actor=ADMIN, settings=settings, clock=clock)
            store.events.append(_events(2000, args.sources, start=args.events))
            with timed() as later:
                source_health(store, actor=ADMIN, settings=settings, clock=clock)
    report(
        "source_health",
        {
            "events": args.events,
            "sources": len(found),
            "baseline_json_aggregate_s": baseline[0],
            "first_read_catch_up_s": first[0],
            "later_read_after_2000_new_s": later[0],
            "later_read_to_baseline_ratio": later[0] / baseline[0],
        },
    )


if __name__ == "__main__":
    main()

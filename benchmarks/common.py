"""Shared pieces of the benchmarks: timing, memory, the raw-insert ceiling, results."""

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.storage.sqlite import SqliteStore
from core.storage.sqlite.schema import SCHEMA

RESULTS = Path(__file__).resolve().parent / "results"
SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
COLUMNS = "event_id, ts, dataset, org, channel, event_code, host, original, doc"


@contextmanager
def timed() -> Iterator[list[float]]:
    box: list[float] = []
    start = time.perf_counter()
    yield box
    box.append(time.perf_counter() - start)


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def raw_insert_seconds(store: SqliteStore, target: Path, batch: int = 2000) -> tuple[float, int]:
    """The ceiling: insert the very rows CitySOC stored with plain sqlite3 executemany."""
    rows = [tuple(r) for r in store.all(f"SELECT {COLUMNS} FROM events ORDER BY pos")]  # noqa: S608
    target.unlink(missing_ok=True)
    con = sqlite3.connect(target, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.executescript(SCHEMA)
    marks = ",".join("?" * 9)
    start = time.perf_counter()
    for i in range(0, len(rows), batch):
        con.execute("BEGIN")
        con.executemany(
            f"INSERT OR IGNORE INTO events ({COLUMNS}) VALUES ({marks})",  # noqa: S608
            rows[i : i + batch],
        )
        con.execute("COMMIT")
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed, len(rows)


def report(name: str, result: dict[str, object]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    width = max(len(k) for k in result)
    print(f"\n== {name}")
    for key, value in result.items():
        shown = f"{value:,.3f}" if isinstance(value, float) else str(value)
        print(f"  {key:<{width}}  {shown}")

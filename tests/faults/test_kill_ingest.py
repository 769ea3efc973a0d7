"""kill -9 of `citysoc ingest` while its worker processes write (issue 19, item 1): no worker
outlives it, and a second run leaves every event exactly once in a sound store."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.faults

FILES, LINES = 12, 2500


def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (read from /proc, as ps does)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as con:
            return int(con.execute("SELECT count(*) FROM events").fetchone()[0])
    except sqlite3.Error:
        return 0


def _ingest(folder: Path, db: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "ingest", str(folder), "--store", f"sqlite:///{db}"]
        + ["--no-detect"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_killing_ingest_leaves_no_worker_and_a_rerun_stores_every_event_once(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    for n in range(FILES):
        rows = (
            json.dumps({"@timestamp": "2026-03-02T01:00:00Z", "host": "h", "message": f"f{n} r{r}"})
            for r in range(LINES)
        )
        (folder / f"office-{n:02}.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    db = tmp_path / "c.db"

    first = _ingest(folder, db)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while _count(db) == 0 or not workers:  # workers are writing
        assert first.poll() is None, "ingest ended before it could be killed"
        assert time.monotonic() < deadline, "no events stored within 60 s"
        workers = _children(first.pid)
        time.sleep(0.05)
    assert _count(db) < FILES * LINES
    os.kill(first.pid, signal.SIGKILL)
    first.wait()

    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in workers if _alive(p)], "a worker outlived its parent"

    second = _ingest(folder, db)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err[-2000:]
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT count(*) FROM events").fetchone()[0] == FILES * LINES
        assert con.execute("SELECT count(DISTINCT original) FROM events").fetchone()[0] == (
            FILES * LINES
        )

"""A full disk under the SQLite store: a clear error that says nothing was lost, and
ingest works again once space is freed. The disk is a small tmpfs the test mounts."""

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.ingest import Ingestor
from collectors.records import RawRecord
from core.errors import UnavailableError
from core.storage import SqliteStore


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs (mounting needs root, which CI has; elsewhere the test is skipped)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(path: Path) -> None:
    """Write until the file system says it is full."""
    with path.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass


def _records(start: int, n: int) -> list[RawRecord]:
    from datetime import UTC, datetime

    now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    return [
        RawRecord(
            "test",
            json.dumps({"@timestamp": "2026-03-02T01:00:00Z", "message": f"e{i} " * 40}).encode(),
            now,
        )
        for i in range(start, start + n)
    ]


def _ingest(store, registry, records: list[RawRecord]) -> Ingestor:
    ingestor = Ingestor(store, registry, batch_size=500)
    for record in records:
        ingestor.submit(record, "jsonl")
    ingestor.flush()
    return ingestor


def test_a_full_disk_says_so_loses_nothing_and_recovers_when_space_is_freed(small_disk, registry):
    path = small_disk / "citysoc.db"
    with SqliteStore(path) as store:
        _ingest(store, registry, _records(0, 100))
        filler = small_disk / "filler"
        _fill(filler)

        with pytest.raises(UnavailableError) as caught:
            _ingest(store, registry, _records(100, 2000))
        message = caught.value.message
        assert message.startswith("the store's disk is full")
        assert str(path) in message and "free space" in message
        assert "nothing was lost" in message
        assert store.events.count() == 100  # the failed batch was rolled back whole

        filler.unlink()  # space is freed: the same store takes the same records again
        again = _ingest(store, registry, _records(100, 2000))
        assert again.report.stored + again.report.duplicates == 2000
        assert store.events.count() == 2100
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

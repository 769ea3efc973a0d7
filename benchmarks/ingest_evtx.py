"""EVTX files into CitySOC (as `citysoc ingest` does it) vs raw executemany of the same rows.

    python -m benchmarks.ingest_evtx [--repeat 3]

Reads every EVTX file of ../shared/data/evtx-attack-samples (the median of --repeat runs,
each into a fresh store).
"""

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.common import SHARED_DATA, raw_insert_seconds, report, timed
from collectors.files import default_workers, ingest_paths
from collectors.ingest import Ingestor
from core.agencies import AgencyRegistry
from core.settings import DEFAULT_AGENCIES
from core.storage.sqlite import SqliteStore


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    samples = sorted((SHARED_DATA / "evtx-attack-samples").rglob("*.evtx"))
    if not samples:
        sys.exit(f"no EVTX samples under {SHARED_DATA}")
    registry = AgencyRegistry.load(DEFAULT_AGENCIES)
    ours, ceilings, stored = [], [], 0
    for _ in range(args.repeat):
        work = Path(tempfile.mkdtemp(prefix="citysoc-bench-"))
        with SqliteStore(work / "citysoc.db") as store:
            with timed() as elapsed:
                # as `citysoc ingest` does it: worker processes for a folder of files
                result = ingest_paths(samples, Ingestor(store, registry), workers=default_workers())
            stored = result.stored
            raw_seconds, raw_rows = raw_insert_seconds(store, work / "raw.db")
        ours.append(result.read / elapsed[0])
        ceilings.append(raw_rows / raw_seconds)
    mine, ceiling = statistics.median(ours), statistics.median(ceilings)
    report(
        "ingest_evtx",
        {
            "files": len(samples),
            "records stored": stored,
            "citysoc records/s (parse + normalize + store)": mine,
            "raw executemany rows/s (ceiling)": ceiling,
            "ratio citysoc / ceiling": mine / ceiling,
        },
    )


if __name__ == "__main__":
    main()

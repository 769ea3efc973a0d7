"""Memory while ingesting a large syslog file: it must stay flat (bounded batches).

    python -m benchmarks.ingest_memory [--gigabytes 1.0]

Writes a file of the given size, ingests it with `ingest_paths`, and samples the resident
memory every 5% of the file.
"""

import argparse
import tempfile
from pathlib import Path

from benchmarks.common import report, rss_mib, timed
from collectors.files import ingest_paths
from collectors.ingest import Ingestor
from core.agencies import AgencyRegistry
from core.settings import DEFAULT_AGENCIES
from core.storage.sqlite import SqliteStore


def write_file(path: Path, size: int) -> int:
    written = lines = 0
    with path.open("wb") as out:
        while written < size:
            chunk = "".join(
                f"<38>Mar  2 09:{i // 60 % 60:02d}:{i % 60:02d} D-XITUN-WEB02 sshd[{lines + i}]: "
                f"Failed password for invalid user u{lines + i} from 198.51.100.{i % 250} port "
                f"{40000 + i % 20000} ssh2\n"
                for i in range(10_000)
            ).encode()
            out.write(chunk)
            written += len(chunk)
            lines += 10_000
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gigabytes", type=float, default=1.0)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="citysoc-bench-"))
    path = work / "big.log"
    lines = write_file(path, int(args.gigabytes * 1024**3))
    size = path.stat().st_size
    registry = AgencyRegistry.load(DEFAULT_AGENCIES)
    samples: list[float] = []
    seen = 0
    next_mark = 0

    def progress(n: int) -> None:
        nonlocal seen, next_mark
        seen += n
        if seen >= next_mark:
            samples.append(rss_mib())
            next_mark += size // 20

    with SqliteStore(work / "citysoc.db") as store:
        before = rss_mib()
        with timed() as elapsed:
            result = ingest_paths([path], Ingestor(store, registry), progress)
    path.unlink()
    report(
        "ingest_memory",
        {
            "file MiB": size / 1024**2,
            "lines": lines,
            "stored": result.stored,
            "seconds": elapsed[0],
            "events/s": result.read / elapsed[0],
            "RSS MiB before": before,
            "RSS MiB at 5%": samples[1] if len(samples) > 1 else samples[0],
            "RSS MiB at 50%": samples[len(samples) // 2],
            "RSS MiB at end": samples[-1],
            "RSS MiB max": max(samples),
        },
    )


if __name__ == "__main__":
    main()

"""File readers: EVTX, JSON lines (incl. Winlogbeat), PAN-OS CSV and syslog text files."""

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import evtx

from collectors.ingest import Ingestor, IngestReport, RecordFormat
from collectors.records import RawRecord
from core.errors import InputError

__all__ = ["SUFFIX_FORMATS", "expand_paths", "ingest_file", "ingest_paths"]

SUFFIX_FORMATS: dict[str, RecordFormat] = {
    ".evtx": "evtx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "panos-csv",
    ".log": "syslog",
    ".syslog": "syslog",
    ".txt": "syslog",
}

Progress = Callable[[int], None]  # bytes advanced


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named, and the readable files under folders named, in a stable order."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                sorted(
                    p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIX_FORMATS
                )
            )
        elif path.is_file():
            out.append(path)
        else:
            raise InputError(f"no such file or folder: {path}", location=str(path))
    return out


def _format_for(path: Path) -> RecordFormat:
    try:
        return SUFFIX_FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(SUFFIX_FORMATS))
        raise InputError(
            f"cannot tell the format of {path.name}; use one of the suffixes {known}",
            location=str(path),
        ) from None


def _lines(path: Path, progress: Progress | None) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if progress:
                progress(len(line))
            if line.strip():
                yield number, line


def _evtx_records(path: Path, ingestor: Ingestor, progress: Progress | None) -> None:
    source = f"file:{path}"
    received = ingestor.clock.now()
    size = path.stat().st_size
    try:
        parser = evtx.PyEvtxParser(str(path))
    except (OSError, RuntimeError, ValueError) as exc:
        data = path.read_bytes()
        kept = data[: ingestor.max_record_bytes]
        note = (
            ""
            if len(kept) == len(data)
            else f"; raw kept is the first {len(kept)} of {len(data)} bytes"
        )
        ingestor.report.read += 1
        ingestor.dead_letter(
            RawRecord(source=source, data=kept, received_at=received, position="file header"),
            f"not a readable EVTX file: {exc}{note}",
        )
        if progress:
            progress(size)
        return
    records = parser.records_json()
    index = 0
    while True:
        index += 1
        try:
            record = next(records)
        except StopIteration:
            break
        except (OSError, RuntimeError, ValueError) as exc:
            ingestor.report.read += 1
            ingestor.dead_letter(
                RawRecord(
                    source=source,
                    data=str(exc).encode(),
                    received_at=received,
                    position=f"record #{index}",
                ),
                f"corrupt EVTX record: {exc}",
            )
            if index > 1_000_000:
                break
            continue
        record = dict(record or {})
        data = str(record["data"]).encode()
        ingestor.submit(
            RawRecord(
                source=source,
                data=data,
                received_at=received,
                position=f"EventRecordID {record['event_record_id']}",
            ),
            "evtx",
        )
    if progress:
        progress(size)


def ingest_file(path: Path, ingestor: Ingestor, progress: Progress | None = None) -> None:
    fmt = _format_for(path)
    if fmt == "evtx":
        _evtx_records(path, ingestor, progress)
        return
    source = f"file:{path}"
    received = ingestor.clock.now()
    for number, line in _lines(path, progress):
        ingestor.submit(
            RawRecord(
                source=source,
                data=line.rstrip(b"\r\n"),
                received_at=received,
                position=f"line {number}",
            ),
            fmt,
        )


def ingest_paths(
    paths: Iterable[Path], ingestor: Ingestor, progress: Progress | None = None
) -> IngestReport:
    """Ingest every file; returns the report of this call (also added to ingestor.report)."""
    before = IngestReport()
    before.merge(ingestor.report)
    for path in expand_paths(paths):
        ingest_file(path, ingestor, progress)
    ingestor.flush()
    delta = IngestReport(
        read=ingestor.report.read - before.read,
        stored=ingestor.report.stored - before.stored,
        duplicates=ingestor.report.duplicates - before.duplicates,
        dead_lettered=ingestor.report.dead_lettered - before.dead_lettered,
        unassigned=ingestor.report.unassigned - before.unassigned,
    )
    return delta


def total_bytes(paths: Iterable[Path]) -> int:
    return sum(os.path.getsize(p) for p in paths)

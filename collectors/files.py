"""File readers: EVTX, JSON lines (incl. Winlogbeat), PAN-OS CSV and syslog text files."""

import ctypes
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import date, datetime, timedelta
from pathlib import Path

import evtx

from collectors.evtx_layout import CHUNK_BYTES, EvtxLayout
from collectors.ingest import Ingestor, IngestReport, RecordFormat
from collectors.parsers.w3c import W3cHeader
from collectors.records import RawRecord
from core.agencies import AgencyRegistry
from core.errors import InputError
from core.storage import Store, reopener

__all__ = [
    "SUFFIX_FORMATS",
    "default_workers",
    "expand_paths",
    "ingest_file",
    "ingest_paths",
]

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


def _lines(path: Path, progress: Progress | None, limit: int) -> Iterator[tuple[int, bytes, int]]:
    """(line number, the line's first ``limit`` bytes at most, its full size) per non-blank
    line. Memory stays bounded by ``limit``: the rest of a longer line is read and counted,
    not kept (ingest dead-letters it as truncated)."""
    with path.open("rb") as handle:
        number = 0
        while line := handle.readline(limit + 2):  # + room for the "\r\n" of a full line
            number += 1
            size, last = len(line), line
            while not last.endswith(b"\n") and size >= limit + 2:
                last = handle.readline(1 << 20)
                if not last:
                    break
                size += len(last)
            if progress:
                progress(size)
            size -= len(last) - len(last.rstrip(b"\r\n"))
            data = line.rstrip(b"\r\n")[:limit]
            if size > len(data) or data.strip():
                yield number, data, size


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
    layout = EvtxLayout.read(path)
    records = parser.records_json()
    index = 0
    last_id: int | None = None  # the highest record id read so far
    while True:
        index += 1
        try:
            record = next(records)
        except StopIteration:
            break
        except (OSError, RuntimeError, ValueError) as exc:
            _dead_letter_chunk(ingestor, layout, source, received, index, exc, last_id)
            if index > 1_000_000:
                break
            continue
        record = dict(record or {})
        record_id = record["event_record_id"]
        if isinstance(record_id, int):
            last_id = record_id if last_id is None else max(last_id, record_id)
        data = str(record["data"]).encode()
        ingestor.submit(
            RawRecord(
                source=source,
                data=data,
                received_at=received,
                position=f"EventRecordID {record_id}",
            ),
            "evtx",
        )
    truncation = layout.truncation(last_id) if layout else None
    if layout and truncation:
        # The parser stops quietly at a cut; the headers say what the copy lost.
        ingestor.report.read += 1
        ingestor.dead_letter(
            RawRecord(
                source=source,
                data=layout.read_bytes(truncation.tail_offset, ingestor.max_record_bytes),
                received_at=received,
                position=f"chunk {truncation.complete_chunks + 1} (byte {truncation.tail_offset})",
            ),
            truncation.reason(layout.file_size),
        )
    if progress:
        progress(size)


def _dead_letter_chunk(
    ingestor: Ingestor,
    layout: EvtxLayout | None,
    source: str,
    received: datetime,
    index: int,
    exc: Exception,
    last_id: int | None,
) -> None:
    """A record or chunk the parser could not read: dead-lettered with the bytes of the
    chunk it lies in (up to CITYSOC_MAX_RECORD_BYTES), so it can be examined or re-read."""
    chunk = layout.chunk_for_error(str(exc), last_id) if layout else None
    if layout is None or chunk is None:
        raw, where = str(exc).encode(), f"record #{index}"
    else:
        raw = layout.read_bytes(chunk.offset, min(CHUNK_BYTES, ingestor.max_record_bytes))
        where = f"record #{index}, chunk {chunk.number} (byte {chunk.offset})"
    ingestor.report.read += 1
    ingestor.dead_letter(
        RawRecord(source=source, data=raw, received_at=received, position=where),
        f"corrupt EVTX record: {exc}",
    )


def ingest_file(path: Path, ingestor: Ingestor, progress: Progress | None = None) -> None:
    fmt = _format_for(path)
    if fmt == "evtx":
        _evtx_records(path, ingestor, progress)
        return
    source = f"file:{path.absolute()}"  # the file's identity (with the line) in event ids
    received = ingestor.clock.now()
    header = W3cHeader()  # a .log file may be IIS's W3C log: its directives are its header
    for number, line, size in _lines(path, progress, ingestor.max_record_bytes):
        line_fmt = fmt
        if fmt == "syslog":
            if header.read(line):
                continue
            line_fmt = "w3c" if header.claims(line) else fmt
        ingestor.submit(
            RawRecord(
                source=source,
                data=line,
                received_at=received,
                position=f"line {number}",
                original_size=size if size > len(line) else None,
                layout=header.fields,
            ),
            line_fmt,
        )


def ingest_paths(
    paths: Iterable[Path],
    ingestor: Ingestor,
    progress: Progress | None = None,
    *,
    workers: int = 1,
) -> IngestReport:
    """Ingest every file; returns the report of this call (also added to ingestor.report).

    With ``workers`` > 1 and many files on a store other processes can open (SQLite), files
    are parsed and stored by that many worker processes, each with its own connection
    (parsing is Python work that threads cannot share); the store's unique event ids keep
    it idempotent either way.
    """
    files = expand_paths(paths)
    reopen = reopener(ingestor.store) if workers > 1 and len(files) >= PARALLEL_MIN_FILES else None
    if reopen is not None:
        report = _ingest_parallel(files, ingestor, progress, workers, reopen)
        ingestor.report.merge(report)
        return report
    before = IngestReport()
    before.merge(ingestor.report)
    for path in files:
        ingest_file(path, ingestor, progress)
    ingestor.flush()
    return IngestReport(
        read=ingestor.report.read - before.read,
        stored=ingestor.report.stored - before.stored,
        duplicates=ingestor.report.duplicates - before.duplicates,
        dead_lettered=ingestor.report.dead_lettered - before.dead_lettered,
        unassigned=ingestor.report.unassigned - before.unassigned,
    )


PARALLEL_MIN_FILES = 8
_Limits = tuple[int, int, date, timedelta]  # what a worker process's Ingestor is built with
_TASK_BYTES = 32 * 1024 * 1024


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int) -> None:
    """Run in each worker at start: a worker must not outlive the ``citysoc ingest`` that
    started it (killed with -9, it could not stop them), or it writes on unsupervised.
    Linux ends the worker when its parent goes; a watchdog thread covers other systems."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _ingest_task(
    reopen: Callable[[], Store], registry: AgencyRegistry, files: list[str], limits: _Limits
) -> tuple[IngestReport, int]:
    batch_size, max_record_bytes, time_min, max_ahead = limits
    with reopen() as store:
        worker = Ingestor(
            store,
            registry,
            batch_size=batch_size,
            max_record_bytes=max_record_bytes,
            event_time_min=time_min,
            event_time_max_ahead=max_ahead,
        )
        for name in files:
            ingest_file(Path(name), worker)
        worker.flush()
        return worker.report, sum(os.path.getsize(f) for f in files)


def _ingest_parallel(
    files: list[Path],
    ingestor: Ingestor,
    progress: Progress | None,
    workers: int,
    reopen: Callable[[], Store],
) -> IngestReport:
    ingestor.flush()
    # Balanced by size (largest file first into the lightest task), at least one task per
    # worker and at most about _TASK_BYTES per task so progress moves.
    sizes = {path: path.stat().st_size for path in files}
    count = max(workers, -(-sum(sizes.values()) // _TASK_BYTES))
    tasks: list[list[str]] = [[] for _ in range(count)]
    loads = [0] * count
    for path in sorted(files, key=lambda p: -sizes[p]):
        lightest = loads.index(min(loads))
        tasks[lightest].append(str(path))
        loads[lightest] += sizes[path]
    limits: _Limits = (
        ingestor.batch_size,
        ingestor.max_record_bytes,
        ingestor.event_time_min,
        ingestor.event_time_max_ahead,
    )
    report = IngestReport()
    # spawn, not fork: a forked worker inherits the parent's open SQLite connection and
    # its locks, and closing that copy can delete the live WAL. A spawned worker opens its
    # own store after it starts, and dies with its parent (_die_with_parent).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    ) as pool:
        jobs = [
            pool.submit(_ingest_task, reopen, ingestor.registry, task, limits)
            for task in tasks
            if task
        ]
        for job in as_completed(jobs):
            part, done_bytes = job.result()
            report.merge(part)
            if progress:
                progress(done_bytes)
    return report


def total_bytes(paths: Iterable[Path]) -> int:
    return sum(os.path.getsize(p) for p in paths)

"""The syslog journal: what the listeners accepted, on disk before it is parsed and stored.

Listeners append records to segment files named by their first record's position (the
byte offset in the journal's whole history, so positions never repeat across restarts);
the file ``committed`` holds the position up to which everything is stored. The storage
worker reads records back from the journal (it is the queue between receiving and
storing), stores them, then commits. After a crash, everything from the committed position
on is read again: a record's position is its receive sequence and part of its event id, so
what was stored already is not stored twice.

A write reaches the operating system before ``append`` returns, so a killed process loses
nothing it accepted; the worker flushes the segment to the disk (fsync) before each batch it
stores. The journal is bounded in bytes: when it is full ``append`` raises ``JournalFull``
(UDP counts a drop) and ``wait_for_room`` blocks (TCP stops reading: back-pressure). A
segment wholly below the committed position is deleted.
"""

import bisect
import contextlib
import fcntl
import functools
import os
import struct
import threading
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from collectors.records import RawRecord

__all__ = ["Journal", "JournalBusy", "JournalFull", "JournalStats", "count_unstored"]

_HEADER = struct.Struct("<II")  # payload length, CRC-32 of the payload
_META = struct.Struct("<I")  # length of the metadata that precedes the record's bytes
_SUFFIX = ".seg"
_READ_BYTES = 4 << 20


class JournalBusy(Exception):
    """Another process has this journal open."""


class JournalFull(Exception):
    """No room for these records until the worker has stored more."""


@dataclass(frozen=True, slots=True)
class JournalStats:
    bytes_on_disk: int
    unstored_bytes: int
    oldest_unstored_at: datetime | None
    appended: int  # records appended since this process opened the journal
    stored: int  # records committed since this process opened the journal
    max_bytes: int


@functools.lru_cache(maxsize=1024)
def _meta(
    source: str,
    sender: str | None,
    position: str | None,
    at: datetime,
    size: int | None,
    agency: str | None,
) -> bytes:
    """The record's metadata, packed (cached: the records of one read share it)."""
    fields = [
        source,
        sender or "",
        position or "",
        at.isoformat(),
        "" if size is None else str(size),
    ]
    if agency is not None:  # a sixth field only when set: older journals read the same
        fields.append(agency)
    meta = "\x00".join(fields).encode()
    return _META.pack(len(meta)) + meta


def _encode(record: RawRecord) -> bytes:
    payload = (
        _meta(
            record.source,
            record.sender,
            record.position,
            record.received_at,
            record.original_size,
            record.agency,
        )
        + record.data
    )
    return _HEADER.pack(len(payload), zlib.crc32(payload)) + payload


def _decode(payload: bytes, position: int, times: dict[str, datetime]) -> RawRecord:
    """One record; ``times`` caches parsed receive times (a TCP read shares one)."""
    (meta_length,) = _META.unpack_from(payload)
    end = _META.size + meta_length
    source, sender, where, received, size, *agency = (
        payload[_META.size : end].decode().split("\x00")
    )
    at = times.get(received)
    if at is None:
        if len(times) > 1000:
            times.clear()
        at = times[received] = datetime.fromisoformat(received)
    return RawRecord(
        source=source,
        data=payload[end:],
        received_at=at,
        position=where or None,
        sender=sender or None,
        original_size=int(size) if size else None,
        sequence=position,
        agency=agency[0] if agency else None,
    )


class Journal:
    """One directory of segments; safe to share between the listener and worker threads."""

    def __init__(self, directory: Path, max_bytes: int, *, segment_bytes: int | None = None):
        self.directory = directory
        self.max_bytes = max_bytes
        # Deleting happens a whole segment at a time: at most one segment of stored records
        # stays on disk beside the unstored ones, so those may fill max_bytes less one segment.
        self.segment_bytes = segment_bytes or max(64 << 10, min(64 << 20, max_bytes // 8))
        self._cond = threading.Condition()
        self._closed = False
        self._appended = 0
        self._stored = 0
        self._times: dict[str, datetime] = {}  # the reader's cache of parsed receive times
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # log lines may be personal data
        # One process per journal: a second one would cut the first one's records short.
        self._lock_fd = os.open(directory / "lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._lock_fd)
            raise JournalBusy(
                f"the syslog journal {directory} is in use by another CitySOC process"
            ) from None
        self._committed_file = directory / "committed"
        self._committed = self._read_committed()
        self._starts: list[int] = []  # segment start positions, ascending
        self._sizes: dict[int, int] = {}
        for path in sorted(directory.glob(f"*{_SUFFIX}"), key=lambda p: int(p.stem)):
            start, size = int(path.stem), path.stat().st_size
            if start + size <= self._committed:
                path.unlink()  # stored entirely
                continue
            self._starts.append(start)
            self._sizes[start] = size
        if self._starts:
            last = self._starts[-1]
            self._sizes[last] = self._valid_length(last)
            os.truncate(self._path(last), self._sizes[last])  # a write torn by a crash
        if not self._starts or self._starts[-1] + self._sizes[self._starts[-1]] < self._committed:
            self._starts.append(self._committed)
            self._sizes[self._committed] = 0
        self._end = self._starts[-1] + self._sizes[self._starts[-1]]
        self._read_at = max(self._committed, self._starts[0])
        self._fd = os.open(
            self._path(self._starts[-1]), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600
        )

    # -- files ------------------------------------------------------------------------------

    def _path(self, start: int) -> Path:
        return self.directory / f"{start:020d}{_SUFFIX}"

    def _read_committed(self) -> int:
        try:
            return int(self._committed_file.read_text().strip() or 0)
        except FileNotFoundError:
            return 0

    def _valid_length(self, start: int) -> int:
        """The length of the segment's whole, intact records (a crash may tear the last)."""
        offset = 0
        with self._path(start).open("rb") as handle:
            while header := handle.read(_HEADER.size):
                if len(header) < _HEADER.size:
                    break
                length, crc = _HEADER.unpack(header)
                payload = handle.read(length)
                if len(payload) < length or zlib.crc32(payload) != crc:
                    break
                offset += _HEADER.size + length
        return offset

    def _disk_bytes(self) -> int:
        return sum(self._sizes.values())

    # -- listeners ----------------------------------------------------------------------------

    def append(self, records: list[RawRecord]) -> int:
        """Write the records; returns the position after them. Raises JournalFull when they
        do not fit, and OSError when the disk refuses (nothing of them is kept then)."""
        blob = b"".join(_encode(r) for r in records)
        with self._cond:
            if self._closed:
                raise JournalFull("the journal is closed")
            if not self._has_room(len(blob)):
                raise JournalFull(
                    f"the journal holds {self._end - self._committed} bytes not yet stored "
                    f"(limit {self.max_bytes} bytes)"
                )
            last = self._starts[-1]
            if self._sizes[last] >= self.segment_bytes:
                self._roll()
                last = self._starts[-1]
            try:
                view = memoryview(blob)
                while view:
                    view = view[os.write(self._fd, view) :]
            except OSError:
                os.ftruncate(self._fd, self._sizes[last])  # no half record stays behind
                raise
            self._sizes[last] += len(blob)
            self._end += len(blob)
            self._appended += len(records)
            self._cond.notify_all()
            return self._end

    def _roll(self) -> None:
        os.fsync(self._fd)  # sync() only flushes the segment being written
        os.close(self._fd)
        self._starts.append(self._end)
        self._sizes[self._end] = 0
        self._fd = os.open(self._path(self._end), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def wait_for_room(self, nbytes: int, timeout: float) -> bool:
        """Block until ``nbytes`` more would fit (or the timeout passes, or it closes)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._closed or self._has_room(nbytes), timeout)

    def _has_room(self, nbytes: int) -> bool:
        """Whether ``nbytes`` more fit (an empty journal takes any one record: progress)."""
        unstored = self._end - self._committed
        return unstored == 0 or unstored + nbytes <= self.max_bytes - self.segment_bytes

    # -- the storage worker ---------------------------------------------------------------------

    def read(self, max_records: int, timeout: float) -> tuple[list[RawRecord], int]:
        """Up to ``max_records`` records not yet handed out (waiting up to ``timeout`` for
        the first), and the position after them: commit that once they are stored."""
        with self._cond:
            self._cond.wait_for(lambda: self._closed or self._read_at < self._end, timeout)
            at, end = self._read_at, self._end
            index = bisect.bisect_right(self._starts, at) - 1
            start = self._starts[index]
            segment_end = start + self._sizes[start]
        records: list[RawRecord] = []
        if at >= end:
            return records, at
        with self._path(start).open("rb") as handle:
            handle.seek(at - start)
            data = handle.read(min(segment_end - at, _READ_BYTES))
            offset = 0
            while len(records) < max_records and offset + _HEADER.size <= len(data):
                length, _crc = _HEADER.unpack_from(data, offset)
                body = offset + _HEADER.size
                if body + length > len(data):
                    if records:
                        break
                    data += handle.read(body + length - len(data))  # one record over _READ_BYTES
                records.append(_decode(data[body : body + length], at + offset, self._times))
                offset = body + length
        with self._cond:
            self._read_at = at + offset
        return records, at + offset

    def caught_up(self) -> bool:
        with self._cond:
            return self._read_at >= self._end

    def sync(self) -> None:
        """Flush the segment being written to the disk."""
        with self._cond:
            if self._closed:
                return
            fd = os.dup(self._fd)  # fsync outside the lock: appends go on meanwhile
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def commit(self, position: int, records: int) -> None:
        """Everything before ``position`` is stored: remember it and free what it frees."""
        temporary = self._committed_file.with_suffix(".tmp")
        temporary.write_text(str(position))
        os.replace(temporary, self._committed_file)
        with self._cond:
            self._committed = max(self._committed, position)
            self._stored += records
            while len(self._starts) > 1:
                first = self._starts[0]
                if first + self._sizes[first] > self._committed:
                    break
                with contextlib.suppress(FileNotFoundError):
                    self._path(first).unlink()
                del self._sizes[first]
                self._starts.pop(0)
            self._cond.notify_all()

    # -- operators ------------------------------------------------------------------------------

    def stats(self) -> JournalStats:
        with self._cond:
            committed, end = self._committed, self._end
            disk, appended, stored = self._disk_bytes(), self._appended, self._stored
            index = bisect.bisect_right(self._starts, committed) - 1
            first = self._starts[max(index, 0)]
        oldest = None
        if first <= committed < end:
            with (
                contextlib.suppress(OSError, ValueError, struct.error),
                self._path(first).open("rb") as handle,
            ):
                handle.seek(committed - first)
                length, _crc = _HEADER.unpack(handle.read(_HEADER.size))
                oldest = _decode(handle.read(length), committed, {}).received_at
        return JournalStats(disk, end - committed, oldest, appended, stored, self.max_bytes)

    def close(self) -> None:
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
            os.close(self._fd)
            os.close(self._lock_fd)  # (closing releases the lock)


def count_unstored(directory: Path) -> int:
    """Whole records after the committed position, read without changing anything (for
    operators and tests looking at a journal another process may be writing)."""
    try:
        committed = int((directory / "committed").read_text().strip() or 0)
    except FileNotFoundError:
        committed = 0
    count = 0
    for path in sorted(directory.glob(f"*{_SUFFIX}"), key=lambda p: int(p.stem)):
        start = int(path.stem)
        with path.open("rb") as handle:
            at = start
            while len(header := handle.read(_HEADER.size)) == _HEADER.size:
                length, crc = _HEADER.unpack(header)
                payload = handle.read(length)
                if len(payload) < length or zlib.crc32(payload) != crc:
                    break
                count += at >= committed
                at += _HEADER.size + length
    return count

"""What an EVTX file's headers promise, to tell what the `evtx` parser could not read.

The `evtx` package silently stops at the end of a truncated file and names a corrupt chunk
only by its record ids. The file header (4 KiB) says how many 64 KiB chunks there are and
the next record id; each chunk header says which record ids it holds. That is enough to
name the records a truncated file lost, and to keep a corrupt chunk's bytes.
"""

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CHUNK_BYTES", "HEADER_BYTES", "Chunk", "EvtxLayout", "Truncation"]

HEADER_BYTES = 4096
CHUNK_BYTES = 65536
_FILE_MAGIC = b"ElfFile\x00"
_CHUNK_MAGIC = b"ElfChnk\x00"
_RECORD_IDS = re.compile(r"record IDs? (\d+)(?:\s*\.\.\s*(\d+))?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Chunk:
    number: int  # 1-based, as people count
    offset: int
    first_record_id: int
    last_record_id: int


@dataclass(frozen=True, slots=True)
class Truncation:
    complete_chunks: int
    declared_chunks: int
    first_missing_id: int | None
    last_missing_id: int | None
    tail_offset: int  # where the incomplete rest of the file starts

    def reason(self, file_size: int) -> str:
        records = (
            f"records {self.first_missing_id:,}-{self.last_missing_id:,} missing"
            if self.first_missing_id is not None and self.last_missing_id is not None
            else "the records of the missing chunks are lost"
        )
        whole = HEADER_BYTES + self.declared_chunks * CHUNK_BYTES
        return (
            f"truncated EVTX file: file ends after chunk {self.complete_chunks} of "
            f"{self.declared_chunks}: {records} (the file has {file_size:,} bytes, its header "
            f"promises at least {whole:,}); copy the file again from the source"
        )


@dataclass(frozen=True, slots=True)
class EvtxLayout:
    path: Path
    file_size: int
    declared_chunks: int  # the file header's chunk count
    next_record_id: int  # the file header's next record id
    chunks: tuple[Chunk, ...]  # chunk headers present in the file, in file order

    @classmethod
    def read(cls, path: Path) -> "EvtxLayout | None":
        """The layout, or None when the file header is not an EVTX header."""
        with path.open("rb") as handle:
            header = handle.read(HEADER_BYTES)
            if len(header) < 0x30 or not header.startswith(_FILE_MAGIC):
                return None
            size = path.stat().st_size
            declared = int.from_bytes(header[0x2A:0x2C], "little")
            chunks = []
            for index in range(max(0, (size - HEADER_BYTES + CHUNK_BYTES - 1) // CHUNK_BYTES)):
                offset = HEADER_BYTES + index * CHUNK_BYTES
                handle.seek(offset)
                head = handle.read(0x28)
                if len(head) < 0x28 or not head.startswith(_CHUNK_MAGIC):
                    continue
                first = int.from_bytes(head[0x18:0x20], "little")
                last = int.from_bytes(head[0x20:0x28], "little")
                chunks.append(Chunk(index + 1, offset, first, last))
        return cls(path, size, declared, int.from_bytes(header[0x18:0x20], "little"), tuple(chunks))

    @property
    def complete_chunks(self) -> int:
        return max(0, (self.file_size - HEADER_BYTES) // CHUNK_BYTES)

    def truncation(self, last_id_read: int | None) -> Truncation | None:
        """What is missing when the file holds fewer whole chunks than its header declares."""
        complete = self.complete_chunks
        if complete >= self.declared_chunks:
            return None
        cut = next((c for c in self.chunks if c.number == complete + 1), None)
        known = [c.last_record_id for c in self.chunks if c.number <= complete]
        first = cut.first_record_id if cut else (max(known) + 1 if known else None)
        if first is not None and last_id_read is not None:
            first = max(first, last_id_read + 1)
        last = self.next_record_id - 1 if self.next_record_id > 0 else None
        if first is None or last is None or last < first:
            first = last = None
        return Truncation(
            complete, self.declared_chunks, first, last, HEADER_BYTES + complete * CHUNK_BYTES
        )

    def chunk_for_error(self, message: str, last_id_read: int | None) -> Chunk | None:
        """The chunk a parser error is about: by the record ids it names, or else the
        chunk after the last record read."""
        match = _RECORD_IDS.search(message)
        if match:
            wanted = int(match.group(1))
            for chunk in self.chunks:
                if chunk.first_record_id <= wanted <= chunk.last_record_id:
                    return chunk
        if last_id_read is None:
            return self.chunks[0] if self.chunks else None
        after = [c for c in self.chunks if c.first_record_id > last_id_read]
        return min(after, key=lambda c: c.first_record_id) if after else None

    def read_bytes(self, offset: int, length: int) -> bytes:
        with self.path.open("rb") as handle:
            handle.seek(offset)
            return handle.read(length)

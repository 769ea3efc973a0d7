"""A durable on-disk queue of event batches for when the store cannot be reached.

Each batch is one JSON-lines file, written to a temporary name, flushed to disk and then
renamed, so a crash leaves either the whole batch or none of it. Batches drain oldest first
and are deleted only after the store accepted them; the store's idempotent event ids make a
batch that is written twice (a crash between write and delete) harmless.
"""

import itertools
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from core.private_files import open_private, private_dir, tighten_tree

__all__ = ["Spool"]


class Spool:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        private_dir(folder)  # events waiting here are as private as the store
        tighten_tree(folder)
        self._counter = itertools.count()

    def put(self, lines: Sequence[str]) -> Path:
        # the name carries the event count, so counting what waits reads no file
        name = f"{time.time_ns():020d}-{os.getpid()}-{next(self._counter):06d}-{len(lines)}.jsonl"
        final = self.folder / name
        temporary = self.folder / f".{name}.tmp"
        fd = open_private(temporary, os.O_WRONLY | os.O_TRUNC)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for line in lines:  # JSON text: never a raw newline inside
                out.write(line + "\n")
            out.flush()
            os.fsync(out.fileno())
        temporary.rename(final)
        return final

    def pending(self) -> int:
        """How many batches wait."""
        return sum(1 for _ in self.folder.glob("*.jsonl"))

    def events(self) -> int:
        """How many events wait, over every batch."""
        return sum(_count(path) for path in self.folder.glob("*.jsonl"))

    def batches(self) -> Iterator[tuple[str, list[str]]]:
        for path in sorted(self.folder.glob("*.jsonl")):
            yield path.name, path.read_text(encoding="utf-8").splitlines()

    def done(self, batch_id: str) -> None:
        (self.folder / batch_id).unlink(missing_ok=True)


def _count(path: Path) -> int:
    parts = path.stem.split("-")
    if len(parts) == 4 and parts[3].isdigit():
        return int(parts[3])
    # a batch spooled by an earlier version: count its lines
    with path.open(encoding="utf-8") as lines:
        return sum(1 for _ in lines)

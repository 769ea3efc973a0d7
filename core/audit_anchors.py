"""Signed checkpoints ("anchors") of the audit chain, kept outside the store.

The chain's hashes are plain SHA-256 on purpose: an auditor recomputes them from the CSV
export without any secret. That also means whoever can write the store can recompute the
chain after an edit, or cut off its newest entries, and the chain alone still verifies. An
anchor closes that gap: it records (number, time, entries, head seq, head hash), is signed
with HMAC-SHA256 under a key that is not in the store, and carries the previous anchor's MAC,
so anchors cannot be edited, removed from the middle or reordered unnoticed either. Anchors
are appended (``O_APPEND``, under ``flock``, one ``write`` per line, fsynced) to a file beside
the key, never in the store: the store's writer (a database user, an Elasticsearch role)
cannot rewrite them. ``core.audit.verify`` compares the chain with every anchor.

When anchors are written (each only if the chain grew since the last one, and only after
the entries since that anchor were checked to extend it):

* by ``citysoc serve`` every ``CITYSOC_AUDIT_ANCHOR_EVERY_ENTRIES`` entries (default 100)
  or, when anything was written, every ``CITYSOC_AUDIT_ANCHOR_EVERY_MINUTES`` (default 5),
  checked every ``ANCHOR_TICK_SECONDS``, and when it stops;
* when a CLI command (any ``CitySoc``) closes, so each command that wrote is anchored;
* by every verification (``citysoc audit verify``, ``GET /api/v1/audit/verify``, ``/audit``)
  and every compliance report, which also prints the latest anchor.

The worst case that stays undetectable is a truncation of the entries written after the
latest anchor: at most the last ``EVERY_MINUTES`` minutes plus one tick of a running server
(and fewer than ``EVERY_ENTRIES`` entries plus what arrives within one tick), or the entries
of a command or server that crashed before anchoring. Everything up to an anchor is covered.
Removing the anchor file itself shows only as the anchor numbers starting again from #1
(compare with the latest anchor printed in a compliance report); keep the key and the
anchor file on storage the store's administrators cannot write (``CITYSOC_AUDIT_KEY_FILE``,
``CITYSOC_AUDIT_ANCHOR_FILE``; ``chattr +a`` on the anchor file makes it append-only even for
CitySOC's own account). No external timestamping service is used: nothing leaves the machine.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.errors import ConfigError, ConflictError
from core.private_files import open_private, private_dir, tighten, write_private
from core.storage.base import GENESIS_HASH, Store, audit_hash

__all__ = [
    "ANCHOR_TICK_SECONDS",
    "Anchor",
    "AnchorLog",
    "AnchorMismatchError",
    "AnchorReading",
]

ANCHOR_TICK_SECONDS = 10.0  # how often serve looks at the chain's head
NO_ANCHOR = "0" * 64  # the "previous MAC" of anchor #1
_TAIL_BYTES = 64 * 1024  # enough for the last line; a line is ~400 bytes

log = logging.getLogger("citysoc.audit")


class AnchorMismatchError(ConflictError):
    """The chain no longer extends the latest anchor; nothing new is anchored over it."""

    code = "audit_mismatch"


@dataclass(frozen=True, slots=True)
class Anchor:
    number: int
    at: datetime
    entries: int  # entries in the chain up to and including head_seq
    head_seq: int
    head_hash: str
    reason: str  # what wrote it: serve, close, verify, compliance
    prev_mac: str
    mac: str = ""

    def signed_fields(self) -> dict[str, object]:
        fields = asdict(self)
        fields.pop("mac")
        fields["at"] = self.at.astimezone(UTC).isoformat()
        return fields

    def line(self) -> bytes:
        return json.dumps({**self.signed_fields(), "mac": self.mac}, sort_keys=True).encode()

    @staticmethod
    def parse(text: str) -> Anchor:
        """Raises ValueError (or KeyError, TypeError) for a line that is not an anchor."""
        data = json.loads(text)
        return Anchor(
            number=int(data["number"]),
            at=datetime.fromisoformat(str(data["at"])),
            entries=int(data["entries"]),
            head_seq=int(data["head_seq"]),
            head_hash=str(data["head_hash"]),
            reason=str(data["reason"]),
            prev_mac=str(data["prev_mac"]),
            mac=str(data["mac"]),
        )


def _mac(key: bytes, anchor: Anchor) -> str:
    canonical = json.dumps(anchor.signed_fields(), sort_keys=True, separators=(",", ":"))
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class AnchorReading:
    """Every anchor in the file whose signature and link hold, and what is wrong with the
    rest (each problem names the line)."""

    anchors: list[Anchor]
    problems: list[str]
    file: Path


class AnchorLog:
    """The anchor file and its key. Safe to share between threads and processes."""

    def __init__(self, *, key_file: Path, anchor_file: Path) -> None:
        self.key_file = key_file
        self.anchor_file = anchor_file
        self._lock = threading.Lock()

    # -- the key --------------------------------------------------------------------------

    def _key(self) -> bytes | None:
        """The key, or None if there is none yet. Raises ConfigError for a damaged one."""
        try:
            text = self.key_file.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        tighten(self.key_file)
        try:
            key = bytes.fromhex(text)
        except ValueError:
            key = b""
        if len(key) < 32:
            raise ConfigError(
                f"the audit key file {self.key_file} does not hold a key of 64 hex digits; "
                "restore it from backup (a new key cannot check the existing anchors)",
                location="CITYSOC_AUDIT_KEY_FILE",
            )
        return key

    def _key_for_writing(self) -> bytes:
        """The key, made on first use: random, written to a private temporary file and
        linked into place, so it appears only whole and two processes agree on one key."""
        key = self._key()
        if key is not None:
            return key
        private_dir(self.key_file.parent)
        unique = f"{os.getpid()}-{threading.get_ident()}"
        temporary = self.key_file.with_name(f".{self.key_file.name}.{unique}.new")
        fresh = secrets.token_bytes(32)
        write_private(temporary, (fresh.hex() + "\n").encode())
        try:
            os.link(temporary, self.key_file)
        except FileExistsError:  # another process made one first: use theirs
            return self._key() or fresh
        finally:
            temporary.unlink(missing_ok=True)
        log.info("created the audit anchor key %s", self.key_file)
        return fresh

    # -- reading --------------------------------------------------------------------------

    def read(self) -> AnchorReading:
        """Every anchor, each checked against the key and linked to the one before."""
        try:
            text = self.anchor_file.read_bytes().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return AnchorReading([], [], self.anchor_file)
        tighten(self.anchor_file)
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if not lines:
            return AnchorReading([], [], self.anchor_file)
        key = self._key()
        if key is None:
            return AnchorReading(
                [],
                [
                    f"the audit key file {self.key_file} is missing, so the {len(lines)} "
                    f"anchors in {self.anchor_file} cannot be checked; restore the key from "
                    "backup"
                ],
                self.anchor_file,
            )
        anchors: list[Anchor] = []
        problems: list[str] = []
        previous: Anchor | None = None
        for number, line in enumerate(lines, start=1):
            where = f"line {number} of {self.anchor_file}"
            try:
                anchor = Anchor.parse(line)
            except (ValueError, KeyError, TypeError):
                problems.append(f"{where} is not a complete anchor (edited or cut short)")
                continue
            if not hmac.compare_digest(_mac(key, anchor), anchor.mac):
                problems.append(
                    f"anchor #{anchor.number} ({where}) has a signature that does not match: "
                    "the anchor file was edited"
                )
                continue
            expected = previous.number + 1 if previous else 1
            link = previous.mac if previous else NO_ANCHOR
            if anchor.number != expected or anchor.prev_mac != link:
                problems.append(
                    f"anchor #{anchor.number} ({where}) does not follow "
                    f"{'anchor #' + str(previous.number) if previous else 'the start'}: "
                    f"anchor #{expected} was removed from the anchor file or lines were reordered"
                )
            anchors.append(anchor)
            previous = anchor
        return AnchorReading(anchors, problems, self.anchor_file)

    def latest(self) -> Anchor | None:
        """The last anchor in the file, if its signature holds (read from the file's end)."""
        try:
            with self.anchor_file.open("rb") as handle:
                size = handle.seek(0, os.SEEK_END)
                handle.seek(max(0, size - _TAIL_BYTES))
                tail = handle.read()
        except FileNotFoundError:
            return None
        return self._last_valid(tail)

    def _last_valid(self, tail: bytes) -> Anchor | None:
        lines = [line for line in tail.split(b"\n") if line.strip()]
        if not lines:
            return None
        key = self._key()
        try:
            anchor = Anchor.parse(lines[-1].decode("utf-8"))
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return None
        if key is None or not hmac.compare_digest(_mac(key, anchor), anchor.mac):
            return None
        return anchor

    # -- writing --------------------------------------------------------------------------

    def anchor(self, store: Store, *, reason: str, now: datetime) -> Anchor | None:
        """Anchor the chain's current head, if it grew since the latest anchor; None if not.

        Only the entries after the latest anchor are read: the anchored head must still be
        there with the anchored hash, and each later entry must link to it and hash right.
        Raises AnchorMismatchError (nothing written) if not; ConfigError for a bad key."""
        with self._lock:
            private_dir(self.anchor_file.parent)
            fd = open_private(self.anchor_file, os.O_RDWR | os.O_APPEND)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)  # one writer at a time, across processes
                size = os.fstat(fd).st_size
                tail = os.pread(fd, min(size, _TAIL_BYTES), max(0, size - _TAIL_BYTES))
                last = self._last_valid(tail)
                if size and last is None:
                    raise AnchorMismatchError(
                        f"the last line of {self.anchor_file} is not an anchor signed with "
                        f"{self.key_file}; run citysoc audit verify",
                        location="audit anchors",
                    )
                key = self._key_for_writing()
                grown = _extension(store, last)
                if grown is None:
                    return None
                entries, head_seq, head_hash = grown
                anchor = Anchor(
                    number=last.number + 1 if last else 1,
                    at=now.astimezone(UTC),
                    entries=entries,
                    head_seq=head_seq,
                    head_hash=head_hash,
                    reason=reason,
                    prev_mac=last.mac if last else NO_ANCHOR,
                )
                signed = Anchor(**{**asdict(anchor), "mac": _mac(key, anchor)})
                os.write(fd, signed.line() + b"\n")  # one write: O_APPEND keeps it whole
                os.fsync(fd)
                return signed
            finally:
                os.close(fd)  # closing releases the lock

    def due(self, store: Store, *, now: datetime, every_entries: int, every: timedelta) -> bool:
        """Whether serve should anchor now: enough new entries, or any and enough time."""
        newest = store.audit.page(limit=1)
        if not newest:
            return False
        head = newest[0]
        last = self.latest()
        if last is None:
            return True
        if head.seq == last.head_seq and head.hash == last.head_hash:
            return False
        return head.seq - last.head_seq >= every_entries or now - last.at >= every


def _extension(store: Store, last: Anchor | None) -> tuple[int, int, str] | None:
    """(entries, head seq, head hash) of the chain if it extends ``last`` and grew since;
    None if it did not grow. Raises AnchorMismatchError if it does not extend ``last``."""
    prev_hash = last.head_hash if last else GENESIS_HASH
    expected_seq = last.head_seq + 1 if last else None
    entries = last.entries if last else 0
    seen_head = last is None
    head: tuple[int, str] | None = None
    for row in store.audit.rows(after=last.head_seq - 1 if last else 0):
        if last is not None and not seen_head:
            if row.seq != last.head_seq or row.hash != last.head_hash:
                raise AnchorMismatchError(
                    f"entry {last.head_seq} no longer matches anchor #{last.number}; nothing "
                    "is anchored over it (run citysoc audit verify)",
                    location="audit anchors",
                )
            seen_head = True
            continue
        digest = audit_hash(
            prev_hash, row.at.isoformat(), row.actor, row.action, row.subject, row.detail
        )
        if (expected_seq is not None and row.seq != expected_seq) or row.prev_hash != prev_hash:
            raise AnchorMismatchError(
                f"entry {row.seq} does not follow entry {row.seq - 1} in the chain; nothing "
                "is anchored (run citysoc audit verify)",
                location="audit anchors",
            )
        if digest != row.hash:
            raise AnchorMismatchError(
                f"entry {row.seq} was changed after it was written; nothing is anchored "
                "(run citysoc audit verify)",
                location="audit anchors",
            )
        prev_hash, expected_seq, entries = row.hash, row.seq + 1, entries + 1
        head = (row.seq, row.hash)
    if last is not None and not seen_head:
        raise AnchorMismatchError(
            f"entries up to {last.head_seq}, anchored by anchor #{last.number}, are missing; "
            "nothing is anchored (run citysoc audit verify)",
            location="audit anchors",
        )
    if head is None:
        return None
    return entries, head[0], head[1]

"""Record types and helpers both engines share, so neither keeps its own copy.

The Protocols ``ScanHit`` and ``AuditRow`` in ``core.storage.base`` say what a sub-store
returns; the frozen dataclasses of the same names here are what the engines return for them,
one for both. The helpers build values the engines must agree on (field text, the
stale-version error).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import overload

from core.errors import ConflictError
from core.events import Event, FieldValue

__all__ = ["AuditRow", "ScanHit", "stale_version", "text"]


@dataclass(frozen=True, slots=True)
class ScanHit:
    """One event a detection scan matched: its position, the event, and the indexes of the
    conditions that matched it."""

    rowid: int
    event: Event
    matched: Sequence[int]


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One link of the hash-chained audit trail, as stored."""

    seq: int
    at: datetime
    actor: str
    action: str
    subject: str
    detail: str
    prev_hash: str
    hash: str


@overload
def text(value: None) -> None: ...
@overload
def text(value: str | int | float | bool) -> str: ...
@overload
def text(value: FieldValue) -> str | None: ...


def text(value: FieldValue) -> str | None:
    """A field value as the engines store it: booleans as ``true``/``false`` (as JSON and
    Sigma write them, not Python's ``True``), everything else ``str()``; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def stale_version(kind: str, record_id: str, expected_version: int) -> ConflictError:
    """The error for an update that named a version someone else has replaced since."""
    return ConflictError(
        f"{kind} {record_id} was changed by someone else since you loaded it "
        f"(you had version {expected_version}); reload it and apply your change again",
        location=kind,
    )

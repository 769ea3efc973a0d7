"""The tamper-evident audit trail: every state change, hash-chained.

Each entry's hash covers the previous entry's hash and its own content, so editing,
removing or reordering any stored row breaks the chain from that row on.
"""

import csv
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from core.access import Actor, Role
from core.errors import ForbiddenError
from core.storage.base import GENESIS_HASH, AuditRow, Store, audit_hash

__all__ = [
    "AuditVerification",
    "export_csv",
    "incidents_without_opening",
    "record",
    "trail",
    "verify",
]

_INCIDENT_PAGE = 1000

# The trail names every agency's incidents and every account: the city's own staff and
# auditors read it; an agency's reporter sees their incidents' history on the incident.
_READERS = frozenset({Role.ANALYST, Role.LEAD, Role.AUDITOR, Role.ADMIN})


def record(
    store: Store,
    *,
    actor: Actor,
    action: str,
    subject: str,
    at: datetime,
    detail: Mapping[str, object] | None = None,
) -> None:
    store.audit.append(
        at=at,
        actor=actor.label,
        action=action,
        subject=subject,
        detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str),
    )


@dataclass(frozen=True, slots=True)
class AuditVerification:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    reason: str | None = None


def verify(store: Store) -> AuditVerification:
    """Walk the chain from the start; report the first entry that does not fit."""
    prev = GENESIS_HASH
    count = 0
    expected_seq = None
    for row in store.audit.rows():
        count += 1
        if expected_seq is not None and row.seq != expected_seq:
            return AuditVerification(False, count, row.seq, f"entry {expected_seq} is missing")
        expected_seq = row.seq + 1
        if row.prev_hash != prev:
            return AuditVerification(
                False,
                count,
                row.seq,
                "its link to the previous entry is broken (removed or reordered)",
            )
        digest = audit_hash(
            prev, row.at.isoformat(), row.actor, row.action, row.subject, row.detail
        )
        if digest != row.hash:
            return AuditVerification(
                False, count, row.seq, "its content was changed after it was written"
            )
        prev = row.hash
    missing = incidents_without_opening(store)
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        return AuditVerification(
            False, count, None, f"incident {missing[0]}{more} has no opening entry (incident.open)"
        )
    return AuditVerification(True, count)


def incidents_without_opening(store: Store) -> list[str]:
    """Incidents the trail never saw opened: an opening interrupted before its audit entry
    (a re-run of triage completes it) or an incident written around the services."""
    opened = {row.subject for row in store.audit.rows() if row.action == "incident.open"}
    missing: list[str] = []
    offset = 0
    while page := store.incidents.list(limit=_INCIDENT_PAGE, offset=offset):
        offset += len(page)
        missing += [i for d, _v in page if (i := str(json.loads(d)["id"])) not in opened]
    return sorted(missing)


def _require_reader(actor: Actor) -> None:
    if actor.role not in _READERS:
        raise ForbiddenError(
            "the audit trail covers every agency; your incidents show their own history",
            location="audit",
        )


def trail(
    store: Store, *, actor: Actor, subject: str | None, limit: int, offset: int
) -> tuple[int, Sequence[AuditRow]]:
    """(entries, this page newest first) for the audit-trail viewer."""
    _require_reader(actor)
    return store.audit.count(subject=subject), store.audit.page(
        subject=subject, limit=limit, offset=offset
    )


_EXPORT_COLUMNS = ("seq", "at", "actor", "action", "subject", "detail", "prev_hash", "hash")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    # A spreadsheet would run a cell that starts like a formula; such cells get a leading
    # apostrophe (remove it before recomputing a hash).
    return f"'{text}" if text.startswith(_FORMULA) else text


def export_csv(store: Store, *, actor: Actor, subject: str | None = None) -> Iterator[bytes]:
    """The trail oldest first as CSV (UTF-8 with a BOM), every column needed to recompute
    the chain: hash = SHA-256 over prev_hash, at, actor, action, subject, detail."""
    _require_reader(actor)
    yield b"\xef\xbb\xbf"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_EXPORT_COLUMNS)
    for n, row in enumerate(store.audit.rows(subject=subject), start=1):
        writer.writerow(
            (
                row.seq,
                row.at.isoformat(),
                _cell(row.actor),
                _cell(row.action),
                _cell(row.subject),
                _cell(row.detail),
                row.prev_hash,
                row.hash,
            )
        )
        if n % 1000 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")

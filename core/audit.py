"""The tamper-evident audit trail: every state change, hash-chained and anchored.

Each entry's hash covers the previous entry's hash and its own content, so editing,
removing or reordering any stored row breaks the chain from that row on. The hashes are
public SHA-256 (anyone recomputes them from the CSV export); what someone who can write the
store could still do — recompute the chain after an edit, or cut off its newest entries — is
caught by comparing it with the signed anchors kept outside the store (core.audit_anchors).
"""

import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from core.access import Action, Actor, require_citywide
from core.audit_anchors import Anchor, AnchorLog, AnchorMismatchError
from core.clock import taipei_datetime
from core.i18n import Lang, labels
from core.spreadsheet import csv_chunks
from core.storage.base import GENESIS_HASH, AuditRow, Store, audit_hash

__all__ = [
    "AuditVerification",
    "export_csv",
    "incidents_without_opening",
    "record",
    "trail",
    "verify",
    "verify_for",
]

_INCIDENT_PAGE = 1000

log = logging.getLogger("citysoc.audit")


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
    """The chain checked link by link, and against every anchor (core.audit_anchors).

    ``reason`` is the first of ``problems``; ``first_bad_seq`` the entry it names.
    ``unanchored`` entries were written after the latest anchor: their removal from the end
    of the trail would not be detected yet."""

    ok: bool
    entries: int
    first_bad_seq: int | None = None
    reason: str | None = None
    problems: tuple[str, ...] = ()
    anchors: int = 0  # anchors compared with the chain
    latest_anchor: Anchor | None = None
    unanchored: int = 0


@dataclass
class _Walk:
    """What one pass over the chain saw: its first broken link, and at each anchored head
    the stored hash and how many entries lead up to it."""

    entries: int = 0
    last_seq: int = 0
    first_bad: tuple[int, str] | None = None
    observed: dict[int, tuple[str, datetime]] = field(default_factory=dict)  # hash, time
    upto: dict[int, int] = field(default_factory=dict)
    opened: set[str] = field(default_factory=set)  # subjects of incident.open entries


def _walk(store: Store, heads: list[int]) -> _Walk:
    walk = _Walk()
    pending = sorted(set(heads))
    prev = GENESIS_HASH
    expected_seq: int | None = None
    i = 0
    for row in store.audit.rows():
        while i < len(pending) and pending[i] < row.seq:  # an anchored head that is gone
            walk.upto[pending[i]] = walk.entries
            i += 1
        walk.entries += 1
        if walk.first_bad is None:
            digest = audit_hash(
                prev, row.at.isoformat(), row.actor, row.action, row.subject, row.detail
            )
            if expected_seq is not None and row.seq != expected_seq:
                walk.first_bad = (
                    row.seq,
                    f"{_missing(expected_seq, row.seq - 1)} (removed): entry {row.seq:,} "
                    f"follows entry {expected_seq - 1:,}",
                )
            elif row.prev_hash != prev:
                walk.first_bad = (
                    row.seq,
                    f"entry {row.seq:,} does not link to the entry before it (an entry was "
                    "removed or reordered)",
                )
            elif digest != row.hash:
                walk.first_bad = (row.seq, f"entry {row.seq:,} was changed after it was written")
        prev, expected_seq = row.hash, row.seq + 1
        if row.action == "incident.open":
            walk.opened.add(row.subject)
        if i < len(pending) and pending[i] == row.seq:
            walk.observed[row.seq] = (row.hash, row.at)
            walk.upto[row.seq] = walk.entries
            i += 1
        walk.last_seq = row.seq
    for seq in pending[i:]:
        walk.upto[seq] = walk.entries
    return walk


def _when(at: datetime) -> str:
    return f"{taipei_datetime(at)} Taipei time"


def _span(first: int, last: int) -> str:
    return f"entry {first:,} was" if first == last else f"entries {first:,}–{last:,} were"


def _missing(first: int, last: int) -> str:
    return (
        f"entry {first:,} is missing"
        if first == last
        else f"entries {first:,}–{last:,} are missing"
    )


def _entries(n: int) -> str:
    return f"{n:,} {'entry' if n == 1 else 'entries'}"


def _against_anchors(anchors: list[Anchor], walk: _Walk) -> list[tuple[int, str]]:
    """(entry, what is wrong) for each way the chain departs from its anchors."""
    found: list[tuple[int, str]] = []
    stored = {seq: digest for seq, (digest, _at) in walk.observed.items()}
    beyond = [a for a in anchors if a.head_seq > walk.last_seq]
    if beyond:
        a = max(beyond, key=lambda x: x.head_seq)
        first = walk.last_seq + 1
        found.append(
            (
                first,
                f"{_span(first, a.head_seq)} removed after anchor #{a.number} at "
                f"{_when(a.at)} recorded them",
            )
        )
    differing = [a for a in anchors if a.head_seq in stored and stored[a.head_seq] != a.head_hash]
    if differing:
        d = min(differing, key=lambda x: x.head_seq)
        matching = [
            a for a in anchors if a.head_seq < d.head_seq and stored.get(a.head_seq) == a.head_hash
        ]
        since = max(matching, key=lambda x: x.head_seq) if matching else None
        where = (
            f"after entry {since.head_seq:,} (anchor #{since.number} still matches)"
            if since
            else "somewhere up to it (no earlier anchor matches)"
        )
        more = len({a.head_seq for a in differing}) - 1
        written_at = walk.observed[d.head_seq][1]
        what = (
            f"entry {d.head_seq:,} is not the one anchor #{d.number} recorded at "
            f"{_when(d.at)}: it is dated {_when(written_at)}, after that anchor, so the "
            f"anchored entries were removed and others written in their place {where}"
            if written_at > d.at
            else f"entry {d.head_seq:,} was rewritten: anchored head differs from anchor "
            f"#{d.number} at {_when(d.at)}; the chain was recomputed {where}"
        )
        found.append(
            (d.head_seq, what + (f"; {more} later anchored heads differ too" if more else ""))
        )
    for a in anchors:
        if a.head_seq <= walk.last_seq and a.head_seq not in stored:
            found.append(
                (a.head_seq, f"entry {a.head_seq:,}, the head of anchor #{a.number}, is missing")
            )
        elif stored.get(a.head_seq) == a.head_hash and walk.upto[a.head_seq] != a.entries:
            gone = a.entries - walk.upto[a.head_seq]
            found.append(
                (
                    a.head_seq,
                    f"{_entries(abs(gone))} up to entry {a.head_seq:,} "
                    f"{'missing' if gone > 0 else 'added'} compared with anchor #{a.number} "
                    f"at {_when(a.at)}",
                )
            )
    return found


def verify(
    store: Store,
    anchors: AnchorLog | None = None,
    *,
    now: datetime | None = None,
    reason: str = "verify",
) -> AuditVerification:
    """Walk the chain from the start and compare it with every anchor; then, if all is well
    and ``now`` is given, anchor its current head (see core.audit_anchors for when)."""
    reading = anchors.read() if anchors is not None else None
    trusted = reading.anchors if reading else []
    walk = _walk(store, [a.head_seq for a in trusted])
    found: list[tuple[int | None, str]] = []
    if walk.first_bad:
        found.append(walk.first_bad)
    found.extend(_against_anchors(trusted, walk))
    found.extend((None, problem) for problem in (reading.problems if reading else []))
    missing = incidents_without_opening(store, opened=walk.opened)
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        found.append((None, f"incident {missing[0]}{more} has no opening entry (incident.open)"))
    latest = trusted[-1] if trusted else None
    if not found and anchors is not None and now is not None:
        try:
            latest = anchors.anchor(store, reason=reason, now=now) or latest
        except AnchorMismatchError as exc:  # the chain moved under us; the next check sees it
            log.warning("audit chain not anchored: %s", exc.message)
        except OSError as exc:  # e.g. an auditor's account may read but not append anchors
            log.warning("audit chain not anchored: cannot write %s: %s", anchors.anchor_file, exc)
    first_bad = next((seq for seq, _ in found if seq is not None), None)
    return AuditVerification(
        ok=not found,
        entries=walk.entries,
        first_bad_seq=first_bad,
        reason=found[0][1] if found else None,
        problems=tuple(problem for _, problem in found),
        anchors=len(trusted),
        latest_anchor=latest,
        unanchored=max(0, walk.entries - latest.entries) if latest and not found else 0,
    )


def incidents_without_opening(store: Store, *, opened: set[str] | None = None) -> list[str]:
    """Incidents the trail never saw opened: an opening interrupted before its audit entry
    (a re-run of triage completes it) or an incident written around the services.
    ``opened`` is what a walk of the chain already collected (else the trail is read)."""
    if opened is None:
        opened = {row.subject for row in store.audit.rows() if row.action == "incident.open"}
    missing: list[str] = []
    offset = 0
    while page := store.incidents.list(limit=_INCIDENT_PAGE, offset=offset):
        offset += len(page)
        missing += [i for d, _v in page if (i := str(json.loads(d)["id"])) not in opened]
    return sorted(missing)


def _require_reader(actor: Actor) -> None:
    # The trail names every agency's incidents and every account: the city's own staff and
    # auditors read it (core.access: READ_AUDIT); a reporter sees their incidents' history
    # on the incident.
    require_citywide(
        actor, Action.READ_AUDIT, "audit trail", "your incidents show their own history"
    )


def verify_for(
    store: Store,
    *,
    actor: Actor,
    anchors: AnchorLog | None = None,
    now: datetime | None = None,
    reason: str = "verify",
) -> AuditVerification:
    """``verify`` for a person: its counts cover every agency, so audit readers only."""
    _require_reader(actor)
    return verify(store, anchors, now=now, reason=reason)


def trail(
    store: Store, *, actor: Actor, subject: str | None, limit: int, offset: int
) -> tuple[int, Sequence[AuditRow]]:
    """(entries, this page newest first) for the audit-trail viewer."""
    _require_reader(actor)
    return store.audit.count(subject=subject), store.audit.page(
        subject=subject, limit=limit, offset=offset
    )


# Headers from the catalogue (core.i18n, "export_col_*"): the entry as people read it (time
# in Taipei), then what the hash covers verbatim, the UTC time as stored and the two hashes.
_EXPORT_COLUMNS = (
    "seq",
    "at_taipei",
    "actor",
    "action",
    "subject",
    "detail",
    "hashed_at",
    "prev_hash",
    "hash",
)


def export_csv(
    store: Store, *, actor: Actor, subject: str | None = None, lang: Lang = "zh"
) -> Iterator[bytes]:
    """The trail oldest first as CSV (UTF-8 with a BOM), headers in ``lang``, with every
    column needed to recompute the chain: hash = SHA-256 over the previous hash, the hashed
    UTC time, actor, action, subject and detail. Text that starts like a formula carries a
    leading apostrophe (core.spreadsheet): remove it before recomputing a hash."""
    _require_reader(actor)
    t = labels(lang)
    rows = (
        (r.seq, r.at, r.actor, r.action, r.subject, r.detail, r.at.isoformat(), r.prev_hash, r.hash)
        for r in store.audit.rows(subject=subject)
    )
    yield from csv_chunks(
        [t[f"export_col_{c}"] for c in _EXPORT_COLUMNS], rows, rows_per_chunk=1000
    )

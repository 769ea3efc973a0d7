"""Dead letters read again with today's parsers, after a parser was added or fixed.

Each letter selected is rebuilt as the record it was (source, place, bytes, receive time:
the same event id a fresh read gives) and parsed again. What parses now is stored as an
event, which keeps the original bytes, and only then leaves the dead letters; the rest
stays, with the reason today's parser gives. W3C directives (``#Fields:`` and the like,
dead-lettered as syslog before IIS logs were read) are the header their lines are read with
and leave too. Records that cannot be rebuilt stay as they are: truncated ones (only their
first bytes were kept), EVTX chunks, and sources no parser is known for. Every run is
audited with its counts; the SOC's roles only, since dead letters belong to no agency.
"""

import re
from dataclasses import asdict, dataclass, replace
from pathlib import PurePath

from collectors.files import SUFFIX_FORMATS
from collectors.ingest import Ingestor, RecordFormat
from collectors.parsers.w3c import W3cHeader
from collectors.records import RawRecord
from core import audit
from core.access import Action, Actor, require_right
from core.clock import Clock
from core.events import DeadLetter, DeadLetterQuery, Event
from core.storage.base import Store

__all__ = ["REPROCESS_MAX", "ReprocessReport", "reprocess_dead_letters"]

REPROCESS_MAX = 10_000  # letters per run: a person waits for the answer
_BATCH = 500
_HEADER_LOOKBACK = 10_000  # earlier letters of a file searched for its W3C header
_RECEIVED = re.compile(r"received #(\d+)$")


@dataclass
class ReprocessReport:
    """Where every selected letter went; ``left`` were selected but beyond this run."""

    examined: int = 0
    stored: int = 0
    duplicates: int = 0  # parsed into an event that was already stored
    directives: int = 0
    still_failing: int = 0
    not_reprocessable: int = 0
    left: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def reprocess_dead_letters(
    *,
    store: Store,
    actor: Actor,
    ingestor: Ingestor,
    query: DeadLetterQuery,
    clock: Clock,
    limit: int = REPROCESS_MAX,
) -> ReprocessReport:
    """Reprocess the letters ``query`` selects (at most ``limit``), oldest first."""
    require_right(
        actor,
        Action.REPROCESS_DEAD_LETTERS,
        "reprocessing dead letters stores records of every agency; ask the city SOC",
        "dead-letters",
    )
    report = ReprocessReport()
    headers: dict[str, W3cHeader] = {}
    kept = 0  # letters that stay: the next page starts after them
    while report.examined < limit:
        page = store.dead_letters.list(
            limit=min(_BATCH, limit - report.examined), offset=kept, query=query
        )
        if not page:
            break
        events: list[Event] = []
        gone: list[int] = []
        for letter in page:
            report.examined += 1
            outcome = _reprocess_one(store, ingestor, letter, headers, report)
            if isinstance(outcome, Event):
                events.append(outcome)
            if outcome is not None and letter.id is not None:
                gone.append(letter.id)
        stored = store.events.append(events) if events else 0  # first the events ...
        report.stored += stored
        report.duplicates += len(events) - stored
        store.dead_letters.remove(gone)  # ... then the letters: a crash loses nothing
        kept += len(page) - len(gone)
    report.left = max(store.dead_letters.count(query) - kept, 0)
    audit.record(
        store,
        actor=actor,
        action="deadletters.reprocess",
        subject="dead-letters",
        at=clock.now(),
        detail={"query": _described(query), **report.as_dict()},
    )
    return report


def _reprocess_one(
    store: Store,
    ingestor: Ingestor,
    letter: DeadLetter,
    headers: dict[str, W3cHeader],
    report: ReprocessReport,
) -> Event | bool | None:
    """The letter's event; True for a W3C directive (it goes, as a header); None: it stays."""
    rebuilt = _record_of(letter)
    if rebuilt is None or letter.id is None:
        report.not_reprocessable += 1
        return None
    record, fmt = rebuilt
    if fmt == "syslog" and letter.source.startswith("file:"):
        header = headers.get(letter.source)
        if header is None:
            header = headers[letter.source] = _header_before(store, letter)
        if header.read(letter.raw):
            report.directives += 1
            return True
        if header.claims(letter.raw):
            record = replace(record, layout=header.fields)
            fmt = "w3c"
    event = ingestor.parse(record, fmt)
    if isinstance(event, Event):
        return event
    report.still_failing += 1
    if event != letter.reason:
        store.dead_letters.set_reason(letter.id, event)
    return None


def _record_of(letter: DeadLetter) -> tuple[RawRecord, RecordFormat] | None:
    """The record as ingest saw it, and its format; None when it cannot be rebuilt."""
    if letter.reason.startswith("TRUNCATED"):
        return None  # only the first bytes were kept: parsing them would store a stub
    if letter.source.startswith("file:"):
        fmt = SUFFIX_FORMATS.get(PurePath(letter.source).suffix.lower())
        if fmt is None or fmt == "evtx":  # an EVTX letter holds a chunk, not a record
            return None
        record = RawRecord(
            source=letter.source,
            data=letter.raw,
            received_at=letter.received_at,
            position=letter.position,
        )
        return record, fmt
    if letter.source.startswith("syslog-"):
        source, _, sender = letter.source.partition(":")
        found = _RECEIVED.search(letter.position or "")
        place = letter.position or ""
        position = place.removesuffix(found.group(0)).removesuffix("; ") if found else place
        record = RawRecord(
            source=source,
            data=letter.raw,
            received_at=letter.received_at,
            position=position or None,
            sender=sender or None,
            sequence=int(found.group(1)) if found else None,
        )
        return record, "syslog"
    return None


def _header_before(store: Store, letter: DeadLetter) -> W3cHeader:
    """The W3C directives of the same file dead-lettered before this letter."""
    header = W3cHeader()
    earlier = store.dead_letters.list(
        limit=_HEADER_LOOKBACK, query=DeadLetterQuery(source=letter.source)
    )
    for other in earlier:
        if letter.id is None or other.id is None or other.id >= letter.id:
            break
        if other.source == letter.source:
            header.read(other.raw)
    return header


def _described(query: DeadLetterQuery) -> dict[str, object]:
    return {
        "source": query.source,
        "since": query.since.isoformat() if query.since else None,
        "until": query.until.isoformat() if query.until else None,
        "ids": list(query.ids) if query.ids is not None else None,
    }

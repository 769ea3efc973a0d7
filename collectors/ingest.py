"""ingest: raw records -> parsed, agency-tagged Events in bounded batches; failures dead-lettered.

Every record ends up counted in exactly one of: stored, duplicate, dead-lettered. No record
can stop ingest: whatever a parser raises costs that record (dead-lettered with the reason),
never the records after it.

An event time outside the sane range (``event_time_min`` .. receive time +
``event_time_max_ahead``) is not stored as ``@timestamp``: the receive time is, the stated
time is kept as text in ``citysoc.stated_timestamp`` and ``citysoc.timestamp_out_of_range``
is true (the original record is kept verbatim either way).
"""

import dataclasses
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from collectors.parsers.common import decode_utf8
from collectors.parsers.jsonlines import parse_json_line
from collectors.parsers.panos_csv import parse_panos_traffic
from collectors.parsers.syslog import parse_syslog
from collectors.parsers.w3c import parse_w3c
from collectors.parsers.winlog import fields_from_evtx_json
from collectors.records import RawRecord
from core.agencies import UNASSIGNED, AgencyRegistry
from core.clock import Clock, SystemClock
from core.errors import RecordParseError
from core.events import INGESTED_FIELD, DeadLetter, Event, FieldValue
from core.storage.base import Store

__all__ = [
    "AGENCY_MISMATCH_FIELD",
    "DEFAULT_EVENT_TIME_MAX_AHEAD",
    "DEFAULT_EVENT_TIME_MIN",
    "FORMATS",
    "IngestReport",
    "Ingestor",
    "RecordFormat",
    "STATED_TIMESTAMP_FIELD",
    "TIMESTAMP_OUT_OF_RANGE_FIELD",
]

DEFAULT_EVENT_TIME_MIN = date(1990, 1, 1)
DEFAULT_EVENT_TIME_MAX_AHEAD = timedelta(hours=24)
STATED_TIMESTAMP_FIELD = "citysoc.stated_timestamp"
TIMESTAMP_OUT_OF_RANGE_FIELD = "citysoc.timestamp_out_of_range"
# A TLS sender's certificate named one agency, its address lies in another's network.
AGENCY_MISMATCH_FIELD = "citysoc.agency_mismatch"

RecordFormat = str  # one of FORMATS


@dataclass
class IngestReport:
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    unassigned: int = 0
    by_agency: dict[str, int] = field(default_factory=dict)

    def merge(self, other: "IngestReport") -> None:
        self.read += other.read
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.dead_lettered += other.dead_lettered
        self.unassigned += other.unassigned
        for code, n in other.by_agency.items():
            self.by_agency[code] = self.by_agency.get(code, 0) + n

    def as_dict(self) -> dict[str, int]:
        return {
            "read": self.read,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "dead_lettered": self.dead_lettered,
            "unassigned": self.unassigned,
        }


Parsed = tuple[str, datetime, dict[str, FieldValue], str]  # dataset, time, fields, id seed


def _syslog(record: RawRecord, text: str) -> Parsed:
    timestamp, fields = parse_syslog(text, received_at=record.received_at)
    if record.sender:
        fields["log.source.address"] = record.sender
    return "syslog", timestamp, fields, f"{_where(record)}\x00{text}"


def _where(record: RawRecord) -> str:
    """The identity of a syslog line beyond its text: ten identical failed logins are ten
    events (brute-force rules count them), yet reading the same input again adds nothing.
    A stream line: its sender and receive sequence; a file line: the file and line."""
    if record.sequence is not None:
        return f"{record.sender or ''}\x00#{record.sequence}"
    if record.source.startswith("file:"):
        return f"{record.source}\x00{record.position or ''}"
    return record.sender or ""


def _evtx(record: RawRecord, text: str) -> Parsed:
    timestamp, fields = fields_from_evtx_json(text)
    if record.source.startswith("file:"):
        fields["log.file.path"] = record.source.removeprefix("file:")
    return "winlog", timestamp, fields, text


def _jsonl(record: RawRecord, text: str) -> Parsed:
    dataset, timestamp, fields = parse_json_line(text, received_at=record.received_at)
    return dataset, timestamp, fields, text


def _panos(record: RawRecord, text: str) -> Parsed:  # noqa: ARG001 - uniform signature
    timestamp, fields = parse_panos_traffic(text)
    return "panos.traffic", timestamp, fields, text  # type: ignore[return-value]


def _w3c(record: RawRecord, text: str) -> Parsed:
    timestamp, fields = parse_w3c(text, record.layout)
    if record.source.startswith("file:"):
        fields["log.file.path"] = record.source.removeprefix("file:")
    # Two identical requests in one second are two requests: the line's place counts.
    return "iis.access", timestamp, fields, f"{_where(record)}\x00{text}"


FORMATS: dict[str, Callable[[RawRecord, str], Parsed]] = {
    "syslog": _syslog,
    "evtx": _evtx,
    "jsonl": _jsonl,
    "panos-csv": _panos,
    "w3c": _w3c,
}

# The field whose address owns a record when no sender does (a file): a syslog message's
# source.ip is the peer it talks about (an sshd client), a web log's the visitor; the
# server (destination.ip) is the web log's owner. Default: source.ip (firewall, JSON).
_OWNER_ADDRESS: dict[str, str | None] = {"syslog": None, "iis.access": "destination.ip"}


class Ingestor:
    """Parses records into events and writes them in bounded batches."""

    def __init__(
        self,
        store: Store,
        registry: AgencyRegistry,
        *,
        batch_size: int = 2000,
        max_record_bytes: int = 1024 * 1024,
        clock: Clock | None = None,
        event_time_min: date = DEFAULT_EVENT_TIME_MIN,
        event_time_max_ahead: timedelta = DEFAULT_EVENT_TIME_MAX_AHEAD,
    ) -> None:
        self.store = store
        self.registry = registry
        self.batch_size = batch_size
        self.max_record_bytes = max_record_bytes
        self.event_time_min = event_time_min
        self.event_time_max_ahead = event_time_max_ahead
        self._time_floor = datetime.combine(event_time_min, time(), UTC)
        self.clock = clock or SystemClock()
        self.report = IngestReport()
        self._events: list[Event] = []
        self._dead: list[DeadLetter] = []
        # One batch is written in the background while the next one is parsed (parsing is
        # Python work, writing mostly waits on the store); never more than one: backpressure.
        self._writer: ThreadPoolExecutor | None = None
        self._in_flight: tuple[Future[int], list[Event]] | None = None

    def submit(self, record: RawRecord, fmt: RecordFormat) -> None:
        """Parse and queue one record; dead-letter it with the reason if it cannot be parsed."""
        self.report.read += 1
        size = record.original_size or len(record.data)
        if size > self.max_record_bytes:
            self._dead_letter_oversized(record, size)
            return
        event = self.parse(record, fmt)
        if isinstance(event, str):
            self.dead_letter(record, event)
            return
        self._events.append(event)
        if event.organization_id == UNASSIGNED.code:
            self.report.unassigned += 1
        if len(self._events) >= self.batch_size:
            self._send(wait=False)

    def parse(self, record: RawRecord, fmt: RecordFormat) -> Event | str:
        """The event a record gives, or the reason it gives none (its dead letter's)."""
        try:
            return self._to_event(record, fmt)
        except RecordParseError as exc:
            return exc.message
        except Exception as exc:  # noqa: BLE001 - a parser bug costs one record, not ingest
            return (
                f"the {fmt} parser failed on this record ({type(exc).__name__}: {exc}); the "
                "record is kept here as received: please report it with this dead letter"
            )

    def _dead_letter_oversized(self, record: RawRecord, size: int) -> None:
        """Keep the first ``max_record_bytes`` only: one huge record must not become one huge
        row (or one huge allocation) in the dead-letter store."""
        kept = record.data[: self.max_record_bytes]
        self.dead_letter(
            dataclasses.replace(record, data=kept, original_size=size),
            f"TRUNCATED: record is {size} bytes, over the {self.max_record_bytes}-byte limit "
            f"(CITYSOC_MAX_RECORD_BYTES); only the first {len(kept)} bytes are kept here",
        )

    def dead_letter(self, record: RawRecord, reason: str) -> None:
        self.report.dead_lettered += 1
        self._dead.append(
            DeadLetter(
                received_at=record.received_at,
                source=record.source if not record.sender else f"{record.source}:{record.sender}",
                position=_position(record),
                reason=reason,
                raw=record.data,
            )
        )
        if len(self._dead) >= 100:
            self.flush()

    def _to_event(self, record: RawRecord, fmt: RecordFormat) -> Event:
        text = decode_utf8(record.data).rstrip("\r\n")
        if not text.strip():
            raise RecordParseError("record is empty")
        dataset, timestamp, fields, seed = FORMATS[fmt](record, text)
        timestamp = self._sane_time(timestamp, record.received_at, fields)
        _check_event_id(fields.get("winlog.event_id"))
        host = fields.get("host.name")
        owner = _OWNER_ADDRESS.get(dataset, "source.ip")
        if record.agency is not None:
            # Vouched for by the sender's credential (a client certificate, an HTTP ingest
            # token): it wins over addresses, host names and the record's own organization.*
            # fields; the address only checks.
            agency = self.registry.find(record.agency) or UNASSIGNED
            for key in [k for k in fields if k.startswith("organization.")]:
                del fields[key]
            mismatch = self.registry.address_mismatch(agency, record.sender)
            if mismatch is not None:
                fields[AGENCY_MISMATCH_FIELD] = mismatch
        else:
            agency = self.registry.for_sender(
                address=record.sender or (_str(fields.get(owner)) if owner else None),
                host=_str(host),
            )
        if agency is UNASSIGNED and fields.get("destination.ip"):
            agency = self.registry.for_sender(address=_str(fields.get("destination.ip")))
        fields["organization.name"] = agency.name_zh
        # Ours, even if the source carried one: detection time counts from our receipt.
        fields[INGESTED_FIELD] = record.received_at.isoformat()
        return Event(
            event_id=Event.stable_id(dataset, seed),
            timestamp=timestamp,
            dataset=dataset,
            organization_id=agency.code,
            original=text,
            fields=fields,
        )

    def _sane_time(
        self, stated: datetime, received_at: datetime, fields: dict[str, FieldValue]
    ) -> datetime:
        """The stated time, or the receive time when the stated one is absurd (year 9999 and
        year 1 break pages, and sort every other event away); the stated time stays visible."""
        if self._time_floor <= stated <= received_at + self.event_time_max_ahead:
            return stated
        fields[STATED_TIMESTAMP_FIELD] = stated.isoformat()
        fields[TIMESTAMP_OUT_OF_RANGE_FIELD] = True
        return received_at

    def flush(self) -> None:
        """Write everything queued and wait until the store has it."""
        self._send(wait=True)

    def discard_unsettled(self) -> None:
        """Forget queued events and dead letters and the batch in flight, after the store
        failed: the caller submits the same records again (event ids keep that idempotent)."""
        self._events, self._dead = [], []
        self._in_flight = None
        if self._writer is not None:
            self._writer.shutdown(wait=True)
            self._writer = None

    def _send(self, *, wait: bool) -> None:
        if self._events:
            batch, self._events = self._events, []
            self._settle()  # the previous batch first: at most one in flight
            if self._writer is None:
                self._writer = ThreadPoolExecutor(1, thread_name_prefix="ingest-writer")
            self._in_flight = (self._writer.submit(self.store.events.append, batch), batch)
        if self._dead:
            dead, self._dead = self._dead, []
            self.store.dead_letters.add(dead)
        if wait:
            self._settle()
            if self._writer is not None:
                self._writer.shutdown(wait=True)
                self._writer = None

    def _settle(self) -> None:
        """Count the batch in flight once the store has answered (raising what it raised)."""
        if self._in_flight is None:
            return
        future, batch = self._in_flight
        self._in_flight = None
        stored = future.result()
        self.report.stored += stored
        self.report.duplicates += len(batch) - stored
        for event in batch:
            code = event.organization_id
            self.report.by_agency[code] = self.report.by_agency.get(code, 0) + 1


def _position(record: RawRecord) -> str | None:
    """A stream record's receive sequence is its place (and part of its dead letter's key)."""
    if record.sequence is None:
        return record.position
    received = f"received #{record.sequence}"
    return f"{record.position}; {received}" if record.position else received


def _check_event_id(code: FieldValue) -> None:
    """A Windows event id is 16 bits. A larger number would fail the whole batch in the
    store (an integer column), so the record it came in is dead-lettered instead."""
    if code is None or isinstance(code, bool):
        return
    try:
        number = int(code)
    except (ValueError, OverflowError):
        return  # not a number (or NaN / infinity): kept as text, as before
    if not 0 <= number <= 65535:
        raise RecordParseError(
            f"winlog.event_id must be a Windows event id (0-65535), got {str(code)[:40]}"
        )


def _str(value: object) -> str | None:
    return None if value is None else str(value)

"""ingest: raw records -> parsed, agency-tagged Events in bounded batches; failures dead-lettered.

Every record ends up counted in exactly one of: stored, duplicate, dead-lettered.
"""

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from collectors.parsers.common import decode_utf8
from collectors.parsers.jsonlines import parse_json_line
from collectors.parsers.panos_csv import parse_panos_traffic
from collectors.parsers.syslog import parse_syslog
from collectors.parsers.winlog import fields_from_evtx_json
from collectors.records import RawRecord
from core.agencies import UNASSIGNED, AgencyRegistry
from core.clock import Clock, SystemClock
from core.errors import RecordParseError
from core.events import DeadLetter, Event, FieldValue
from core.storage.base import Store

__all__ = ["FORMATS", "IngestReport", "Ingestor", "RecordFormat"]

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
    # The sender is part of identity: two hosts may send the very same line.
    return "syslog", timestamp, fields, f"{record.sender or ''}\x00{text}"


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


FORMATS: dict[str, Callable[[RawRecord, str], Parsed]] = {
    "syslog": _syslog,
    "evtx": _evtx,
    "jsonl": _jsonl,
    "panos-csv": _panos,
}


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
    ) -> None:
        self.store = store
        self.registry = registry
        self.batch_size = batch_size
        self.max_record_bytes = max_record_bytes
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
        try:
            event = self._to_event(record, fmt)
        except RecordParseError as exc:
            self.dead_letter(record, exc.message)
            return
        self._events.append(event)
        if event.organization_id == UNASSIGNED.code:
            self.report.unassigned += 1
        if len(self._events) >= self.batch_size:
            self._send(wait=False)

    def dead_letter(self, record: RawRecord, reason: str) -> None:
        self.report.dead_lettered += 1
        self._dead.append(
            DeadLetter(
                received_at=record.received_at,
                source=record.source if not record.sender else f"{record.source}:{record.sender}",
                position=record.position,
                reason=reason,
                raw=record.data,
            )
        )
        if len(self._dead) >= 100:
            self.flush()

    def _to_event(self, record: RawRecord, fmt: RecordFormat) -> Event:
        if len(record.data) > self.max_record_bytes:
            raise RecordParseError(
                f"record is {len(record.data)} bytes, over the {self.max_record_bytes}-byte limit "
                "(CITYSOC_MAX_RECORD_BYTES); kept whole here"
            )
        text = decode_utf8(record.data).rstrip("\r\n")
        if not text.strip():
            raise RecordParseError("record is empty")
        dataset, timestamp, fields, seed = FORMATS[fmt](record, text)
        host = fields.get("host.name")
        agency = self.registry.for_sender(
            address=record.sender or _str(fields.get("source.ip")),
            host=_str(host),
        )
        if agency is UNASSIGNED and fields.get("destination.ip"):
            agency = self.registry.for_sender(address=_str(fields.get("destination.ip")))
        fields["organization.name"] = agency.name_zh
        return Event(
            event_id=Event.stable_id(dataset, seed),
            timestamp=timestamp,
            dataset=dataset,
            organization_id=agency.code,
            original=text,
            fields=fields,
        )

    def flush(self) -> None:
        """Write everything queued and wait until the store has it."""
        self._send(wait=True)

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


def _str(value: object) -> str | None:
    return None if value is None else str(value)

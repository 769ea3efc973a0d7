"""The normalized Event: the contract between collectors, storage and detections."""

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from core.errors import RecordParseError

__all__ = [
    "ALL_DEAD_LETTERS",
    "FLATTEN_MAX_DEPTH",
    "INGESTED_FIELD",
    "DeadLetter",
    "DeadLetterQuery",
    "Event",
    "FieldValue",
    "flatten",
]

FieldValue = str | int | float | bool | None

# ECS event.ingested: when CitySOC received the record (set at ingest, ISO 8601 UTC). Old
# logs imported today keep their original @timestamp; detection can only start from this.
INGESTED_FIELD = "event.ingested"


@dataclass(frozen=True, slots=True)
class Event:
    """One normalized record; ``to_ecs()`` gives its ECS document.

    ``fields`` holds every other ECS-style attribute flattened with dots
    (``winlog.event_data.Image``, ``source.ip``); ``original`` is kept verbatim. A plain
    slots dataclass, not a pydantic model: it is built once per ingested record, on the hot
    path, by parsers that already produce well-typed values (``timestamp`` is aware UTC).
    """

    event_id: str  # event.id
    timestamp: datetime  # @timestamp, aware UTC
    dataset: str  # event.dataset
    organization_id: str  # organization.id
    original: str  # event.original, never truncated
    fields: dict[str, FieldValue] = field(default_factory=dict)

    @staticmethod
    def stable_id(dataset: str, original: str) -> str:
        """The same input twice gives the same id, so re-reading a file adds nothing."""
        return hashlib.sha256(f"{dataset}\x00{original}".encode()).hexdigest()[:32]

    @property
    def host_name(self) -> str | None:
        value = self.fields.get("host.name")
        return str(value) if value is not None else None

    @property
    def received_at(self) -> datetime | None:
        """When ingest received the record (None for events stored before it was kept)."""
        value = self.fields.get(INGESTED_FIELD)
        if not isinstance(value, str):
            return None
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None

    def to_ecs(self) -> dict[str, object]:
        """The event as one flat ECS document; its own attributes win over a field of the
        same name (a record may claim another agency's ``organization.id``), as the stores'
        documents do (core.storage.codec.event_to_dict)."""
        return {
            **self.fields,
            "@timestamp": self.timestamp.isoformat(),
            "event.id": self.event_id,
            "event.dataset": self.dataset,
            "organization.id": self.organization_id,
            "event.original": self.original,
        }


class DeadLetter(BaseModel):
    """Input that could not be parsed, kept whole with the reason, never dropped."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    received_at: datetime
    source: str  # "file:/path/x.evtx", "syslog-udp:10.20.3.7:514"
    position: str | None  # "line 12", "record 40", "byte 1024"
    reason: str
    raw: bytes

    @property
    def key(self) -> str:
        """Identity for idempotent storage: the same bytes at the same place of the same
        source are one dead letter, however often the input is read again."""
        digest = hashlib.sha256(self.raw).hexdigest()
        seed = f"{self.source}\x00{self.position or ''}\x00{digest}"
        return hashlib.sha256(seed.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class DeadLetterQuery:
    """Which dead letters: every field narrows (None: any). ``source`` is a part of the
    source, any case; ``since`` is inclusive, ``until`` exclusive (receive time); ``ids``
    names letters outright."""

    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    ids: tuple[int, ...] | None = None


ALL_DEAD_LETTERS = DeadLetterQuery()


FLATTEN_MAX_DEPTH = 100  # objects inside objects; real ECS documents nest fewer than 10


def flatten(value: Mapping[str, object], prefix: str = "") -> dict[str, FieldValue]:
    """Flatten nested JSON into dotted keys; lists become comma-joined text.

    Iterative (an explicit stack), so no document can exhaust Python's recursion limit.
    Raises RecordParseError for objects nested deeper than ``FLATTEN_MAX_DEPTH``.
    """
    out: dict[str, FieldValue] = {}
    path, items = prefix, iter(value.items())
    # The enclosing objects' paths and item iterators, suspended while a nested object is
    # read: keys come out in document order, as the recursive version gave them.
    suspended: list[tuple[str, Iterator[tuple[str, object]]]] = []
    while True:
        for key, item in items:
            # Exact-type checks first: this runs for every field of every ingested record,
            # and isinstance against the Mapping ABC costs several times more.
            kind = type(item)
            if kind is str or kind is int or kind is float or kind is bool or item is None:
                out[f"{path}{key}"] = item  # type: ignore[assignment]
            elif kind is dict or isinstance(item, Mapping):
                if len(suspended) >= FLATTEN_MAX_DEPTH - 1:
                    raise RecordParseError(
                        f"JSON objects are nested deeper than {FLATTEN_MAX_DEPTH} levels "
                        f"(at {f'{path}{key}'[:120]}…); flatten the document before sending it"
                    )
                suspended.append((path, items))
                path, items = f"{path}{key}.", iter(item.items())  # type: ignore[attr-defined]
                break
            elif kind is list:
                out[f"{path}{key}"] = ",".join(str(v) for v in item)  # type: ignore[attr-defined]
            elif isinstance(item, str | int | float | bool):
                out[f"{path}{key}"] = item
            else:
                out[f"{path}{key}"] = str(item)
        else:
            if not suspended:
                return out
            path, items = suspended.pop()

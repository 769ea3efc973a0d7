"""The normalized Event: the contract between collectors, storage and detections."""

import hashlib
from collections.abc import Mapping
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

__all__ = ["DeadLetter", "Event", "FieldValue", "flatten"]

FieldValue = str | int | float | bool | None


class Event(BaseModel):
    """One normalized record. Aliases are the ECS names used on the wire and in storage.

    ``fields`` holds every other ECS-style attribute flattened with dots
    (``winlog.event_data.Image``, ``source.ip``); ``original`` is kept verbatim.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    event_id: str = Field(alias="event.id")
    timestamp: AwareDatetime = Field(alias="@timestamp")
    dataset: str = Field(alias="event.dataset")
    organization_id: str = Field(alias="organization.id")
    original: str = Field(alias="event.original")
    fields: dict[str, FieldValue] = Field(default_factory=dict)

    @staticmethod
    def stable_id(dataset: str, original: str) -> str:
        """The same input twice gives the same id, so re-reading a file adds nothing."""
        return hashlib.sha256(f"{dataset}\x00{original}".encode()).hexdigest()[:32]

    @property
    def host_name(self) -> str | None:
        value = self.fields.get("host.name")
        return str(value) if value is not None else None

    def to_ecs(self) -> dict[str, object]:
        """The event as one flat ECS document."""
        return {
            "@timestamp": self.timestamp.isoformat(),
            "event.id": self.event_id,
            "event.dataset": self.dataset,
            "organization.id": self.organization_id,
            "event.original": self.original,
            **self.fields,
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


def flatten(value: Mapping[str, object], prefix: str = "") -> dict[str, FieldValue]:
    """Flatten nested JSON into dotted keys; lists become comma-joined text."""
    out: dict[str, FieldValue] = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, Mapping):
            out.update(flatten(item, f"{name}."))
        elif isinstance(item, list):
            out[name] = ",".join(str(v) for v in item)
        elif item is None or isinstance(item, str | int | float | bool):
            out[name] = item
        else:
            out[name] = str(item)
    return out

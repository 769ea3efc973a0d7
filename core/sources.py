"""Where events come from: a *source* and what the store knows of its activity.

A source is named by the first field an event has of ``SOURCE_FIELDS``: the syslog sender
(``log.source.address``, set by ingest for network syslog), the file read
(``log.file.path``, EVTX files), the host (``host.name``), else the collector's dataset
(``event.dataset``). The name is ``<kind>:<value>`` with the value in lower case, because
Elasticsearch keeps keywords lower-cased and both engines must name a source alike.
Dead letters carry their own source text (``DeadLetter.source``); ``dead_letter_source``
names it the same way so that its failures count against the source they came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = [
    "SOURCE_FIELDS",
    "SourceActivity",
    "dead_letter_source",
    "source_name",
]

# event field -> kind of source, in the order that decides which one names an event
SOURCE_FIELDS: tuple[tuple[str, str], ...] = (
    ("log.source.address", "syslog"),
    ("log.file.path", "file"),
    ("host.name", "host"),
    ("event.dataset", "collector"),
)
_STREAMS = ("syslog-", "relp")  # DeadLetter.source of network input: "<listener>:<sender>"


def source_name(kind: str, value: str) -> str:
    return f"{kind}:{value.lower()}"


def dead_letter_source(source: str) -> str | None:
    """The source a dead letter came from, named as events' sources are; None when it
    names none (a listener without a sender)."""
    if source.startswith("file:"):
        return source_name("file", source.removeprefix("file:"))
    if source.startswith(_STREAMS) and ":" in source:
        return source_name("syslog", source.split(":", 1)[1])
    return None


@dataclass(frozen=True, slots=True)
class SourceActivity:
    """One source of one agency as the store aggregates it (no event is loaded).

    ``last_seen`` is the latest event time (``@timestamp``) ever stored for it; ``hourly``
    counts its events per hour (keyed by the hour's start, UTC) inside the asked window,
    hours without events left out."""

    organization_id: str
    source: str
    last_seen: datetime
    hourly: dict[datetime, int] = field(default_factory=dict)

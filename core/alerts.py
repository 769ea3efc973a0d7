"""Alerts produced by detections, and the matched-event summary they carry."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ALL_ALERTS",
    "Alert",
    "AlertGroup",
    "AlertQuery",
    "AlertStatus",
    "MatchedEvent",
    "Severity",
]


class Severity(StrEnum):
    INFORMATIONAL = "informational"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class AlertStatus(StrEnum):
    NEW = "new"
    FALSE_POSITIVE = "false_positive"
    ESCALATED = "escalated"


class MatchedEvent(BaseModel):
    """Where the matched event came from, enough to find it again in its source."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    timestamp: datetime
    channel: str | None = None
    computer: str | None = None
    record_id: int | None = None
    source_file: str | None = None
    message: str | None = None


class Alert(BaseModel):
    """One rule matching one event. Grouped into candidate incidents by triage."""

    model_config = ConfigDict(frozen=True)

    id: str  # stable: rule id + event id, so a re-run adds nothing
    rule_id: str
    rule_title: str
    severity: Severity
    tags: tuple[str, ...] = ()
    author: str | None = None
    references: tuple[str, ...] = ()
    rule_source: str | None = None
    organization_id: str
    host_name: str | None = None
    event: MatchedEvent
    created_at: datetime
    group_key: str
    status: AlertStatus = AlertStatus.NEW
    status_reason: str | None = None
    incident_id: str | None = None
    attack: tuple[str, ...] = Field(default_factory=tuple)
    asset_criticality: str | None = None  # from the scan inventory: see core.assets
    assignee: str | None = None  # the analyst working it (triage.assign)


@dataclass(frozen=True, slots=True)
class AlertGroup:
    """Alerts sharing a group key (rule, agency, host, time window): one candidate incident."""

    key: str
    rule_id: str
    rule_title: str
    severity: Severity
    organization_id: str
    host_name: str | None
    count: int
    first_at: datetime  # earliest and latest matched event
    last_at: datetime


@dataclass(frozen=True, slots=True)
class AlertQuery:
    """Which alerts: every field narrows (None: any). Times bound the matched event's time to
    the whole second, ``since`` inclusive, ``until`` exclusive. Engines order by creation,
    oldest first unless ``newest_first``.

    ``host_contains`` and ``rule_contains`` are what a person types into the queue: a
    case-insensitive part of the host name, or of the rule's id or title, taken literally
    (``%``, ``_``, ``*``, ``?`` and ``\\`` are characters, not wildcards). Both engines fold
    ASCII letters; SQLite's ``lower()`` leaves other scripts' capitals as they are."""

    organization_id: str | None = None
    status: AlertStatus | None = None
    group_key: str | None = None
    rule_prefix: str | None = None
    rule_id: str | None = None
    severity: Severity | None = None
    host: str | None = None
    assignee: str | None = None
    event_id: str | None = None  # the matched event's id (the event page's alerts)
    host_contains: str | None = None
    rule_contains: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    newest_first: bool = False

    def exact(self) -> dict[str, str]:
        """The exact-match filters that are set, by stored field name (engines map these
        names to their columns or index fields)."""
        pairs = {
            "org": self.organization_id,
            "status": self.status.value if self.status else None,
            "group_key": self.group_key,
            "rule_id": self.rule_id,
            "severity": self.severity.value if self.severity else None,
            "host": self.host,
            "assignee": self.assignee,
            "event_id": self.event_id,
        }
        return {field: value for field, value in pairs.items() if value is not None}


ALL_ALERTS = AlertQuery()

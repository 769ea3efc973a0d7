"""Shapes that cross the HTTP boundary (inputs forbid unknown fields)."""

from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
)

from api.filters import bounded_time
from core import limits
from core.alerts import Alert
from core.errors import InputError
from incidents.deadlines import DeadlineStatus
from incidents.levels import LevelAnswers
from incidents.models import (
    ChecklistTask,
    CorrectedField,
    Incident,
    IncidentCategory,
    InvestigationReport,
    IoC,
    IoCType,
)
from incidents.sharing.deidentify import RedactionKind, WithheldReason
from incidents.sharing.observables import classify
from incidents.sharing.tlp import Tlp
from incidents.timeline import TimelineEntry
from incidents.triage import MAX_SELECTION

__all__ = [
    "AssigneeUpdate",
    "TasksRead",
    "TimelineRead",
    "WatcherUpdate",
    "AlertGroupRead",
    "AlertsAssignmentUpdate",
    "AlertsEscalationCreate",
    "AlertsFalsePositiveUpdate",
    "IncidentAlertsUpdate",
    "CloseCreate",
    "ContainmentUpdate",
    "DismissCreate",
    "ReopenCreate",
    "ForwardCreate",
    "LevelChangeCreate",
    "ProgressCreate",
    "AlertPage",
    "DeadlineRead",
    "GroupFalsePositiveUpdate",
    "IncidentCreate",
    "IncidentPage",
    "IncidentRead",
    "SessionCreate",
    "NotificationCreate",
    "ReportUpdate",
    "ReviewCreate",
    "RemovedRead",
    "ShareCreate",
    "SharePreviewRead",
    "ShareRead",
    "TokenCreate",
    "WithheldRead",
]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


# A time with its zone that every engine and page can convert (core.time_range).
Instant = Annotated[AwareDatetime, AfterValidator(bounded_time)]
# Free text, by kind (core.limits). Blank text is refused by the services with a message
# saying what to write, so these bound the length only.
Title = Annotated[str, Field(max_length=limits.TITLE)]
Text = Annotated[str, Field(max_length=limits.TEXT)]
Note = Annotated[str, Field(max_length=limits.NOTE)]
Reason = Annotated[str, Field(max_length=limits.REASON)]
Ident = Annotated[str, Field(max_length=limits.IDENT)]


class AlertPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[Alert]


class AlertGroupRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    rule_id: str
    rule_title: str
    severity: str
    organization_id: str
    host_name: str | None
    count: int
    first_at: datetime
    last_at: datetime


class SessionCreate(_Input):
    username: str = Field(min_length=1, max_length=64)
    password: SecretStr = Field(min_length=1, max_length=1024)


class TokenCreate(_Input):
    name: str = Field(min_length=1, max_length=limits.NAME)


class GroupFalsePositiveUpdate(_Input):
    reason: Reason


_Selection = Field(min_length=1, max_length=MAX_SELECTION)


class AlertsFalsePositiveUpdate(_Input):
    alert_ids: list[Ident] = _Selection
    reason: Reason


class AlertsAssignmentUpdate(_Input):
    alert_ids: list[Ident] = _Selection
    assignee: str | None = Field(default=None, max_length=64, description="null: unassign")


class IncidentAlertsUpdate(_Input):
    alert_ids: list[Ident] = _Selection


class AlertsEscalationCreate(_Input):
    alert_ids: list[Ident] = _Selection
    incident_id: Ident | None = Field(default=None, description="null: open a new incident")


class ProgressCreate(_Input):
    text: Text


class ContainmentUpdate(_Input):
    note: Note = ""


class ReportUpdate(_Input):
    """The investigation report's items (incidents.models.InvestigationReport), bounded."""

    scope_and_damage: Text = ""
    containment_process: Text = ""
    investigation_process: Text = ""
    root_cause: Text = ""
    preventive_measures: Text = ""
    schedule_and_tracking: Text = ""

    def report(self) -> InvestigationReport:
        return InvestigationReport(**self.model_dump())


class DeadlineRead(BaseModel):
    """One statutory clock. Where a correction of awareness came after the clock was due
    (incidents.deadlines.held_awareness), ``due_at``/``status`` stay the original figure and
    the ``corrected_*`` fields carry what the corrected awareness alone would give, with the
    corrections' reasons, as the compliance report shows them; otherwise they are empty."""

    model_config = ConfigDict(from_attributes=True)

    kind: str
    title_zh: str
    title_en: str
    due_at: datetime | None
    done_at: datetime | None
    status: DeadlineStatus
    basis: str
    corrected_due_at: datetime | None = None
    corrected_status: DeadlineStatus | None = None
    correction_reasons: list[str] = Field(default_factory=list)


class IncidentRead(BaseModel):
    incident: Incident
    version: int
    deadlines: list[DeadlineRead]
    overdue: bool
    suggested_system_class: str | None = None  # from the scan inventory, for the level form


class IncidentPage(BaseModel):
    limit: int
    offset: int
    items: list[IncidentRead]
    total: int = 0  # how many match the filters (incidents.board)


class IncidentCreate(_Input):
    organization_id: Ident
    title: Title = Field(min_length=1)
    aware_at: Instant
    occurred_at: Instant | None = None
    description: Text = ""
    affected_assets: list[Ident] = Field(default_factory=list, max_length=500)


class NotedIocCreate(_Input):
    type: IoCType
    value: str = Field(min_length=1, max_length=limits.IOC)
    note: Note | None = None

    def ioc(self) -> IoC:
        return IoC(type=self.type, value=self.value, note=self.note)


class NotificationCreate(_Input):
    answers: LevelAnswers
    description: Text
    response_measures: Text
    outside_support_needed: bool
    outside_support_detail: Note = ""
    other_matters: Note = ""
    aware_at: Instant | None = None
    fallback_channel_reason: Reason | None = None
    category: IncidentCategory | None = None
    event_name: Title = Field(default="", description="事件名稱; blank keeps the incident's")
    iocs: list[NotedIocCreate] = Field(default_factory=list, max_length=limits.SELECTION)

    @field_validator("iocs")
    @classmethod
    def _each_ioc_fits_its_type(cls, iocs: list[NotedIocCreate]) -> list[NotedIocCreate]:
        """Checked before anything is filed, so a bad IoC refuses the whole notification."""
        for ioc in iocs:
            try:
                classify(ioc.value, ioc.type)
            except InputError as exc:
                raise ValueError(exc.message) from None
        return iocs


class ReviewCreate(_Input):
    level: int | None = Field(default=None, ge=1, le=4)
    note: Note = ""


class LevelChangeCreate(_Input):
    """續行通報: the level questions answered again, and why the level changes."""

    answers: LevelAnswers
    reason: Reason


class ForwardCreate(_Input):
    """The superior's review result sent to the competent authority (審核結果送主管機關)."""

    to: Ident = Field(description="the competent authority it was sent to")
    reference: Reason = Field(description="the platform's reference number or receipt")
    at: Instant | None = Field(default=None, description="when it was sent (default: now)")


class CloseCreate(_Input):
    reason: Reason = ""


class DismissCreate(_Input):
    reason: Reason


class ReopenCreate(_Input):
    """重新開啟: why a closed incident or a dismissed case is worked again."""

    reason: Reason


class ConfirmCreate(_Input):
    """確認為資安事件: awareness (知悉) is now unless an earlier time is given with its reason."""

    aware_at: Instant | None = None
    reason: Reason = ""


class CorrectionCreate(_Input):
    """A correction of an incident's recorded time; the reason is required once notified."""

    field: CorrectedField
    value: Instant
    reason: Reason = ""


class IocCreate(_Input):
    type: IoCType | None = None  # recognised from the value when left out
    value: str = Field(min_length=1, max_length=limits.IOC)


class ShareCreate(_Input):
    iocs: list[IocCreate] = Field(default_factory=list, max_length=limits.SELECTION)
    include_incident_iocs: bool = False  # add the IoCs already recorded on the incident
    summary: Text = ""
    tlp: Tlp = Tlp.GREEN
    # Without it the answer is the preview; with the preview's digest, it is published.
    confirm: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")


class WithheldRead(BaseModel):
    """An IoC kept in the city: ``reason`` is a code (the pages say it in their language);
    ``kinds`` say what a file name or URL contains; ``detail`` why a recorded IoC is unusable."""

    ioc: IoC
    reason: WithheldReason
    kinds: list[RedactionKind] = Field(default_factory=list)
    detail: str = ""


class RemovedRead(BaseModel):
    kind: RedactionKind
    text: str  # as written in the summary; shown to the analyst, never shared


class SharePreviewRead(BaseModel):
    """Exactly what would leave the city; publish it by sending the same request with
    ``confirm`` set to ``digest``."""

    preview: bool = True
    digest: str
    tlp: Tlp
    collection_id: str
    summary: str
    shared: list[IoC]
    withheld: list[WithheldRead]
    redactions: dict[RedactionKind, int]
    removed: list[RemovedRead]


class ShareRead(BaseModel):
    bundle_id: str
    collection_id: str
    objects: int
    shared: list[IoC]
    withheld: list[WithheldRead]
    redactions: dict[RedactionKind, int]
    summary: str


# --- Case work (issue 14 item 5): owner, watchers, tasks, timeline -------------------------


class AssigneeUpdate(_Input):
    """The case's owner: an account that may see the incident; null or blank: nobody."""

    assignee: Ident | None = None


class WatcherUpdate(_Input):
    """Whose watch changes: yourself when omitted (only a lead names someone else)."""

    username: Ident | None = None


class TimelineRead(BaseModel):
    incident_id: str
    items: list[TimelineEntry]


class TasksRead(BaseModel):
    incident_id: str
    category: IncidentCategory | None
    items: list[ChecklistTask]

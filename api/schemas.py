"""Shapes that cross the HTTP boundary (inputs forbid unknown fields)."""

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, SecretStr, field_validator

from core.alerts import Alert
from core.errors import InputError
from incidents.deadlines import DeadlineStatus
from incidents.levels import LevelAnswers
from incidents.models import Incident, IncidentCategory, IoC, IoCType
from incidents.sharing.observables import classify
from incidents.sharing.tlp import Tlp
from incidents.triage import MAX_SELECTION

__all__ = [
    "AlertGroupRead",
    "AlertsAssignIn",
    "AlertsEscalateIn",
    "AlertsFalsePositiveIn",
    "AlertsLinkIn",
    "ContainedIn",
    "ProgressIn",
    "AlertPage",
    "DeadlineRead",
    "FalsePositiveIn",
    "IncidentCreate",
    "IncidentPage",
    "IncidentRead",
    "LoginIn",
    "NotificationIn",
    "ReviewIn",
    "RemovedRead",
    "ShareIn",
    "SharePreviewRead",
    "ShareRead",
    "TokenIn",
    "WithheldRead",
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


class LoginIn(_In):
    username: str = Field(min_length=1, max_length=64)
    password: SecretStr = Field(min_length=1, max_length=1024)


class TokenIn(_In):
    name: str = Field(min_length=1, max_length=100)


class FalsePositiveIn(_In):
    reason: str = Field(min_length=1, max_length=2000)


_Selection = Field(min_length=1, max_length=MAX_SELECTION)


class AlertsFalsePositiveIn(_In):
    alert_ids: list[str] = _Selection
    reason: str = Field(min_length=1, max_length=2000)


class AlertsAssignIn(_In):
    alert_ids: list[str] = _Selection
    assignee: str | None = Field(default=None, max_length=64, description="null: unassign")


class AlertsLinkIn(_In):
    alert_ids: list[str] = _Selection


class AlertsEscalateIn(_In):
    alert_ids: list[str] = _Selection
    incident_id: str | None = Field(default=None, description="null: open a new incident")


class ProgressIn(_In):
    text: str = Field(min_length=1, max_length=20_000)


class ContainedIn(_In):
    note: str = Field(default="", max_length=5_000)


class DeadlineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    title_zh: str
    title_en: str
    due_at: datetime | None
    done_at: datetime | None
    status: DeadlineStatus
    basis: str


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


class IncidentCreate(_In):
    organization_id: str
    title: str = Field(min_length=1, max_length=300)
    aware_at: AwareDatetime
    occurred_at: AwareDatetime | None = None
    description: str = Field(default="", max_length=20_000)
    affected_assets: list[str] = Field(default_factory=list, max_length=500)


class NotificationIn(_In):
    answers: LevelAnswers
    description: str = Field(min_length=1, max_length=20_000)
    response_measures: str = Field(min_length=1, max_length=20_000)
    outside_support_needed: bool
    outside_support_detail: str = Field(default="", max_length=5_000)
    other_matters: str = Field(default="", max_length=5_000)
    aware_at: AwareDatetime | None = None
    fallback_channel_reason: str | None = Field(default=None, max_length=2_000)
    category: IncidentCategory | None = None
    iocs: list[IoC] = Field(default_factory=list, max_length=1_000)

    @field_validator("iocs")
    @classmethod
    def _each_ioc_fits_its_type(cls, iocs: list[IoC]) -> list[IoC]:
        """Checked before anything is filed, so a bad IoC refuses the whole notification."""
        for ioc in iocs:
            try:
                classify(ioc.value, ioc.type)
            except InputError as exc:
                raise ValueError(exc.message) from None
        return iocs


class ReviewIn(_In):
    level: int | None = Field(default=None, ge=1, le=4)
    note: str = Field(default="", max_length=5_000)


class IocIn(_In):
    type: IoCType | None = None  # recognised from the value when left out
    value: str = Field(min_length=1, max_length=2048)


class ShareIn(_In):
    iocs: list[IocIn] = Field(default_factory=list, max_length=1_000)
    include_incident_iocs: bool = False  # add the IoCs already recorded on the incident
    summary: str = Field(default="", max_length=20_000)
    tlp: Tlp = Tlp.GREEN
    # Without it the answer is the preview; with the preview's digest, it is published.
    confirm: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")


class WithheldRead(BaseModel):
    ioc: IoC
    reason: str


class RemovedRead(BaseModel):
    kind: str
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
    redactions: dict[str, int]
    removed: list[RemovedRead]


class ShareRead(BaseModel):
    bundle_id: str
    collection_id: str
    objects: int
    shared: list[IoC]
    withheld: list[WithheldRead]
    redactions: dict[str, int]
    summary: str

"""The stored incident: what the law asks an incident record to carry."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from core.alerts import Severity
from incidents.levels import LevelAnswers

__all__ = [
    "ChecklistTask",
    "Comment",
    "Contact",
    "Correction",
    "CorrectedField",
    "EvidenceFile",
    "IoC",
    "IoCType",
    "Incident",
    "IncidentCategory",
    "IncidentState",
    "InvestigationReport",
    "LevelChange",
    "Notification",
    "NotificationKind",
    "Reopening",
]


class IncidentState(StrEnum):
    SUSPECTED = "suspected"  # 疑似事件, 待確認: escalated alerts no person confirmed yet
    OPEN = "open"  # confirmed (知悉), not yet notified
    NOTIFIED = "notified"  # the agency filed the notification (通報)
    REVIEWED = "reviewed"  # the superior reviewed the level (審核)
    CONTAINED = "contained"  # damage control or recovery complete (損害控制或復原)
    REPORTED = "reported"  # investigation report submitted (調查、處理及改善報告)
    CLOSED = "closed"
    FALSE_POSITIVE = "false_positive"


class IncidentCategory(StrEnum):
    """Event type, after the categories of the national reporting platform's form
    (網頁攻擊、非法入侵、阻斷服務、設備問題、其他). The list is not in the regulation
    itself [UNCONFIRMED as the designated platform's current list]; adjust it here."""

    WEB_ATTACK = "web_attack"  # 網頁攻擊
    INTRUSION = "intrusion"  # 非法入侵
    DENIAL_OF_SERVICE = "denial_of_service"  # 阻斷服務
    EQUIPMENT = "equipment"  # 設備問題
    OTHER = "other"  # 其他


class IoCType(StrEnum):
    IPV4 = "ipv4"
    IPV6 = "ipv6"
    DOMAIN = "domain"
    URL = "url"
    SHA256 = "sha256"
    SHA1 = "sha1"
    MD5 = "md5"
    EMAIL = "email"
    FILENAME = "filename"


class IoC(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: IoCType
    value: str = Field(min_length=1, max_length=2048)
    note: str | None = None


class NotificationKind(StrEnum):
    INITIAL = "initial"  # 通報
    LEVEL_CHANGE = "level_change"  # 續行通報 on a level change (Art. 6 para. 2)


class Contact(BaseModel):
    """Who filed a notification (通報人) as their profile read when they filed it: the
    document shows the person and how to reach them, not an account id."""

    model_config = ConfigDict(frozen=True)

    username: str
    name: str
    phone: str = ""
    email: str = ""


class Notification(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: NotificationKind
    at: AwareDatetime
    by: str
    level: int
    fallback_channel_reason: str | None = None  # Art. 6 para. 3: why the platform was not used
    filer: Contact | None = None  # None on notifications filed before profiles existed


class LevelChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: AwareDatetime
    by: str
    from_level: int | None
    to_level: int
    reason: str
    answers: LevelAnswers | None = None


class CorrectedField(StrEnum):
    """The recorded times a correction may change (they start or date the clocks)."""

    AWARE_AT = "aware_at"  # 知悉時間: T0 of the statutory clocks
    OCCURRED_AT = "occurred_at"  # 發生時間


class Correction(BaseModel):
    """One change of a recorded time, appended and never replaced: who, when, old → new and
    why. Changes of ``aware_at`` also tell deadlines.py which clocks they may not relax."""

    model_config = ConfigDict(frozen=True)

    at: AwareDatetime
    by: str
    field: CorrectedField
    old: AwareDatetime | None
    new: AwareDatetime
    reason: str = ""


class Reopening(BaseModel):
    """One reopening (重新開啟) of an ended incident: who, when, why, and the ending it
    undid (the state, time and reason it had), which the incident no longer carries."""

    model_config = ConfigDict(frozen=True)

    at: AwareDatetime
    by: str
    reason: str
    from_state: IncidentState
    ended_at: AwareDatetime | None
    ended_reason: str | None


class EvidenceFile(BaseModel):
    """A file attached as evidence. The bytes live outside the web root, named by their
    SHA-256 (incidents.evidence); the record says what they are and who brought them."""

    model_config = ConfigDict(frozen=True)

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    filename: str
    kind: str  # the recognised type (pdf, png, text, ...), not the uploader's claim
    media_type: str
    size: int
    uploaded_at: AwareDatetime
    uploaded_by: str
    note: str = ""


class Comment(BaseModel):
    """A comment on the case, and so every response-progress update (應變處置進度): the
    one kind of note. ``mentions`` are the accounts named as ``@username`` in the text,
    checked when it was written (incidents.casework), for the message layer to tell."""

    model_config = ConfigDict(frozen=True)

    at: AwareDatetime
    by: str
    text: str
    mentions: list[str] = Field(default_factory=list)


class ChecklistTask(BaseModel):
    """One task of the incident's checklist (incidents/checklists/<category>.yaml), with
    who ticked it off and when; None while it is open."""

    model_config = ConfigDict(frozen=True)

    id: str
    title_zh: str
    title_en: str
    done_at: AwareDatetime | None = None
    done_by: str | None = None


class Incident(BaseModel):
    """One incident. ``version`` comes from the store and guards concurrent updates."""

    model_config = ConfigDict(extra="forbid")

    id: str
    organization_id: str
    title: str
    # 事件名稱 as the reporter filed it on the notification (the title is often a rule's)
    event_name: str = ""
    description: str = ""
    state: IncidentState = IncidentState.OPEN
    level: int | None = Field(default=None, ge=1, le=4)
    category: IncidentCategory | None = None
    level_answers: LevelAnswers | None = None
    level_reasons: list[str] = Field(default_factory=list)
    level_history: list[LevelChange] = Field(default_factory=list)
    occurred_at: AwareDatetime | None = None
    # 知悉 (T0 of the statutory clocks). None while the incident is a suspected case: no
    # person knows of an incident yet, so no clock runs (regulations.md §3).
    aware_at: AwareDatetime | None = None
    suspected_at: AwareDatetime | None = None  # when triage escalated the alerts
    confirmed_at: AwareDatetime | None = None  # when a person confirmed the suspected case
    confirmed_by: str | None = None
    awareness_reason: str | None = None  # why awareness predates the confirmation
    severity: Severity | None = None  # the escalated alerts' highest: sets the triage target
    notifications: list[Notification] = Field(default_factory=list)
    reviewed_at: AwareDatetime | None = None
    review_note: str | None = None
    forwarded_at: AwareDatetime | None = None
    # Who the review result went to and the platform's reference number or receipt: the
    # proof that the forward clock (審核結果送主管機關) was met.
    forwarded_to: str | None = None
    forward_reference: str | None = None
    contained_at: AwareDatetime | None = None
    report_submitted_at: AwareDatetime | None = None
    report_extended_to: AwareDatetime | None = None
    investigation: "InvestigationReport | None" = None
    closed_at: AwareDatetime | None = None
    close_reason: str | None = None
    response_measures: str = ""
    outside_support_needed: bool | None = None
    outside_support_detail: str = ""
    other_matters: str = ""
    affected_assets: list[str] = Field(default_factory=list)
    iocs: list[IoC] = Field(default_factory=list)
    alert_ids: list[str] = Field(default_factory=list)
    alert_group_keys: list[str] = Field(default_factory=list)
    alert_count: int = 0
    evidence: list[EvidenceFile] = Field(default_factory=list)
    comments: list[Comment] = Field(default_factory=list)
    corrections: list[Correction] = Field(default_factory=list)
    reopenings: list[Reopening] = Field(default_factory=list)
    # Case work (issue 14 item 5): who owns the case, who follows it, its checklist.
    assignee: str | None = None
    watchers: list[str] = Field(default_factory=list)
    tasks: list[ChecklistTask] = Field(default_factory=list)
    # Duplicates (incidents.merging): the case this one was merged into (it then ends
    # closed), and the cases merged into this one.
    merged_into: str | None = None
    merged_from: list[str] = Field(default_factory=list)
    created_at: AwareDatetime
    created_by: str
    updated_at: AwareDatetime
    version: int = Field(default=0, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _progress_notes_are_comments(cls, data: Any) -> Any:
        """Stores written before comments hold the notes as ``progress``: read them as
        comments (the next save writes them under the new name)."""
        if isinstance(data, dict) and "progress" in data:
            data = dict(data)
            notes = data.pop("progress") or []
            data["comments"] = [*notes, *(data.get("comments") or [])]
        return data

    @property
    def notified_at(self) -> datetime | None:
        return self.notifications[0].at if self.notifications else None

    @property
    def highest_level(self) -> int | None:
        levels = [c.to_level for c in self.level_history]
        return max(levels) if levels else self.level


class InvestigationReport(BaseModel):
    """調查、處理及改善報告: the items of Enforcement Rules Art. 8 (2021 numbering).

    Item 1 (the times of occurrence/awareness and of completed recovery) comes from the
    incident itself.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    scope_and_damage: str = ""  # 2. 事件影響範圍及損害評估
    containment_process: str = ""  # 3. 損害控制及復原作業之歷程
    investigation_process: str = ""  # 4. 事件調查及處理作業之歷程
    root_cause: str = ""  # 5. 事件根因分析
    preventive_measures: str = (
        ""  # 6. 為防範類似事件再次發生所採取之管理、技術、人力或資源等層面之措施
    )
    schedule_and_tracking: str = ""  # 7. 前款措施之預定完成時程及成效追蹤機制

    def missing(self) -> list[str]:
        return [name for name, value in self.model_dump().items() if not str(value).strip()]


Incident.model_rebuild()

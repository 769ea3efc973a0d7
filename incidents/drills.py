"""Drills (演練): records, the municipal obligations, and their result-report clock.

regulations.md §5 (2021 Art. 8; frequencies kept configurable because the 2026 article is
unconfirmed): a social-engineering drill every six months and an incident notification and
response drill once a year, for the city, its subordinate agencies and the Heping District
Office; the result report is due within one month after each drill is completed.
"""

import math
import secrets
from datetime import date, datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, NonNegativeInt, computed_field

from core import audit
from core.access import Action, Actor, not_found, require, require_visible
from core.agencies import AgencyRegistry, AgencyType
from core.clock import TAIPEI, Clock
from core.errors import InputError, NotFoundError
from core.storage.base import Store
from incidents.deadlines import DeadlineStatus, add_calendar_month

__all__ = [
    "Drill",
    "DrillKind",
    "DrillObligation",
    "drill_obligations",
    "get_drill",
    "list_drills",
    "record_drill",
    "submit_drill_report",
]

# Months between required drills of each kind; configurable here, cited in the docstring.
FREQUENCY_MONTHS = {"social_engineering": 6, "notification_response": 12}


class DrillKind(StrEnum):
    SOCIAL_ENGINEERING = "social_engineering"  # 社交工程演練
    NOTIFICATION_RESPONSE = "notification_response"  # 資通安全事件通報及應變演練


class Drill(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    organization_id: str
    kind: DrillKind
    held_on: date
    completed_at: AwareDatetime
    participants: NonNegativeInt
    opened: NonNegativeInt | None = None  # social engineering: opened the mail
    clicked: NonNegativeInt | None = None  # social engineering: clicked the link
    scenario: str = ""
    findings: str = ""
    result_report_submitted_at: AwareDatetime | None = None
    recorded_by: str
    recorded_at: AwareDatetime

    @property
    def report_due_at(self) -> datetime:
        return add_calendar_month(self.completed_at)

    @property
    def report_status(self) -> DeadlineStatus:
        return _status(self.report_due_at, self.result_report_submitted_at, None)

    @property
    def open_rate(self) -> float | None:
        return (
            self.opened / self.participants
            if self.opened is not None and self.participants
            else None
        )

    @property
    def click_rate(self) -> float | None:
        return (
            self.clicked / self.participants
            if self.clicked is not None and self.participants
            else None
        )


def _status(due: datetime, done: datetime | None, now: datetime | None) -> DeadlineStatus:
    if done is not None:
        return DeadlineStatus.MET if done <= due else DeadlineStatus.MISSED
    if now is not None and now > due:
        return DeadlineStatus.OVERDUE
    return DeadlineStatus.PENDING


def record_drill(
    *,
    store: Store,
    actor: Actor,
    registry: AgencyRegistry,
    organization_id: str,
    kind: DrillKind,
    held_on: date,
    completed_at: datetime,
    participants: int,
    clock: Clock,
    opened: int | None = None,
    clicked: int | None = None,
    scenario: str = "",
    findings: str = "",
) -> Drill:
    """Raises InputError for counts that cannot be, ForbiddenError / NotFoundError on access."""
    require_visible(actor, organization_id, "agency")  # before the registry: same answer
    registry.get(organization_id)
    require(actor, Action.RECORD_DRILL, organization_id, "agency")
    if kind is DrillKind.SOCIAL_ENGINEERING:
        if opened is None or clicked is None:
            raise InputError(
                "a social-engineering drill needs how many opened and clicked", location="opened"
            )
        if opened > participants or clicked > participants:
            raise InputError(
                f"opened ({opened}) and clicked ({clicked}) cannot exceed the "
                f"{participants} participants",
                location="clicked",
            )
    if completed_at.astimezone(TAIPEI).date() < held_on:
        raise InputError(
            "the drill cannot be completed before it was held", location="completed_at"
        )
    now = clock.now()
    drill = Drill(
        id=f"DRL-{held_on:%Y%m%d}-{secrets.token_hex(3).upper()}",
        organization_id=organization_id,
        kind=kind,
        held_on=held_on,
        completed_at=completed_at,
        participants=participants,
        opened=opened,
        clicked=clicked,
        scenario=scenario,
        findings=findings,
        recorded_by=actor.label,
        recorded_at=now,
    )
    store.drills.put(drill.id, organization_id, drill.model_dump_json())
    audit.record(
        store,
        actor=actor,
        action="drill.record",
        subject=drill.id,
        at=now,
        detail={"agency": organization_id, "kind": kind.value},
    )
    return drill


def get_drill(*, store: Store, actor: Actor, drill_id: str) -> Drill:
    try:
        drill = Drill.model_validate_json(store.drills.get(drill_id))
    except NotFoundError:
        raise not_found("drill") from None
    require(actor, Action.VIEW, drill.organization_id, "drill")
    return drill


def submit_drill_report(*, store: Store, actor: Actor, drill_id: str, clock: Clock) -> Drill:
    drill = get_drill(store=store, actor=actor, drill_id=drill_id)
    require(actor, Action.RECORD_DRILL, drill.organization_id, "drill")
    if drill.result_report_submitted_at is not None:
        raise InputError(f"the result report of {drill_id} was already submitted", location="drill")
    now = clock.now()
    drill.result_report_submitted_at = now
    store.drills.put(drill.id, drill.organization_id, drill.model_dump_json())
    audit.record(store, actor=actor, action="drill.report", subject=drill.id, at=now)
    return drill


def list_drills(*, store: Store, actor: Actor, agency: str | None = None) -> list[Drill]:
    scope = actor.scope.agencies([agency] if agency else None)
    return [Drill.model_validate_json(d) for d in store.drills.list(organization_ids=scope)]


class DrillObligation(BaseModel):
    """One agency's obligation for one kind of drill over a period."""

    model_config = ConfigDict(frozen=True)

    organization_id: str
    kind: DrillKind
    required: int
    held: int
    reports_met: int
    reports_missed: int
    reports_overdue: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def met(self) -> bool:
        return self.held >= self.required and not self.reports_missed and not self.reports_overdue


def _months(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def drill_obligations(
    drills: list[Drill],
    *,
    registry: AgencyRegistry,
    agencies: list[str],
    start: date,
    end: date,
    now: datetime,
) -> list[DrillObligation]:
    """For each agency and drill kind: required vs held in the period, and report timeliness."""
    months = _months(start, end)
    out = []
    for code in agencies:
        if registry.get(code).agency_type is AgencyType.INTERNAL:
            continue
        for kind in DrillKind:
            held = [
                d
                for d in drills
                if d.organization_id == code and d.kind is kind and start <= d.held_on <= end
            ]
            statuses = [_status(d.report_due_at, d.result_report_submitted_at, now) for d in held]
            out.append(
                DrillObligation(
                    organization_id=code,
                    kind=kind,
                    required=math.ceil(months / FREQUENCY_MONTHS[kind.value]),
                    held=len(held),
                    reports_met=statuses.count(DeadlineStatus.MET),
                    reports_missed=statuses.count(DeadlineStatus.MISSED),
                    reports_overdue=statuses.count(DeadlineStatus.OVERDUE),
                )
            )
    return out

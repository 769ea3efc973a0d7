"""Incidents: list, open and read them, and each step of the statutory workflow (confirm a
suspected case, notify, change the level, review it, forward the review, progress,
contained, the investigation report, close or dismiss, reopen, linked alerts).
``STEP_ROUTES`` says which route takes each step."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.board_filters import board_query
from api.deps import ActorDep, Soc
from api.filters import Offset
from api.presenters import incident_read
from api.schemas import (
    CloseCreate,
    ConfirmCreate,
    ContainmentUpdate,
    DismissCreate,
    ForwardCreate,
    IncidentAlertsUpdate,
    IncidentCreate,
    IncidentPage,
    IncidentRead,
    LevelChangeCreate,
    NotificationCreate,
    ProgressCreate,
    ReopenCreate,
    ReportUpdate,
    ReviewCreate,
)
from incidents import awareness, casework, closing, notification, service, triage
from incidents.board import BoardQuery, board
from incidents.workflow import Step

__all__ = ["STEP_ROUTES", "router"]

router = APIRouter()
_ONE = "/api/v1/incidents/{incident_id}"
# The route (POST) that takes each workflow step; a test checks every Step has a served one.
STEP_ROUTES: dict[Step, str] = {
    Step.CONFIRM: f"{_ONE}/confirm",
    Step.NOTIFY: f"{_ONE}/notifications",
    Step.CHANGE_LEVEL: f"{_ONE}/level",
    Step.REVIEW: f"{_ONE}/review",
    Step.FORWARD: f"{_ONE}/forward",
    Step.CONTAIN: f"{_ONE}/contained",
    Step.REPORT: f"{_ONE}/report",
    Step.CLOSE: f"{_ONE}/close",
    Step.DISMISS: f"{_ONE}/dismiss",
    Step.REOPEN: f"{_ONE}/reopen",
    Step.EDIT: f"{_ONE}/progress",  # the everyday edit; IoCs, evidence and alerts have theirs
}


@router.get("/api/v1/incidents", response_model=IncidentPage)
def incidents(
    who: ActorDep,
    soc: Soc,
    query: Annotated[BoardQuery, Depends(board_query)],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> IncidentPage:
    """The board's list: filters (state, level, agency, assignee or "mine", overdue, text
    in id/title) and order (newest, awareness, level, deadline) as on the board page."""
    total, rows = board(
        soc.store,
        actor=who,
        query=query,
        now=soc.clock.now(),
        triage_targets=soc.settings.triage_target_minutes,
        limit=limit,
        offset=offset,
    )
    items = [incident_read(soc, r.incident) for r in rows]
    return IncidentPage(limit=limit, offset=offset, items=items, total=total)


@router.post("/api/v1/incidents", response_model=IncidentRead, status_code=201)
def create_incident(body: IncidentCreate, who: ActorDep, soc: Soc) -> IncidentRead:
    soc.registry.get(body.organization_id)
    return incident_read(
        soc,
        service.open_incident(
            store=soc.store,
            actor=who,
            organization_id=body.organization_id,
            title=body.title,
            aware_at=body.aware_at,
            occurred_at=body.occurred_at,
            description=body.description,
            affected_assets=body.affected_assets,
            clock=soc.clock,
        ),
    )


@router.get("/api/v1/incidents/{incident_id}", response_model=IncidentRead)
def incident(incident_id: str, who: ActorDep, soc: Soc) -> IncidentRead:
    return incident_read(
        soc, service.get_incident(store=soc.store, actor=who, incident_id=incident_id)
    )


@router.post(STEP_ROUTES[Step.CONFIRM], response_model=IncidentRead)
def confirm(incident_id: str, body: ConfirmCreate, who: ActorDep, soc: Soc) -> IncidentRead:
    """Confirm a suspected case as an incident (確認為資安事件): awareness starts the clocks."""
    return incident_read(
        soc,
        awareness.confirm(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            aware_at=body.aware_at,
            reason=body.reason,
            clock=soc.clock,
        ),
    )


@router.post(STEP_ROUTES[Step.NOTIFY], response_model=IncidentRead)
def notify(incident_id: str, body: NotificationCreate, who: ActorDep, soc: Soc) -> IncidentRead:
    updated = notification.file_notification(
        store=soc.store,
        actor=who,
        incident_id=incident_id,
        answers=body.answers,
        description=body.description,
        response_measures=body.response_measures,
        outside_support_needed=body.outside_support_needed,
        outside_support_detail=body.outside_support_detail,
        other_matters=body.other_matters,
        aware_at=body.aware_at,
        fallback_channel_reason=body.fallback_channel_reason,
        category=body.category,
        event_name=body.event_name,
        iocs=[i.ioc() for i in body.iocs],
        clock=soc.clock,
    )
    return incident_read(soc, updated)


@router.post(STEP_ROUTES[Step.REVIEW], response_model=IncidentRead)
def review(incident_id: str, body: ReviewCreate, who: ActorDep, soc: Soc) -> IncidentRead:
    return incident_read(
        soc,
        notification.review_level(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            level=body.level,
            note=body.note,
            clock=soc.clock,
        ),
    )


@router.post(STEP_ROUTES[Step.EDIT], response_model=IncidentRead)
def progress(incident_id: str, body: ProgressCreate, who: ActorDep, soc: Soc) -> IncidentRead:
    """Add a comment: response progress (應變處置進度); ``@username`` mentions a person who
    may see the incident (they become watchers)."""
    return incident_read(
        soc,
        casework.add_comment(
            store=soc.store, actor=who, incident_id=incident_id, text=body.text, clock=soc.clock
        ),
    )


@router.post(STEP_ROUTES[Step.CONTAIN], response_model=IncidentRead)
def contained(incident_id: str, body: ContainmentUpdate, who: ActorDep, soc: Soc) -> IncidentRead:
    """Damage control or recovery is complete (損害控制或復原作業完成): stops that clock."""
    return incident_read(
        soc,
        closing.mark_contained(
            store=soc.store, actor=who, incident_id=incident_id, note=body.note, clock=soc.clock
        ),
    )


@router.post(STEP_ROUTES[Step.REPORT], response_model=IncidentRead)
def investigation_report(
    incident_id: str, body: ReportUpdate, who: ActorDep, soc: Soc
) -> IncidentRead:
    """Submit the investigation, handling and improvement report (調查、處理及改善報告)."""
    return incident_read(
        soc,
        closing.submit_report(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            report=body.report(),
            clock=soc.clock,
        ),
    )


@router.post(STEP_ROUTES[Step.CHANGE_LEVEL], response_model=IncidentRead)
def change_level(
    incident_id: str, body: LevelChangeCreate, who: ActorDep, soc: Soc
) -> IncidentRead:
    """Re-assess the level from new answers (續行通報); a different level is notified again."""
    return incident_read(
        soc,
        notification.change_level(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            answers=body.answers,
            reason=body.reason,
            clock=soc.clock,
        ),
    )


@router.post(STEP_ROUTES[Step.FORWARD], response_model=IncidentRead)
def forward(incident_id: str, body: ForwardCreate, who: ActorDep, soc: Soc) -> IncidentRead:
    """The review result was sent to the competent authority (審核結果送主管機關)."""
    return incident_read(
        soc,
        notification.record_forwarded(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            to=body.to,
            reference=body.reference,
            at=body.at,
            clock=soc.clock,
        ),
    )


@router.post(STEP_ROUTES[Step.CLOSE], response_model=IncidentRead)
def close(incident_id: str, body: CloseCreate, who: ActorDep, soc: Soc) -> IncidentRead:
    """Close the incident; refused until its investigation report is submitted."""
    return incident_read(
        soc,
        closing.close_incident(
            store=soc.store, actor=who, incident_id=incident_id, reason=body.reason, clock=soc.clock
        ),
    )


@router.post(STEP_ROUTES[Step.DISMISS], response_model=IncidentRead)
def dismiss(incident_id: str, body: DismissCreate, who: ActorDep, soc: Soc) -> IncidentRead:
    """A suspected case (or an incident never notified) that is not an incident: a false
    positive. Its alerts are marked so."""
    return incident_read(
        soc,
        closing.dismiss(
            store=soc.store, actor=who, incident_id=incident_id, reason=body.reason, clock=soc.clock
        ),
    )


@router.post(STEP_ROUTES[Step.REOPEN], response_model=IncidentRead)
def reopen(incident_id: str, body: ReopenCreate, who: ActorDep, soc: Soc) -> IncidentRead:
    """Reopen a closed incident or a dismissed case (重新開啟), with the reason: it returns
    to its furthest milestone (a dismissed suspected case is suspected again)."""
    return incident_read(
        soc,
        closing.reopen(
            store=soc.store, actor=who, incident_id=incident_id, reason=body.reason, clock=soc.clock
        ),
    )


@router.post("/api/v1/incidents/{incident_id}/alerts", response_model=IncidentRead)
def link_alerts(
    incident_id: str, body: IncidentAlertsUpdate, who: ActorDep, soc: Soc
) -> IncidentRead:
    """Link alerts (of the incident's agency) to the incident."""
    return incident_read(
        soc,
        triage.escalate_alerts(
            store=soc.store,
            actor=who,
            alert_ids=body.alert_ids,
            registry=soc.registry,
            incident_id=incident_id,
            clock=soc.clock,
        ),
    )

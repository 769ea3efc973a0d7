"""The alert queue and what analysts do with alerts: assign, mark false positive, escalate
(alone or by group), and open the event an alert matched. The queue streams as CSV too."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response, StreamingResponse

from api.deps import ActorDep, LangDep, Soc
from api.filters import Offset, alert_query
from api.presenters import EventView, incident_read
from api.schemas import (
    AlertGroupRead,
    AlertPage,
    AlertsAssignmentUpdate,
    AlertsEscalationCreate,
    AlertsFalsePositiveUpdate,
    GroupFalsePositiveUpdate,
    IncidentRead,
)
from core.alerts import AlertQuery
from core.clock import TAIPEI
from incidents import triage
from reports import listings
from reports.render import MEDIA_TYPES

__all__ = ["router"]

router = APIRouter()


def _csv(who: ActorDep, soc: Soc, lang: LangDep, query: AlertQuery) -> StreamingResponse:
    """The filtered queue as CSV, streamed page by page; refusals (access, too many rows)
    come before the first byte, as an ordinary error answer."""
    chunks = listings.stream_alerts_csv(
        soc.store, actor=who, query=query, registry=soc.registry, lang=lang
    )
    day = soc.clock.now().astimezone(TAIPEI).date()
    return StreamingResponse(
        chunks,
        media_type=MEDIA_TYPES["csv"],
        headers={"Content-Disposition": f'attachment; filename="alerts-{day}.csv"'},
    )


@router.get("/api/v1/alerts", response_model=AlertPage)
def alerts(
    who: ActorDep,
    soc: Soc,
    lang: LangDep,
    query: Annotated[AlertQuery, Depends(alert_query)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
    format: Literal["json", "csv"] = "json",  # noqa: A002 - the query parameter's name
) -> AlertPage | Response:
    """The alert queue: filter by agency, status, severity, rule and host (part of the
    rule's id or title, or of the host name, in any case), assignee and the matched event's
    time (``since`` inclusive, ``until`` exclusive), newest first. ``format=csv`` streams
    every matching alert as ``export.csv`` does (``limit`` and ``offset`` aside)."""
    if format == "csv":
        return _csv(who, soc, lang, query)
    total, items = triage.alert_queue(soc.store, actor=who, query=query, limit=limit, offset=offset)
    return AlertPage(total=total, limit=limit, offset=offset, items=items)


@router.get("/api/v1/alerts/export.csv", response_class=StreamingResponse)
def alerts_csv(
    who: ActorDep,
    soc: Soc,
    lang: LangDep,
    query: Annotated[AlertQuery, Depends(alert_query)],
) -> StreamingResponse:
    """Every alert the queue's filters find, newest first, as CSV (UTF-8 with a BOM,
    headers in the caller's language, times in Taipei), streamed as it is read."""
    return _csv(who, soc, lang, query)


@router.post("/api/v1/alerts/assign")
def assign_alerts(body: AlertsAssignmentUpdate, who: ActorDep, soc: Soc) -> dict[str, int]:
    changed = triage.assign_alerts(
        store=soc.store,
        actor=who,
        alert_ids=body.alert_ids,
        assignee=body.assignee,
        clock=soc.clock,
    )
    return {"alerts": changed}


@router.post("/api/v1/alerts/false-positive")
def suppress_alerts(body: AlertsFalsePositiveUpdate, who: ActorDep, soc: Soc) -> dict[str, int]:
    changed = triage.suppress_alerts(
        store=soc.store,
        actor=who,
        alert_ids=body.alert_ids,
        reason=body.reason,
        clock=soc.clock,
    )
    return {"alerts": changed}


@router.post("/api/v1/alerts/escalate", response_model=IncidentRead)
def escalate_alerts(body: AlertsEscalationCreate, who: ActorDep, soc: Soc) -> IncidentRead:
    return incident_read(
        soc,
        triage.escalate_alerts(
            store=soc.store,
            actor=who,
            alert_ids=body.alert_ids,
            registry=soc.registry,
            incident_id=body.incident_id,
            clock=soc.clock,
        ),
    )


@router.get("/api/v1/events/{event_id}")
def event(event_id: str, who: ActorDep, soc: Soc) -> dict[str, object]:
    """One stored event (an alert's ``event.event_id``): the original record, verbatim,
    and its normalized ECS fields."""
    return EventView(triage.event_for(soc.store, actor=who, event_id=event_id)).as_json()


@router.get("/api/v1/alert-groups", response_model=list[AlertGroupRead])
def alert_groups(who: ActorDep, soc: Soc) -> list[AlertGroupRead]:
    return [AlertGroupRead.model_validate(g) for g in triage.list_groups(soc.store, actor=who)]


@router.post("/api/v1/alert-groups/{key}/escalate", response_model=IncidentRead)
def escalate(key: str, who: ActorDep, soc: Soc) -> IncidentRead:
    return incident_read(
        soc,
        triage.escalate_group(
            store=soc.store, actor=who, group_key=key, registry=soc.registry, clock=soc.clock
        ),
    )


@router.post("/api/v1/alert-groups/{key}/false-positive")
def false_positive(
    key: str, body: GroupFalsePositiveUpdate, who: ActorDep, soc: Soc
) -> dict[str, int]:
    changed = triage.mark_false_positive(
        store=soc.store, actor=who, group_key=key, reason=body.reason, clock=soc.clock
    )
    return {"alerts": changed}

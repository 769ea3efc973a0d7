"""One stored event: its original record, its normalized fields, and the alerts raised on
it, each leading to its rule's alerts in the queue and to the incident it belongs to."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import Soc
from api.pages.deps import Session
from api.pages.rendering import agency_name, page
from api.presenters import EventView
from api.sessions import lang_of
from core.alerts import AlertQuery
from incidents import triage

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
EVENT_ALERTS = 100  # alerts listed for one event: one per rule that matched it, in practice


@router.get("/events/{event_id}")
def event_page(event_id: str, request: Request, soc: Soc, session: Session) -> Response:
    found = triage.event_for(soc.store, actor=session.who, event_id=event_id)
    query = AlertQuery(event_id=found.event_id, newest_first=True)
    _, alerts = triage.alert_queue(
        soc.store, actor=session.who, query=query, limit=EVENT_ALERTS, offset=0
    )
    return page(
        request,
        "event.html.j2",
        who=session.who,
        csrf=session.csrf,
        e=found,
        agency=agency_name(soc, found.organization_id, lang_of(request)),
        fields=EventView(found).sorted_fields,
        alerts=alerts,
    )

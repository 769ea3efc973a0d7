"""One stored event: its original record and its normalized fields."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import Soc
from api.pages.deps import Session
from api.pages.rendering import agency_name, page
from api.presenters import EventView
from api.sessions import lang_of
from incidents import triage

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/events/{event_id}")
def event_page(event_id: str, request: Request, soc: Soc, session: Session) -> Response:
    found = triage.event_for(soc.store, actor=session.who, event_id=event_id)
    return page(
        request,
        "event.html.j2",
        who=session.who,
        csrf=session.csrf,
        e=found,
        agency=agency_name(soc, found.organization_id, lang_of(request)),
        fields=EventView(found).sorted_fields,
    )

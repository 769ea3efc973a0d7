"""The incident board: the incidents the visitor may see, newest first, each with its next
statutory clock, or for a suspected case its internal triage target."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import Soc
from api.filters import Offset
from api.pages.deps import Session
from api.pages.rendering import page
from api.presenters import incident_clocks
from incidents import service

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
BOARD_PAGE = 100  # incidents per page of the board (newest first)


@router.get("/")
def board(request: Request, soc: Soc, session: Session, offset: Offset = 0) -> Response:
    now = soc.clock.now()
    rows = []
    found = service.list_incidents(
        store=soc.store, actor=session.who, limit=BOARD_PAGE + 1, offset=offset
    )
    for incident in found[:BOARD_PAGE]:
        clocks = incident_clocks(incident, now=now)
        target = service.triage_target(incident, targets=soc.settings.triage_target_minutes)
        rows.append(
            {
                "i": incident,
                "next": clocks.next,
                "overdue": clocks.overdue,
                "triage_due": target,
                "triage_late": target is not None and target < now,
            }
        )
    return page(
        request,
        "board.html.j2",
        who=session.who,
        csrf=session.csrf,
        rows=rows,
        agencies=soc.registry,
        offset=offset,
        limit=BOARD_PAGE,
        more=len(found) > BOARD_PAGE,
    )

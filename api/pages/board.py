"""The incident board: the incidents the visitor may see, each with its next statutory
clock, or for a suspected case its internal triage target; filtered, searched and sorted
(``incidents.board``), the choices kept in the URL, a page at a time."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.board_filters import BOARD_FILTER_KEYS, board_query
from api.deps import Soc
from api.filters import Offset
from api.pages.deps import Session
from api.pages.rendering import page
from incidents.board import MINE, BoardQuery, BoardSort, board
from incidents.models import IncidentState

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
BOARD_PAGE = 100  # incidents per page of the board


@router.get("/")
def board_page(
    request: Request,
    soc: Soc,
    session: Session,
    query: Annotated[BoardQuery, Depends(board_query)],
    offset: Offset = 0,
) -> Response:
    who = session.who
    total, rows = board(
        soc.store,
        actor=who,
        query=query,
        now=soc.clock.now(),
        triage_targets=soc.settings.triage_target_minutes,
        limit=BOARD_PAGE,
        offset=offset,
    )
    filters = {k: v for k, v in request.query_params.items() if k in BOARD_FILTER_KEYS and v}
    return page(
        request,
        "board.html.j2",
        who=who,
        csrf=session.csrf,
        rows=rows,
        q=query,
        mine=MINE,
        agencies=soc.registry,
        agency_choices=list(soc.registry) if who.scope.citywide else [],
        states=list(IncidentState),
        sorts=list(BoardSort),
        filtered=bool(filters.keys() - {"sort"}),
        total=total,
        offset=offset,
        limit=BOARD_PAGE,
        base="/" + (f"?{urlencode(filters)}" if filters else ""),
    )

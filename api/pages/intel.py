"""Threat intelligence received from partners: per-partner overview, recent hits and the
watched indicators."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import Soc
from api.filters import Offset
from api.pages.deps import Session
from api.pages.rendering import page
from incidents.sharing import intel

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
INDICATORS_PAGE = 100


@router.get("/intel")
def intel_page(request: Request, soc: Soc, session: Session, offset: Offset = 0) -> Response:
    now = soc.clock.now()
    rows, indicators = intel.overview(
        store=soc.store, partners=soc.partners, actor=session.who, now=now
    )
    limit = INDICATORS_PAGE
    offset = max(0, offset)
    return page(
        request,
        "intel.html.j2",
        who=session.who,
        csrf=session.csrf,
        rows=rows,
        max_hits=max([r.hits for r in rows] + [1]),
        hits=intel.recent_hits(soc.store, limit=20),
        indicators=indicators[offset : offset + limit],
        total=len(indicators),
        offset=offset,
        limit=limit,
        now=now,
    )

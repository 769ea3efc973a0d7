"""Threat intelligence received from partners: per-partner overview (collections granted,
last pull), recent hits and the watched indicators, filtered by partner and text and paged
(issue 16 item 7)."""

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import Soc
from api.filters import Offset, Text
from api.pages.deps import Session
from api.pages.rendering import page
from incidents.sharing import intel
from incidents.sharing.watchlist import WatchedIndicator

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
INDICATORS_PAGE = 100


@router.get("/intel")
def intel_page(
    request: Request,
    soc: Soc,
    session: Session,
    offset: Offset = 0,
    partner: Text = None,
    q: Text = None,
) -> Response:
    now = soc.clock.now()
    rows, indicators = intel.overview(
        store=soc.store, partners=soc.partners, actor=session.who, now=now
    )
    limit = INDICATORS_PAGE
    offset = max(0, offset)
    indicators = [w for w in indicators if _matches(w, partner, q)]
    filters = {k: v for k, v in (("partner", partner), ("q", q)) if v}
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
        partner=partner or "",
        q=q or "",
        base="/intel" + (f"?{urlencode(filters)}" if filters else ""),
    )


def _matches(indicator: WatchedIndicator, partner: str | None, text: str | None) -> bool:
    """The partner's (exactly) and holding the text (any case) in its pattern, name or an
    indicator's value."""
    if partner and indicator.partner != partner:
        return False
    if not text:
        return True
    said = [indicator.pattern, indicator.name, *(i.value for i in indicator.iocs)]
    return any(text.casefold() in s.casefold() for s in said)

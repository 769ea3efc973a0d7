"""The source health page (/sources): every source the visitor may see, silent ones first
or sorted by a column, each with its day as a sparkline (core.source_health)."""

from collections.abc import Callable
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import Soc
from api.filters import Offset, Text
from api.pages.deps import Session
from api.pages.rendering import labels_for, page
from core.source_health import SourceHealth, source_health
from reports.charts import sparkline

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
PAGE = 100  # sources per page

Sort = Literal["silent", "age", "events", "dead", "source"]
_SORTS: dict[str, Callable[[SourceHealth], tuple[object, ...]]] = {
    "silent": lambda h: (not h.silent, -h.age_seconds),
    "age": lambda h: (-h.age_seconds,),
    "events": lambda h: (-h.events,),
    "dead": lambda h: (-(h.dead_letter_rate or 0.0),),
    "source": lambda h: (h.source,),
}


def duration(seconds: float, t: dict[str, str]) -> str:
    """Minutes under two hours, hours under two days, else days, in the page's language."""
    if seconds < 7200:
        return t["sources_minutes"].format(n=round(seconds / 60))
    if seconds < 2 * 86400:
        return t["sources_hours"].format(n=round(seconds / 3600, 1))
    return t["sources_days"].format(n=round(seconds / 86400, 1))


@router.get("/sources")
def sources_page(
    request: Request,
    soc: Soc,
    session: Session,
    agency: Text = None,
    sort: Annotated[Sort, Query()] = "silent",
    offset: Offset = 0,
) -> Response:
    t = labels_for(request)
    rows = source_health(
        soc.store,
        actor=session.who,
        settings=soc.settings,
        clock=soc.clock,
        organization_id=agency,
    )
    rows.sort(key=lambda h: (*_SORTS[sort](h), h.organization_id, h.source))
    shown = rows[offset : offset + PAGE]
    charts = {
        (h.organization_id, h.source): sparkline(
            h.hourly, name=t["sources_day_chart"].format(values=", ".join(map(str, h.hourly)))
        )
        for h in shown
    }
    filters = {"agency": agency} if agency else {}
    return page(
        request,
        "sources.html.j2",
        who=session.who,
        csrf=session.csrf,
        rows=shown,
        total=len(rows),
        offset=offset,
        limit=PAGE,
        base="/sources?" + urlencode({**filters, "sort": sort}),
        charts=charts,
        silent=sum(h.silent for h in rows),
        sort=sort,
        sorts=list(_SORTS),
        sort_link={s: "/sources?" + urlencode({**filters, "sort": s}) for s in _SORTS},
        agency=agency or "",
        agencies=list(soc.registry) if session.who.scope.citywide else [],
        names=soc.registry,
        duration=lambda s: duration(s, t),
    )

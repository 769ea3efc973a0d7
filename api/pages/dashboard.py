"""The compliance dashboard: the compliance report for a period (and agency) as charts,
with its export link."""

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import Soc
from api.filters import Day, Text
from api.pages.deps import Session
from api.pages.rendering import page
from api.sessions import lang_of
from core.clock import TAIPEI
from incidents.deadlines import TITLES
from reports import compliance

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/dashboard")
def dashboard(
    request: Request,
    soc: Soc,
    session: Session,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    agency: Text = None,
) -> Response:
    who = session.who
    now = soc.clock.now()
    today = now.astimezone(TAIPEI).date()
    end = end or today
    start = start or date(end.year, 1, 1)
    if end < start:
        start, end = end, start
    lang = lang_of(request)
    report = compliance.build_compliance(
        store=soc.store,
        anchors=soc.anchors,
        actor=who,
        registry=soc.registry,
        start=start,
        end=end,
        now=now,
        agency=agency,
    )
    query = urlencode({"from": start, "to": end, **({"agency": agency} if agency else {})})
    return page(
        request,
        "dashboard.html.j2",
        who=who,
        csrf=session.csrf,
        r=report,
        charts=compliance.charts(report, lang),
        start=start,
        end=end,
        agency=agency or "",
        agencies=list(soc.registry) if who.scope.citywide else [],
        names=soc.registry,
        clock_names={k: pair[0 if lang == "zh" else 1] for k, pair in TITLES.items()},
        export=f"/api/v1/reports/compliance?{query}&lang={lang}",
    )

"""The ATT&CK view page (/attack): a heat map (a column per tactic, its techniques as cells
shaded by their alerts) and a table per technique, for a period and an agency."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import Soc
from api.filters import Day, Text
from api.pages.deps import Session
from api.pages.rendering import page
from detections.attack_view import MAX_ALERTS, attack_view, taipei_period

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
SHADES = 5  # heat-1 .. heat-5 in citysoc.css


def shade(alerts: int, peak: int) -> int:
    """The cell's shade: 1 for the fewest alerts up to SHADES for the period's peak."""
    return max(1, -(-alerts * SHADES // max(peak, 1)))


@router.get("/attack")
def attack_page(
    request: Request,
    soc: Soc,
    session: Session,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    agency: Text = None,
) -> Response:
    who = session.who
    start, end, since, until = taipei_period(start, end, soc.clock.now())
    view = attack_view(soc.store, actor=who, since=since, until=until, organization_id=agency)
    tactics = view.tactics
    columns = [view.column(t) for t in tactics]
    depth = max((len(c) for c in columns), default=0)
    return page(
        request,
        "attack.html.j2",
        who=who,
        csrf=session.csrf,
        view=view,
        tactics=tactics,
        grid=[[c[n] if n < len(c) else None for c in columns] for n in range(depth)],
        shade=lambda n: shade(n, view.peak),
        max_alerts=MAX_ALERTS,
        start=start,
        end=end,
        agency=agency or "",
        agencies=list(soc.registry) if who.scope.citywide else [],
    )

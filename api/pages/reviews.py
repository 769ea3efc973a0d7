"""The superior's review queue: notified incidents not yet reviewed, the most urgent first."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import Soc
from api.pages.deps import Session
from api.pages.rendering import page
from core.access import Action, allowed, require_right
from incidents import service
from incidents.deadlines import DeadlineKind

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
REVIEW_SCAN = 5000  # incidents read to build the review queue


@router.get("/reviews")
def review_queue(request: Request, soc: Soc, session: Session) -> Response:
    who = session.who
    require_right(
        who,
        Action.READ_REVIEWS,
        "the review queue is the superior agency's (the city SOC's)",
        "reviews",
    )
    now = soc.clock.now()
    waiting = []
    for incident in service.list_incidents(store=soc.store, actor=who, limit=REVIEW_SCAN):
        if not incident.notifications or incident.reviewed_at is not None:
            continue
        due = next(d for d in service.deadlines(incident, now=now) if d.kind is DeadlineKind.REVIEW)
        waiting.append((due.due_at or now, incident, due))
    waiting.sort(key=lambda row: row[0])
    rows = [{"i": i, "due": d, "left": at - now} for at, i, d in waiting]
    return page(
        request,
        "reviews.html.j2",
        who=who,
        csrf=session.csrf,
        rows=rows,
        agencies=soc.registry,
        may_review=Action.REVIEW_LEVEL in allowed(who),
    )

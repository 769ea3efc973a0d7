"""The ATT&CK view over HTTP: a period's alerts and incidents by tactic and technique, of
the agencies the caller may see (detections.attack_view)."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ActorDep, Soc
from api.filters import Day, Text
from detections.attack_view import attack_view, taipei_period

__all__ = ["router"]

router = APIRouter()


@router.get("/api/v1/attack")
def attack(
    who: ActorDep,
    soc: Soc,
    start: Annotated[Day | None, Query(alias="from", description="first day, Taipei")] = None,
    end: Annotated[Day | None, Query(alias="to", description="last day, Taipei")] = None,
    agency: Text = None,
) -> dict[str, object]:
    """Cells (tactic x technique: alerts, incidents) and techniques (name, link to
    attack.mitre.org, tactics, alerts, incidents) of the period; default the last 30 days."""
    _, _, since, until = taipei_period(start, end, soc.clock.now())
    view = attack_view(soc.store, actor=who, since=since, until=until, organization_id=agency)
    return view.as_dict()

"""Drills over the API (issue 16 item 7): record one, submit its result report, and the
drills with each agency's obligations for a year. The same service as `citysoc drills`
(incidents.drills) decides who may: the agency's reporter and the city SOC."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt

from api.context import CitySoc
from api.deps import ActorDep, Soc
from api.filters import Day
from api.schemas import Ident, Instant, Text
from core.access import Actor
from core.clock import TAIPEI
from incidents import drills

__all__ = ["DrillCreate", "DrillId", "Year", "drill_year", "router"]

router = APIRouter()
DrillId = Annotated[str, Path(max_length=64)]
Year = Annotated[int | None, Query(ge=1900, le=9998, description="calendar year")]
MAX_PEOPLE = 10_000_000


class DrillCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agency: Ident
    kind: drills.DrillKind
    held_on: Day
    completed_at: Instant
    participants: NonNegativeInt = Field(le=MAX_PEOPLE)
    opened: NonNegativeInt | None = Field(default=None, le=MAX_PEOPLE)
    clicked: NonNegativeInt | None = Field(default=None, le=MAX_PEOPLE)
    scenario: Text = ""
    findings: Text = ""


def drill_year(
    soc: CitySoc, who: Actor, year: int | None, agency: str | None
) -> tuple[int, list[drills.Drill], list[drills.DrillObligation]]:
    """The year asked (else this one, in Taipei), its drills and each agency's obligations."""
    now = soc.clock.now()
    year = year or now.astimezone(TAIPEI).year
    start, end = date(year, 1, 1), date(year, 12, 31)
    found = drills.list_drills(store=soc.store, actor=who, agency=agency)
    found = sorted((d for d in found if start <= d.held_on <= end), key=lambda d: d.held_on)
    codes = who.scope.agencies([agency] if agency else None)
    agencies = [a.code for a in soc.registry if codes is None or a.code in codes]
    obligations = drills.drill_obligations(
        found, registry=soc.registry, agencies=agencies, start=start, end=end, now=now
    )
    return year, found, obligations


@router.get("/api/v1/drills")
def drills_list(
    who: ActorDep,
    soc: Soc,
    year: Year = None,
    agency: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, object]:
    shown, found, obligations = drill_year(soc, who, year, agency or None)
    return {
        "year": shown,
        "drills": [d.model_dump(mode="json") for d in found],
        "obligations": [o.model_dump(mode="json") for o in obligations],
    }


@router.post("/api/v1/drills", status_code=201)
def drills_record(who: ActorDep, soc: Soc, body: DrillCreate) -> dict[str, object]:
    drill = drills.record_drill(
        store=soc.store,
        actor=who,
        registry=soc.registry,
        organization_id=body.agency,
        kind=body.kind,
        held_on=body.held_on,
        completed_at=body.completed_at,
        participants=body.participants,
        opened=body.opened,
        clicked=body.clicked,
        scenario=body.scenario,
        findings=body.findings,
        clock=soc.clock,
    )
    return drill.model_dump(mode="json")


@router.post("/api/v1/drills/{drill_id}/submit")
def drills_submit(drill_id: DrillId, who: ActorDep, soc: Soc) -> dict[str, object]:
    """The drill's result report was submitted (now); audited."""
    drill = drills.submit_drill_report(
        store=soc.store, actor=who, drill_id=drill_id, clock=soc.clock
    )
    return drill.model_dump(mode="json")

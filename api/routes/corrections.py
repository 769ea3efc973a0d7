"""Corrections of an incident's recorded times (知悉、發生時間): appended, never silent.

The body names the field, the new value and the reason (required once notified); the
service refuses a future time and keeps the clocks a late correction may not relax."""

from fastapi import APIRouter

from api.deps import ActorDep, Soc
from api.presenters import incident_read
from api.schemas import CorrectionCreate, IncidentRead
from incidents import awareness

__all__ = ["router"]

router = APIRouter()


@router.post(
    "/api/v1/incidents/{incident_id}/corrections", response_model=IncidentRead, status_code=201
)
def correct(incident_id: str, body: CorrectionCreate, who: ActorDep, soc: Soc) -> IncidentRead:
    return incident_read(
        soc,
        awareness.correct_time(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            field=body.field,
            value=body.value,
            reason=body.reason,
            clock=soc.clock,
        ),
    )

"""Merging a duplicate case into the one that survives (``incidents.merging``)."""

from fastapi import APIRouter

from api.deps import ActorDep, Soc
from api.presenters import incident_read
from api.schemas import Ident, IncidentRead, Reason, _Input
from incidents import merging

__all__ = ["MergeCreate", "router"]

router = APIRouter()


class MergeCreate(_Input):
    into: Ident  # the surviving incident's id
    reason: Reason


@router.post("/api/v1/incidents/{incident_id}/merge", response_model=IncidentRead)
def merge(incident_id: str, body: MergeCreate, who: ActorDep, soc: Soc) -> IncidentRead:
    """Merge this case (a duplicate) into ``into``, which keeps the earliest awareness,
    every notification, evidence, comment and alert; this case ends closed, pointing at
    it. Only the same agency's cases, only into a case not ended; audited on both."""
    return incident_read(
        soc,
        merging.merge(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            into=body.into,
            reason=body.reason,
            clock=soc.clock,
            evidence_root=soc.settings.evidence_path,
        ),
    )

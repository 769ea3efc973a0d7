"""Source health over HTTP: every source the caller may see (a reporter: their agency's),
silent ones first (core.source_health)."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ActorDep, Soc
from api.filters import Offset, Text
from core.source_health import source_health

__all__ = ["router"]

router = APIRouter()


@router.get("/api/v1/sources")
def sources(
    who: ActorDep,
    soc: Soc,
    agency: Text = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    offset: Offset = 0,
) -> dict[str, object]:
    """Per agency and source (syslog sender, file, host, collector): last event, events per
    hour over the last 24 hours, dead-letter rate, expected interval and whether silent."""
    rows = source_health(
        soc.store, actor=who, settings=soc.settings, clock=soc.clock, organization_id=agency
    )
    return {
        "total": len(rows),
        "silent": sum(h.silent for h in rows),
        "limit": limit,
        "offset": offset,
        "items": [h.as_dict() for h in rows[offset : offset + limit]],
    }

"""Dead letters over the API: the records that could not be parsed (filters, paging), and
reprocessing them with today's parsers (collectors.reprocess). City SOC roles only: the
records belong to every agency and carry none."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ActorDep, Soc
from api.filters import Offset, Text, When
from api.schemas import Instant
from collectors.reprocess import REPROCESS_MAX, reprocess_dead_letters
from core.access import Action, require_right
from core.events import DeadLetter, DeadLetterQuery

__all__ = ["DeadLettersReprocess", "LetterId", "dead_letter_item", "dead_letter_query", "router"]

router = APIRouter()
LetterId = Annotated[int, Field(ge=1, le=2**63 - 1)]  # what every engine's id can hold


def dead_letter_query(
    source: Text = None, since: When = None, until: When = None
) -> DeadLetterQuery:
    """The list's filters: a part of the source (any case), the receive time."""
    return DeadLetterQuery(source=source, since=since, until=until)


Filters = Annotated[DeadLetterQuery, Depends(dead_letter_query)]


def dead_letter_item(d: DeadLetter) -> dict[str, object]:
    return {
        "id": d.id,
        "received_at": d.received_at,
        "source": d.source,
        "position": d.position,
        "reason": d.reason,
        "bytes": len(d.raw),
    }


@router.get("/api/v1/dead-letters")
def dead_letters(
    who: ActorDep,
    soc: Soc,
    query: Filters,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> dict[str, object]:
    # Raw records of every agency: the city SOC and auditors only.
    require_right(
        who,
        Action.READ_DEAD_LETTERS,
        "dead letters hold records of every agency; ask the city SOC",
        "dead-letters",
    )
    items = soc.store.dead_letters.list(limit=limit, offset=offset, query=query)
    return {
        "total": soc.store.dead_letters.count(query),
        "limit": limit,
        "offset": offset,
        "items": [dead_letter_item(d) for d in items],
    }


class DeadLettersReprocess(BaseModel):
    """Which letters: ``ids``, or every letter the filters select (none: all of them)."""

    model_config = ConfigDict(extra="forbid")

    ids: list[LetterId] | None = Field(default=None, max_length=1000)
    source: str | None = Field(default=None, max_length=300)
    since: Instant | None = None
    until: Instant | None = None


@router.post("/api/v1/dead-letters/reprocess")
def reprocess(who: ActorDep, soc: Soc, body: DeadLettersReprocess) -> dict[str, object]:
    """Parse the letters again with today's parsers: what parses is stored as events and
    leaves the dead letters; the rest stays with its new reason. At most
    ``REPROCESS_MAX`` letters a call (``left`` says how many more were selected)."""
    query = DeadLetterQuery(
        source=body.source or None,
        since=body.since,
        until=body.until,
        ids=tuple(body.ids) if body.ids is not None else None,
    )
    report = reprocess_dead_letters(
        store=soc.store, actor=who, ingestor=soc.ingestor(), query=query, clock=soc.clock
    )
    return {**report.as_dict(), "limit": REPROCESS_MAX}

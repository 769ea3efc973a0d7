"""Event search (hunting) over the JSON API: results with their histogram, top values of
a field, streaming exports, the Sigma draft of a query, and saved searches."""

import itertools
from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ActorDep, LangDep, Soc
from api.filters import When
from core.event_query import saved, search
from core.event_query.parser import MAX_QUERY_LENGTH
from core.event_query.sigma import sigma_draft
from core.events import Event
from core.storage.codec import event_to_dict

__all__ = ["router"]

router = APIRouter()

QueryText = Annotated[
    str,
    Query(
        max_length=MAX_QUERY_LENGTH,
        description='the query language (README, "Searching events"); empty: every event',
    ),
]


def _event(event: Event) -> dict[str, str]:
    return event_to_dict(event)


@router.get("/api/v1/events/search")
def search_events(
    who: ActorDep,
    soc: Soc,
    q: QueryText = "",
    start: Annotated[When, Query(alias="from")] = None,
    end: Annotated[When, Query(alias="to")] = None,
    page: Annotated[int, Query(ge=1, le=search.MAX_DEPTH)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = search.PAGE_SIZE,
) -> dict[str, object]:
    """Events matching ``q`` with @timestamp in [from, to) (default: the last 24 hours),
    newest first, a page at a time (up to the first 10,000; export for more), with the
    histogram of the whole range. A reporter sees their own agency's events only."""
    found = search.search(
        soc.store, who, q, start=start, end=end, page=page, per_page=per_page, now=soc.clock.now()
    )
    return {
        "query": found.query,
        "from": found.start.isoformat(),
        "to": found.end.isoformat(),
        "total": found.total,
        "page": found.page,
        "pages": found.pages,
        "per_page": per_page,
        "events": [_event(e) for e in found.events],
        "histogram": {
            "bucket_seconds": found.bucket_seconds,
            "buckets": [{"start": at.isoformat(), "count": n} for at, n in found.histogram],
        },
    }


@router.get("/api/v1/events/search/top")
def top_values(
    who: ActorDep,
    soc: Soc,
    field: Annotated[str, Query(min_length=1, max_length=200)],
    q: QueryText = "",
    start: Annotated[When, Query(alias="from")] = None,
    end: Annotated[When, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = search.TOP_LIMIT,
) -> dict[str, object]:
    """The field's most frequent values among the matches (values lower-cased, as they
    compare; the verbatim header fields as written)."""
    top = search.top_values(
        soc.store, who, q, field, start=start, end=end, limit=limit, now=soc.clock.now()
    )
    return {
        "field": top.field,
        "total": top.total,
        "values": [{"value": v, "count": n} for v, n in top.values],
    }


@router.get("/api/v1/events/search/export", response_model=None)
def export_events(
    who: ActorDep,
    soc: Soc,
    lang: LangDep,
    q: QueryText = "",
    start: Annotated[When, Query(alias="from")] = None,
    end: Annotated[When, Query(alias="to")] = None,
    fmt: Annotated[Literal["csv", "jsonl"], Query(alias="format")] = "csv",
) -> Response:
    """Every match, newest first, streamed: CSV (headers in ``lang``, Taipei times) or JSON
    lines (the stored ECS documents). No row cap."""
    rows = search.export(
        soc.store, who, q, fmt, start=start, end=end, lang=lang, now=soc.clock.now()
    )
    first = next(rows)  # access and the query are checked before the response starts
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson"
    return StreamingResponse(
        itertools.chain([first], rows),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="events.{fmt}"'},
    )


@router.get("/api/v1/events/search/sigma")
def sigma_rule_draft(who: ActorDep, soc: Soc, q: QueryText = "") -> dict[str, str]:
    """ "Make this a Sigma rule": the query as a Sigma YAML draft (validated by pySigma), or
    a 422 saying what Sigma cannot express. Nothing is stored: ``/rules/new`` takes it."""
    search.scope(who, q, start=None, end=None, now=soc.clock.now())  # the right to search
    draft = sigma_draft(q, author=who.name, today=soc.clock.now().date())
    return {"query": q, "draft": draft}


class SavedSearchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=saved.MAX_NAME)
    query: str = Field(max_length=MAX_QUERY_LENGTH)
    shared: bool = False
    span_hours: int | None = Field(default=None, ge=1, le=24 * 366)


def _saved(s: saved.SavedSearch) -> dict[str, object]:
    return asdict(s)


@router.get("/api/v1/searches")
def saved_searches(who: ActorDep, soc: Soc) -> dict[str, object]:
    """Your saved searches and every shared one, by name."""
    return {"items": [_saved(s) for s in saved.listing(soc.store, who)]}


@router.post("/api/v1/searches", status_code=201)
def save_search(body: SavedSearchCreate, who: ActorDep, soc: Soc) -> dict[str, object]:
    """Save a search (``shared``: every colleague sees it); audited."""
    return _saved(
        saved.save(
            soc.store,
            who,
            name=body.name,
            query=body.query,
            shared=body.shared,
            span_hours=body.span_hours,
            now=soc.clock.now(),
        )
    )


@router.get("/api/v1/searches/{search_id}")
def saved_search(
    search_id: Annotated[str, Path(max_length=40)], who: ActorDep, soc: Soc
) -> dict[str, object]:
    return _saved(saved.get(soc.store, who, search_id))


@router.delete("/api/v1/searches/{search_id}", status_code=204)
def delete_saved_search(
    search_id: Annotated[str, Path(max_length=40)], who: ActorDep, soc: Soc
) -> Response:
    """Delete a saved search: its owner or an administrator; audited."""
    saved.delete(soc.store, who, search_id, now=soc.clock.now())
    return Response(status_code=204)

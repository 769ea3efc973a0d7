"""The event search page (/search): the query box with the grammar in brief, the time
range, the histogram, top values of a field (click to filter), a page of events, exports,
the Sigma draft, and saved searches (save, delete). Access is the service's."""

from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import Soc
from api.errors import status_of
from api.filters import Offset, Text, When
from api.pages.deps import FormSession, PageSession, Session
from api.pages.form_times import local_input
from api.pages.rendering import agency_name, labels_for, page, said
from api.sessions import lang_of
from core.errors import InputError
from core.event_query import saved, search
from core.event_query.ast import Or
from core.event_query.parser import MAX_QUERY_LENGTH, parse
from core.event_query.sigma import sigma_draft
from reports.charts import column_chart

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
DEFAULT_FIELD = "host.name"
QueryText = Annotated[str, Query(max_length=MAX_QUERY_LENGTH)]
NOTICES = ("saved", "deleted")


def narrowed(q: str, field: str, value: str) -> str:
    """``q`` AND ``field:"value"`` (a query whose top is OR is put in parentheses first)."""
    quoted = value.replace("\\", "\\\\").replace('"', '\\"')
    term = f'{field}:"{quoted}"'
    if not q.strip():
        return term
    try:
        wrap = isinstance(parse(q), Or)
    except InputError:
        wrap = True
    return f"({q}) {term}" if wrap else f"{q} {term}"


def _render(
    request: Request,
    soc: Soc,
    session: PageSession,
    *,
    q: str,
    window: tuple[datetime | None, datetime | None] = (None, None),
    raw: dict[str, str] | None = None,
    field: str = DEFAULT_FIELD,
    offset: int = 0,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    who = session.who
    lang = lang_of(request)
    t = labels_for(request)
    found = top = None
    draft = refusal = ""
    raw = raw or {}  # the range as typed: links keep "the last day" relative
    try:
        found = search.search(
            soc.store,
            who,
            q,
            start=window[0],
            end=window[1],
            page=offset // search.PAGE_SIZE + 1,
            now=soc.clock.now(),
        )
        top = search.top_values(
            soc.store, who, q, field, start=found.start, end=found.end, now=soc.clock.now()
        )
    except InputError as exc:
        error, status = said(request, exc), status_of(exc)
    if found is not None and q.strip():
        try:
            draft = sigma_draft(q, author=who.name, today=soc.clock.now().date())
        except InputError as exc:
            refusal = said(request, exc)
    keep = {k: raw[k] for k in ("from", "to") if raw.get(k)}
    base_params = {"q": q, **keep, "field": field} if q else {**keep, "field": field}
    chart = ""
    if found is not None:
        bars = [(at.isoformat(), n) for at, n in found.histogram]
        chart = column_chart(
            bars,
            first=local_input(found.start).replace("T", " "),
            last=local_input(found.end).replace("T", " "),
            summary=t["search_histogram"],
        )
    return page(
        request,
        "search.html.j2",
        status=status,
        who=who,
        csrf=session.csrf,
        q=q,
        field=field,
        since=raw.get("from", ""),
        until=raw.get("to", ""),
        found=found,
        top=top,
        chart=chart,
        filter_link=lambda value: (
            "/search?" + urlencode({**base_params, "q": narrowed(q, field, value)})
        ),
        offset=offset,
        limit=search.PAGE_SIZE,
        base="/search?" + urlencode(base_params),
        exports={
            f: "/api/v1/events/search/export?" + urlencode({"q": q, **keep, "format": f})
            for f in ("csv", "jsonl")
        },
        agency_name=lambda org: agency_name(soc, org, lang),
        draft=draft,
        refusal=refusal,
        saved_searches=saved.listing(soc.store, who),
        notice=notice if notice in NOTICES else "",
        error=error,
    )


@router.get("/search")
def search_page(
    request: Request,
    soc: Soc,
    session: Session,
    q: QueryText = "",
    start: Annotated[When, Query(alias="from")] = None,
    end: Annotated[When, Query(alias="to")] = None,
    field: Text = None,
    offset: Offset = 0,
    notice: Text = None,
) -> Response:
    raw = {k: request.query_params.get(k, "") for k in ("from", "to")}
    return _render(
        request,
        soc,
        session,
        q=q,
        window=(start, end),
        raw=raw,
        field=field or DEFAULT_FIELD,
        offset=offset,
        notice=notice or "",
    )


@router.post("/search/saved")
def save_search(
    request: Request,
    soc: Soc,
    session: FormSession,
    name: Annotated[str, Form(max_length=1000)] = "",
    q: Annotated[str, Form(max_length=MAX_QUERY_LENGTH)] = "",
    shared: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    try:
        saved.save(
            soc.store, session.who, name=name, query=q, shared=bool(shared), now=soc.clock.now()
        )
    except InputError as exc:  # fixable: the page again with the reason
        return _render(request, soc, session, q=q, error=said(request, exc), status=status_of(exc))
    return RedirectResponse("/search?" + urlencode({"q": q, "notice": "saved"}), status_code=303)


@router.post("/search/saved/{search_id}/delete")
def delete_search(
    search_id: Annotated[str, Path(max_length=40)], soc: Soc, session: FormSession
) -> Response:
    saved.delete(soc.store, session.who, search_id, now=soc.clock.now())
    return RedirectResponse("/search?notice=deleted", status_code=303)

"""The dead letters page (/dead-letters): records that could not be parsed, with their
reason, source and receive time, filtered and paged; "reprocess" reads one, or every one
the filters select, again with today's parsers (collectors.reprocess) and says where each
went. City SOC roles only, as the API (api/routes/dead_letters.py)."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import Soc
from api.filters import Offset
from api.pages.deps import FormSession, Session
from api.pages.form_times import local_input
from api.pages.rendering import page
from api.routes.dead_letters import Filters
from collectors.reprocess import ReprocessReport, reprocess_dead_letters
from core.access import Action, allowed, require_right
from core.events import DeadLetterQuery

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
DEAD_LETTERS_PAGE = 50
PREVIEW_CHARS = 300  # of the raw record, on the page (the CLI's `show` prints it whole)
FILTER_KEYS = ("source", "since", "until")
COUNTS = tuple(ReprocessReport.__dataclass_fields__)


def _preview(raw: bytes) -> str:
    """The record's start as text (a UTF-8 character is at most 4 bytes)."""
    return raw[: PREVIEW_CHARS * 4].decode("utf-8", "replace")[:PREVIEW_CHARS]


def _counts(request: Request) -> dict[str, int] | None:
    """A reprocessing's counts, carried by its redirect (any other value counts as 0)."""
    params = request.query_params
    if "examined" not in params:
        return None
    given = {k: params.get(k, "") for k in COUNTS}
    return {k: int(v) if v.isdigit() and len(v) < 10 else 0 for k, v in given.items()}


def _filters(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if k in FILTER_KEYS and v}


@router.get("/dead-letters")
def dead_letters_page(
    request: Request, soc: Soc, session: Session, query: Filters, offset: Offset = 0
) -> Response:
    who = session.who
    require_right(
        who,
        Action.READ_DEAD_LETTERS,
        "dead letters hold records of every agency; ask the city SOC",
        "dead-letters",
    )
    filters = _filters(request)
    letters = soc.store.dead_letters.list(limit=DEAD_LETTERS_PAGE, offset=offset, query=query)
    done = _counts(request)
    return page(
        request,
        "dead_letters.html.j2",
        who=who,
        csrf=session.csrf,
        q=query,
        since=local_input(query.since),
        until=local_input(query.until),
        filters=filters,
        letters=[(d, _preview(d.raw)) for d in letters],
        total=soc.store.dead_letters.count(query),
        everything=soc.store.dead_letters.count(),
        offset=offset,
        limit=DEAD_LETTERS_PAGE,
        base="/dead-letters" + (f"?{urlencode(filters)}" if filters else ""),
        reprocesses=Action.REPROCESS_DEAD_LETTERS in allowed(who),
        done=done,
    )


@router.post("/dead-letters/reprocess")
def dead_letters_reprocess(
    soc: Soc,
    session: FormSession,
    query: Filters,
    letter: Annotated[int | None, Form(ge=1, le=2**63 - 1)] = None,
) -> Response:
    """One letter (``letter``), or every letter the filters in the URL select."""
    chosen = DeadLetterQuery(ids=(letter,)) if letter is not None else query
    report = reprocess_dead_letters(
        store=soc.store, actor=session.who, ingestor=soc.ingestor(), query=chosen, clock=soc.clock
    )
    kept = {
        k: v
        for k, v in (
            ("source", query.source),
            ("since", query.since.isoformat() if query.since else None),
            ("until", query.until.isoformat() if query.until else None),
        )
        if v
    }
    counts = {k: str(v) for k, v in report.as_dict().items()}
    return RedirectResponse(f"/dead-letters?{urlencode(kept | counts)}", status_code=303)

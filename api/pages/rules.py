"""The rule pages: the catalogue (/rules) with filters, one rule with its YAML, switch and
exceptions (/rules/{id}), uploading with a retro-hunt preview (/rules/new, which the search
page fills through ``?draft=``) and the noisy-rules view (/rules/noisy). The same services as
the JSON API (detections.rule_*) decide who may; a refused form comes back filled in."""

from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.context import CitySoc
from api.deps import Soc
from api.errors import status_of
from api.filters import Offset, Text
from api.pages.deps import FormSession, PageSession, Session
from api.pages.rendering import labels_for, page, said, validated
from core.access import Action, allowed
from core.errors import ConflictError, InputError, RuleError
from detections.rule_catalogue import (
    LEVELS,
    STATES,
    RuleQuery,
    check_days,
    find_entry,
    noisy_rules,
    rule_row,
    rule_rows,
)
from detections.rule_settings import (
    ExceptionCreate,
    add_exception,
    list_exceptions,
    remove_exception,
    require_manager,
    require_reader,
    set_enabled,
)
from detections.rule_uploads import MAX_RULE_BYTES, Preview, preview_rule, save_upload
from reports.charts import bar_chart

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
RULES_PAGE = 50
NOISY_SHOWN = 50
FILTERS = ("pack", "level", "status", "state", "technique", "q")
RuleId = Annotated[str, Path(max_length=200)]
ExceptionId = Annotated[str, Path(max_length=64)]
Days = Annotated[int, Query(ge=1, le=366)]


def _manages(session: PageSession) -> bool:
    return Action.MANAGE_RULES in allowed(session.who)


@router.get("/rules")
def rules_page(
    request: Request,
    soc: Soc,
    session: Session,
    pack: Text = None,
    level: Text = None,
    status: Text = None,
    state: Text = None,
    technique: Text = None,
    q: Text = None,
    offset: Offset = 0,
) -> Response:
    query = RuleQuery(
        pack=pack, level=level, status=status, state=state, technique=technique, text=q
    )
    found = rule_rows(
        soc.store,
        session.who,
        soc.rule_pack(),
        query,
        now=soc.clock.now(),
        limit=RULES_PAGE,
        offset=offset,
    )
    filters = {k: v for k, v in request.query_params.items() if k in FILTERS and v}
    return page(
        request,
        "rules.html.j2",
        who=session.who,
        csrf=session.csrf,
        q=query,
        found=found,
        levels=LEVELS,
        states=STATES,
        total=found.total,
        offset=offset,
        limit=RULES_PAGE,
        base="/rules" + (f"?{urlencode(filters)}" if filters else ""),
        manages=_manages(session),
    )


@router.get("/rules/noisy")
def noisy_page(request: Request, soc: Soc, session: Session, days: Days = 7) -> Response:
    found = noisy_rules(
        soc.store, session.who, soc.rule_pack(), days=check_days(days), now=soc.clock.now()
    )
    shown = found[:NOISY_SHOWN]
    return page(
        request,
        "rules_noisy.html.j2",
        who=session.who,
        csrf=session.csrf,
        days=days,
        rows=shown,
        # Bars are labelled by rank (the table's # column): rule titles are data, not words.
        chart=bar_chart([(f"#{n}", r.alerts) for n, r in enumerate(shown[:10], 1)]),
    )


def _new_page(
    request: Request,
    session: PageSession,
    *,
    text: str,
    days: int = 7,
    preview: Preview | None = None,
    error: str = "",
    status: int = 200,
) -> Response:
    return page(
        request,
        "rules_new.html.j2",
        status=status,
        who=session.who,
        csrf=session.csrf,
        text=text,
        days=days,
        preview=preview,
        error=error,
        manages=_manages(session),
        max_bytes=MAX_RULE_BYTES,
    )


@router.get("/rules/new")
def new_page(
    request: Request,
    session: Session,
    draft: Annotated[str, Query(max_length=MAX_RULE_BYTES)] = "",
) -> Response:
    """The upload form, filled with ``draft`` (a Sigma draft from the search page)."""
    require_reader(session.who)
    return _new_page(request, session, text=draft)


RuleYaml = Annotated[str, Form(max_length=MAX_RULE_BYTES)]
PreviewDays = Annotated[int, Form(ge=1, le=90)]


@router.post("/rules/preview")
def preview_page(
    request: Request, soc: Soc, session: FormSession, yaml: RuleYaml = "", days: PreviewDays = 7
) -> Response:
    try:
        found = preview_rule(
            store=soc.store, actor=session.who, text=yaml, days=days, now=soc.clock.now()
        )
    except (InputError, RuleError) as exc:
        return _new_page(
            request, session, text=yaml, days=days, error=said(request, exc), status=422
        )
    return _new_page(request, session, text=yaml, days=days, preview=found)


@router.post("/rules/save")
def save_page(
    request: Request, soc: Soc, session: FormSession, yaml: RuleYaml = "", days: PreviewDays = 7
) -> Response:
    taken = {e.rule_id for e in soc.rule_pack().entries}
    try:
        entry = save_upload(
            store=soc.store, actor=session.who, text=yaml, clock=soc.clock, taken=taken
        )
    except (InputError, ConflictError) as exc:
        return _new_page(
            request, session, text=yaml, days=days, error=said(request, exc), status=status_of(exc)
        )
    return _back(entry.rule_id, "rules_saved")


def _back(rule_id: str, notice: str) -> Response:
    where = f"/rules/{quote(rule_id, safe='')}?{urlencode({'notice': notice})}"
    return RedirectResponse(where, status_code=303)


NOTICES = ("rules_saved", "rules_changed", "rules_exc_added", "rules_exc_removed")


def _rule_page(
    request: Request,
    soc: CitySoc,
    session: PageSession,
    rule_id: str,
    *,
    notice: str = "",
    error: str = "",
    filled: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    now = soc.clock.now()
    row = rule_row(soc.store, session.who, soc.rule_pack(), rule_id, now=now)
    return page(
        request,
        "rule.html.j2",
        status=status,
        who=session.who,
        csrf=session.csrf,
        row=row,
        exceptions=list_exceptions(soc.store, session.who, rule_id=rule_id),
        now=now,
        agencies=list(soc.registry),
        agencies_by_code={a.code: a for a in soc.registry},
        manages=_manages(session),
        notice=labels_for(request)[notice] if notice in NOTICES else "",
        error=error,
        filled=filled or {},
        quoted=quote(rule_id, safe=""),
    )


@router.get("/rules/{rule_id}")
def rule_page(
    request: Request,
    soc: Soc,
    session: Session,
    rule_id: RuleId,
    notice: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    return _rule_page(request, soc, session, rule_id, notice=notice)


def _switch(soc: CitySoc, session: PageSession, rule_id: str, enabled: bool) -> Response:
    known = find_entry(soc.store, soc.rule_pack(), rule_id) is not None
    set_enabled(
        store=soc.store,
        actor=session.who,
        rule_id=rule_id,
        enabled=enabled,
        clock=soc.clock,
        known=known,
    )
    return _back(rule_id, "rules_changed")


@router.post("/rules/{rule_id}/enable")
def enable_page(soc: Soc, session: FormSession, rule_id: RuleId) -> Response:
    return _switch(soc, session, rule_id, True)


@router.post("/rules/{rule_id}/disable")
def disable_page(soc: Soc, session: FormSession, rule_id: RuleId) -> Response:
    return _switch(soc, session, rule_id, False)


Field = Annotated[str, Form(max_length=5000)]


@router.post("/rules/{rule_id}/exceptions")
def exception_add_page(
    request: Request,
    soc: Soc,
    session: FormSession,
    rule_id: RuleId,
    agency: Field = "",
    host: Field = "",
    field: Field = "",
    value: Field = "",
    reason: Field = "",
    owner: Field = "",
    expires_at: Field = "",
) -> Response:
    filled = {
        "agency": agency,
        "host": host,
        "field": field,
        "value": value,
        "reason": reason,
        "owner": owner,
        "expires_at": expires_at,
    }
    require_manager(session.who)  # a refused role learns that first, not a form error
    known = find_entry(soc.store, soc.rule_pack(), rule_id) is not None
    try:
        form = validated(ExceptionCreate, **{k: v for k, v in filled.items() if v})
        add_exception(
            store=soc.store,
            actor=session.who,
            registry=soc.registry,
            rule_id=rule_id,
            form=form,
            clock=soc.clock,
            known=known,
        )
    except InputError as exc:
        return _rule_page(
            request,
            soc,
            session,
            rule_id,
            error=said(request, exc),
            filled=filled,
            status=422,
        )
    return _back(rule_id, "rules_exc_added")


@router.post("/rules/{rule_id}/exceptions/{exception_id}/remove")
def exception_remove_page(
    soc: Soc, session: FormSession, rule_id: RuleId, exception_id: ExceptionId
) -> Response:
    remove_exception(
        store=soc.store,
        actor=session.who,
        rule_id=rule_id,
        exception_id=exception_id,
        clock=soc.clock,
    )
    return _back(rule_id, "rules_exc_removed")

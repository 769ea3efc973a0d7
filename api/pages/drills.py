"""The drills page (/drills, issue 16 item 7): each agency's drill obligations for a year
(required, held, result reports on time), the drills with their report's due date and a
link to the result report, a form to record a drill and a button to submit its result
report. The same service as the API and `citysoc drills` (incidents.drills) decides who
may; a refused form comes back filled in with the error in the page's language."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.context import CitySoc
from api.deps import Soc
from api.errors import status_of
from api.pages.deps import FormSession, PageSession, Session
from api.pages.form_times import taipei_input
from api.pages.rendering import agency_name, page, said, validated
from api.routes.drills import DrillCreate, DrillId, Year, drill_year
from api.sessions import lang_of
from core.access import Action, allowed
from core.errors import InputError
from incidents import drills

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _drills_page(
    request: Request,
    soc: CitySoc,
    session: PageSession,
    *,
    year: int | None = None,
    status: int = 200,
    error: str = "",
    filled: dict[str, str] | None = None,
    done: str = "",
) -> Response:
    who = session.who
    shown, found, obligations = drill_year(soc, who, year, None)
    lang = lang_of(request)
    return page(
        request,
        "drills.html.j2",
        status=status,
        who=who,
        csrf=session.csrf,
        year=shown,
        drills=found,
        obligations=obligations,
        now=soc.clock.now(),
        kinds=list(drills.DrillKind),
        agencies=[a for a in soc.registry if who.sees(a.code)],
        agency_name=lambda code: agency_name(soc, code, lang),
        records=Action.RECORD_DRILL in allowed(who),
        error=error,
        filled=filled or {},
        done=done,
    )


@router.get("/drills")
def drills_page(
    request: Request, soc: Soc, session: Session, year: Year = None, done: str = ""
) -> Response:
    shown = done if done in ("recorded", "submitted") else ""
    return _drills_page(request, soc, session, year=year, done=shown)


@router.post("/drills")
def drills_record(
    request: Request,
    soc: Soc,
    session: FormSession,
    agency: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=40)] = "",
    held_on: Annotated[str, Form(max_length=40)] = "",
    completed_at: Annotated[str, Form(max_length=40)] = "",
    participants: Annotated[str, Form(max_length=20)] = "",
    opened: Annotated[str, Form(max_length=20)] = "",
    clicked: Annotated[str, Form(max_length=20)] = "",
    scenario: Annotated[str, Form(max_length=30_000)] = "",
    findings: Annotated[str, Form(max_length=30_000)] = "",
) -> Response:
    filled = {
        "agency": agency,
        "kind": kind,
        "held_on": held_on,
        "completed_at": completed_at,
        "participants": participants,
        "opened": opened,
        "clicked": clicked,
        "scenario": scenario,
        "findings": findings,
    }
    try:
        form = validated(
            DrillCreate,
            **filled
            | {
                "completed_at": taipei_input(completed_at, "completed_at"),
                "opened": opened or None,
                "clicked": clicked or None,
            },
        )
        drills.record_drill(
            store=soc.store,
            actor=session.who,
            registry=soc.registry,
            organization_id=form.agency,
            kind=form.kind,
            held_on=form.held_on,
            completed_at=form.completed_at,
            participants=form.participants,
            opened=form.opened,
            clicked=form.clicked,
            scenario=form.scenario,
            findings=form.findings,
            clock=soc.clock,
        )
    except InputError as exc:  # fixable: the form again; others: the error page
        return _drills_page(
            request, soc, session, status=status_of(exc), error=said(request, exc), filled=filled
        )
    year = form.held_on.year
    return RedirectResponse(f"/drills?{urlencode({'year': year, 'done': 'recorded'})}", 303)


@router.post("/drills/{drill_id}/submit")
def drills_submit(drill_id: DrillId, soc: Soc, session: FormSession) -> Response:
    drill = drills.submit_drill_report(
        store=soc.store, actor=session.who, drill_id=drill_id, clock=soc.clock
    )
    query = urlencode({"year": drill.held_on.year, "done": "submitted"})
    return RedirectResponse(f"/drills?{query}", status_code=303)

"""Server-rendered pages for people: login, incident board, incident page with the guided
notification form and the superior's review. Forms work without JavaScript; every form
carries the session's CSRF token; access is checked by the same services as the API."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.context import CitySoc
from api.limits import LoginLimiter
from core import accounts
from core.access import Actor, Role
from core.errors import CitySocError, UnauthenticatedError
from incidents import service
from incidents.levels import (
    Availability,
    InfoClass,
    LevelAnswers,
    Severity,
    SystemClass,
    assess_level,
)
from incidents.sharing import intel, outgoing
from incidents.sharing.observables import classify
from incidents.sharing.outgoing import Publication
from incidents.sharing.tlp import Tlp
from reports.labels import Lang, labels
from reports.render import environment as report_environment

__all__ = ["set_session_cookie", "web_router"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANG_COOKIE = "citysoc_lang"


def set_session_cookie(response: Response, session_id: str, *, secure: bool) -> None:
    """The one way a session cookie is set: HttpOnly, SameSite=Strict, as long as the session."""
    response.set_cookie(
        accounts.SESSION_COOKIE,
        session_id,
        httponly=True,
        secure=secure,
        samesite="strict",
        path="/",
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
    )


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(report_environment().filters)  # roc, taipei
    return env


def web_router(soc: CitySoc, limiter: LoginLimiter) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    env = _environment()

    def page(request: Request, template: str, status: int = 200, **context: object) -> Response:
        lang: Lang = "en" if request.cookies.get(LANG_COOKIE) == "en" else "zh"
        html = env.get_template(template).render(t=labels(lang), lang=lang, **context)
        return HTMLResponse(html, status_code=status)

    def session(request: Request) -> tuple[Actor, str]:
        session_id = request.cookies.get(accounts.SESSION_COOKIE)
        if not session_id:
            raise UnauthenticatedError("log in first", location="cookie")
        return accounts.actor_for_session(store=soc.store, session_id=session_id, clock=soc.clock)

    def form_session(request: Request, csrf_token: str) -> tuple[Actor, str] | None:
        """The session behind a form post (None: not logged in); the CSRF token must match."""
        try:
            who, csrf = session(request)
        except UnauthenticatedError:
            return None
        accounts.check_csrf(csrf, csrf_token)
        return who, csrf

    def to_login() -> Response:
        return RedirectResponse("/login", status_code=303)

    @router.get("/login")
    def login_form(request: Request) -> Response:
        return page(request, "login.html.j2", error=None)

    @router.post("/login")
    def login(
        request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()]
    ) -> Response:
        try:
            limiter.check(request.client.host if request.client else "unknown")
            user = accounts.authenticate(
                store=soc.store, username=username, password=password, clock=soc.clock
            )
        except CitySocError as exc:
            return page(request, "login.html.j2", status=401, error=exc.message)
        session_id, _csrf = accounts.start_session(store=soc.store, user=user, clock=soc.clock)
        response = RedirectResponse("/", status_code=303)
        set_session_cookie(response, session_id, secure=soc.settings.cookie_secure)
        return response

    @router.post("/logout")
    def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
        try:
            _who, csrf = session(request)
            accounts.check_csrf(csrf, csrf_token)
            accounts.end_session(
                store=soc.store, session_id=request.cookies[accounts.SESSION_COOKIE]
            )
        except CitySocError:
            pass  # logging out of a dead session is still logging out
        response = to_login()
        response.delete_cookie(accounts.SESSION_COOKIE, path="/")
        return response

    @router.get("/lang/{lang}")
    def switch_language(lang: str, request: Request) -> Response:
        response = RedirectResponse(request.headers.get("referer") or "/", status_code=303)
        response.set_cookie(LANG_COOKIE, "en" if lang == "en" else "zh", samesite="strict")
        return response

    @router.get("/")
    def board(request: Request) -> Response:
        try:
            who, csrf = session(request)
        except UnauthenticatedError:
            return to_login()
        now = soc.clock.now()
        rows = []
        for incident in service.list_incidents(store=soc.store, actor=who, limit=200):
            clocks = service.deadlines(incident, now=now)
            open_clocks = [d for d in clocks if d.due_at and d.done_at is None]
            rows.append(
                {
                    "i": incident,
                    "next": min(open_clocks, key=lambda d: d.due_at or now, default=None),
                    "overdue": any(d.status.value == "overdue" for d in clocks),
                }
            )
        return page(request, "board.html.j2", who=who, csrf=csrf, rows=rows, agencies=soc.registry)

    def incident_page(
        request: Request,
        who: Actor,
        csrf: str,
        incident_id: str,
        answers: LevelAnswers | None = None,
        proposal: object = None,
        error: str | None = None,
        form: dict[str, str] | None = None,
        status: int = 200,
        published: Publication | None = None,
        share_error: str | None = None,
        share_form: dict[str, str] | None = None,
    ) -> Response:
        incident = service.get_incident(store=soc.store, actor=who, incident_id=incident_id)
        suggested = service.suggest_system_class(store=soc.store, incident=incident)
        return page(
            request,
            "incident.html.j2",
            status=status,
            who=who,
            csrf=csrf,
            i=incident,
            agency=soc.registry.get(incident.organization_id),
            deadlines=service.deadlines(incident, now=soc.clock.now()),
            timeline=list(soc.store.audit.rows(subject=incident.id)),
            may_notify=not incident.notifications and who.role is not Role.AUDITOR,
            may_review=bool(incident.notifications)
            and incident.reviewed_at is None
            and who.role in (Role.LEAD, Role.ADMIN),
            answers=answers or LevelAnswers(system_class=suggested or SystemClass.NONE),
            proposal=proposal,
            error=error,
            form=form or {},
            may_share=who.role in (Role.ANALYST, Role.LEAD, Role.ADMIN),
            published=published,
            published_tlp=Tlp(share_form["tlp"]).label if published and share_form else "",
            share_error=share_error,
            share_form=share_form or {"tlp": Tlp.GREEN.value},
            tlps=[m for m in Tlp if m is not Tlp.RED],
            choices={
                "info_class": list(InfoClass),
                "leak": list(Severity),
                "tamper": list(Severity),
                "system_class": list(SystemClass),
                "availability": list(Availability),
            },
        )

    @router.get("/incidents/{incident_id}")
    def incident_view(incident_id: str, request: Request) -> Response:
        try:
            who, csrf = session(request)
        except UnauthenticatedError:
            return to_login()
        return incident_page(request, who, csrf, incident_id)

    @router.post("/incidents/{incident_id}/notify")
    def notify(
        incident_id: str,
        request: Request,
        info_class: Annotated[InfoClass, Form()],
        leak: Annotated[Severity, Form()],
        tamper: Annotated[Severity, Form()],
        system_class: Annotated[SystemClass, Form()],
        availability: Annotated[Availability, Form()],
        intent: Annotated[str, Form()],
        description: Annotated[str, Form()] = "",
        response_measures: Annotated[str, Form()] = "",
        outside_support: Annotated[str, Form()] = "no",
        outside_support_detail: Annotated[str, Form()] = "",
        other_matters: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        found = form_session(request, csrf_token)
        if found is None:
            return to_login()
        who, csrf = found
        answers = LevelAnswers(
            info_class=info_class,
            leak=leak,
            tamper=tamper,
            system_class=system_class,
            availability=availability,
        )
        form = {
            "description": description,
            "response_measures": response_measures,
            "outside_support": outside_support,
            "outside_support_detail": outside_support_detail,
            "other_matters": other_matters,
        }
        try:
            proposal = assess_level(answers)
            if intent != "file":  # "propose": show the level and the reasoning, file nothing
                return incident_page(
                    request, who, csrf, incident_id, answers=answers, proposal=proposal, form=form
                )
            service.file_notification(
                store=soc.store,
                actor=who,
                incident_id=incident_id,
                answers=answers,
                description=description,
                response_measures=response_measures,
                outside_support_needed=outside_support == "yes",
                outside_support_detail=outside_support_detail,
                other_matters=other_matters,
                clock=soc.clock,
            )
        except CitySocError as exc:
            if exc.code in ("not_found", "forbidden"):
                raise
            return incident_page(
                request,
                who,
                csrf,
                incident_id,
                answers=answers,
                error=exc.message,
                form=form,
                status=422,
            )
        return RedirectResponse(f"/incidents/{incident_id}", status_code=303)

    @router.post("/incidents/{incident_id}/review")
    def review(
        incident_id: str,
        request: Request,
        level: Annotated[int, Form()],
        note: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        found = form_session(request, csrf_token)
        if found is None:
            return to_login()
        who, csrf = found
        service.review_level(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            level=level,
            note=note,
            clock=soc.clock,
        )
        return RedirectResponse(f"/incidents/{incident_id}", status_code=303)

    @router.post("/incidents/{incident_id}/share")
    def share(
        incident_id: str,
        request: Request,
        iocs: Annotated[str, Form()] = "",
        summary: Annotated[str, Form()] = "",
        tlp: Annotated[str, Form()] = Tlp.GREEN.value,
        incident_iocs: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        found = form_session(request, csrf_token)
        if found is None:
            return to_login()
        who, csrf = found
        form = {"iocs": iocs, "summary": summary, "tlp": tlp}
        try:
            published = outgoing.publish(
                store=soc.store,
                actor=who,
                registry=soc.registry,
                partners=soc.partners,
                incident_id=incident_id,
                iocs=[classify(line) for line in iocs.splitlines() if line.strip()],
                include_incident_iocs=incident_iocs == "yes",
                summary=summary,
                tlp=Tlp(tlp) if tlp in {m.value for m in Tlp} else Tlp.GREEN,
                clock=soc.clock,
            )
        except CitySocError as exc:
            if exc.code in ("not_found", "forbidden"):
                raise
            return incident_page(
                request,
                who,
                csrf,
                incident_id,
                share_error=exc.message,
                share_form=form,
                status=422,
            )
        return incident_page(
            request,
            who,
            csrf,
            incident_id,
            published=published,
            share_form={"tlp": tlp},
            status=201,
        )

    @router.get("/intel")
    def intel_page(request: Request, offset: int = 0) -> Response:
        try:
            who, csrf = session(request)
        except UnauthenticatedError:
            return to_login()
        now = soc.clock.now()
        rows, indicators = intel.overview(
            store=soc.store, partners=soc.partners, actor=who, now=now
        )
        limit = 100
        offset = max(0, offset)
        return page(
            request,
            "intel.html.j2",
            who=who,
            csrf=csrf,
            rows=rows,
            max_hits=max([r.hits for r in rows] + [1]),
            hits=intel.recent_hits(soc.store, limit=20),
            indicators=indicators[offset : offset + limit],
            total=len(indicators),
            offset=offset,
            limit=limit,
            now=now,
        )

    return router

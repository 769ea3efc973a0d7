"""Server-rendered pages for people: login, incident board, incident page with the guided
notification form and the superior's review. Forms work without JavaScript; every form
carries the session's CSRF token; access is checked by the same services as the API."""

import hmac
import re
import secrets
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, ValidationError

from api.context import CitySoc
from api.errors import input_error
from api.filters import Day, Offset, Text, alert_query
from api.limits import LoginLimiter
from api.origin import require_same_origin
from api.presenters import incident_clocks
from api.redirects import same_origin_path
from api.schemas import (
    AlertsAssignmentUpdate,
    AlertsEscalationCreate,
    AlertsFalsePositiveUpdate,
    ContainmentUpdate,
    NotificationCreate,
    ProgressCreate,
    ReportUpdate,
    ReviewCreate,
    ShareCreate,
)
from api.sessions import (
    LANG_COOKIE,
    LOGIN_CSRF_COOKIE,
    clear_session_cookie,
    lang_of,
    session_id_of,
    set_session_cookie,
)
from api.uploads import evidence_response, read_evidence_form
from core import accounts, audit, limits
from core.access import Action, Actor, Role, allowed
from core.alerts import Alert, AlertQuery, AlertStatus, Severity
from core.clock import TAIPEI
from core.errors import (
    CitySocError,
    ConflictError,
    ForbiddenError,
    InputError,
    NotFoundError,
    UnauthenticatedError,
)
from incidents import evidence, service, triage
from incidents.deadlines import TITLES, DeadlineKind
from incidents.evidence import ACCEPTED
from incidents.levels import (
    Availability,
    Impact,
    InfoClass,
    LevelAnswers,
    SystemClass,
    assess_level,
)
from incidents.models import IncidentState, InvestigationReport
from incidents.sharing import intel, outgoing
from incidents.sharing.observables import classify
from incidents.sharing.outgoing import Publication
from incidents.sharing.preview import SharePreview, preview_share
from incidents.sharing.tlp import Tlp
from reports import compliance
from reports.charts import bar_chart
from reports.labels import Lang, labels
from reports.render import environment as report_environment

__all__ = ["web_router"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
STATIC_FILES = {
    "clock.js": "text/javascript; charset=utf-8",
    "queue.js": "text/javascript; charset=utf-8",
}
_LOGIN_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
QUEUE_PAGE = 50  # alerts per page of the queue
BOARD_PAGE = 100  # incidents per page of the board (newest first)
AUDIT_PAGE = 100
RELATED_ALERTS = 100  # shown on the incident page; the API lists them all
REVIEW_SCAN = 5000  # incidents read to build the review queue
FILTER_KEYS = ("agency", "status", "severity", "rule", "host", "assignee", "since", "until")
TRIAGE_ACTIONS = ("assign_me", "unassign", "suppress", "escalate")
REPORT_ITEMS = tuple(InvestigationReport.model_fields)
_INCIDENT_ID = re.compile(r"INC-\d{8}-[0-9A-F]{6}")
Form_ = TypeVar("Form_", bound=BaseModel)


def validated(model: type[Form_], **fields: object) -> Form_:
    """A form checked with the API's model for the same action (core.limits), so the page
    refuses exactly as the API does. Raises InputError with the API's message."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        raise input_error(exc) from None


def labels_for(request: Request) -> dict[str, str]:
    return labels(lang_of(request))


def _local(at: datetime | None) -> str:
    """A time as a datetime-local input shows it (Taipei, to the minute)."""
    if at is None:
        return ""
    try:
        local = at.astimezone(TAIPEI)
    except OverflowError:  # the calendar's last hours have no Taipei time: show them as given
        local = at
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d}T{local.hour:02d}:{local.minute:02d}"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(report_environment().filters)  # roc, taipei
    env.globals["limits"] = limits  # text fields' maxlength, from the API's table
    return env


def web_router(soc: CitySoc, limiter: LoginLimiter) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    env = _environment()

    def page(request: Request, template: str, status: int = 200, **context: object) -> Response:
        lang = lang_of(request)
        html = env.get_template(template).render(t=labels(lang), lang=lang, **context)
        return HTMLResponse(html, status_code=status)

    def session(request: Request) -> tuple[Actor, str]:
        session_id = session_id_of(request)
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

    def _agency_name(code: str, lang: Lang) -> str:
        found = soc.registry.find(code)
        if found is None:
            return code
        return found.name_zh if lang == "zh" else found.name_en

    def login_page(request: Request, status: int = 200, error: str | None = None) -> Response:
        """The login form and its double-submit token (the cookie's, or a new one): a site
        that cannot read our cookies cannot fill in the hidden field to match."""
        token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not _LOGIN_TOKEN.fullmatch(token):
            token = secrets.token_urlsafe(24)
        response = page(request, "login.html.j2", status=status, error=error, login_csrf=token)
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            httponly=True,
            secure=soc.settings.cookie_secure,
            samesite="strict",
            path="/login",
        )
        return response

    @router.get("/login")
    def login_form(request: Request) -> Response:
        return login_page(request)

    @router.post("/login")
    def login(
        request: Request,
        username: Annotated[str, Form()],
        password: Annotated[str, Form()],
        login_csrf: Annotated[str, Form()] = "",
    ) -> Response:
        t = labels_for(request)
        try:
            require_same_origin(request)
        except ForbiddenError:
            return login_page(request, status=403, error=t["login_cross_site"])
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not expected or not hmac.compare_digest(expected.encode(), login_csrf.encode()):
            return login_page(request, status=403, error=t["login_expired"])
        try:
            limiter.check(request.client.host if request.client else "unknown")
            user = accounts.authenticate(
                store=soc.store, username=username, password=password, clock=soc.clock
            )
        except CitySocError as exc:
            return login_page(request, status=401, error=exc.message)
        session_id, _csrf = accounts.start_session(store=soc.store, user=user, clock=soc.clock)
        response = RedirectResponse("/", status_code=303)
        set_session_cookie(response, session_id, secure=soc.settings.cookie_secure)
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
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
        clear_session_cookie(response)
        return response

    @router.get("/lang/{lang}")
    def switch_language(lang: str, request: Request) -> Response:
        # Back to the page the user was on, on this site only (never an open redirect).
        back = same_origin_path(
            request.headers.get("referer"), scheme=request.url.scheme, netloc=request.url.netloc
        )
        response = RedirectResponse(back, status_code=303)
        response.set_cookie(LANG_COOKIE, "en" if lang == "en" else "zh", samesite="strict")
        return response

    @router.get("/")
    def board(request: Request, offset: Offset = 0) -> Response:
        try:
            who, csrf = session(request)
        except UnauthenticatedError:
            return to_login()
        now = soc.clock.now()
        rows = []
        found = service.list_incidents(
            store=soc.store, actor=who, limit=BOARD_PAGE + 1, offset=offset
        )
        for incident in found[:BOARD_PAGE]:
            clocks = incident_clocks(incident, now=now)
            rows.append({"i": incident, "next": clocks.next, "overdue": clocks.overdue})
        return page(
            request,
            "board.html.j2",
            who=who,
            csrf=csrf,
            rows=rows,
            agencies=soc.registry,
            offset=offset,
            limit=BOARD_PAGE,
            more=len(found) > BOARD_PAGE,
        )

    def incident_page(
        request: Request,
        who: Actor,
        csrf: str,
        incident_id: str,
        *,
        answers: LevelAnswers | None = None,
        proposal: object = None,
        errors: dict[str, str] | None = None,
        forms: dict[str, dict[str, str]] | None = None,
        status: int = 200,
        published: Publication | None = None,
        share_preview: SharePreview | None = None,
    ) -> Response:
        """The incident page. ``errors`` and ``forms`` are keyed by section (notify, share,
        progress, contained, report, evidence): a refused form comes back filled in, with
        the message beside it."""
        incident = service.get_incident(store=soc.store, actor=who, incident_id=incident_id)
        suggested = service.suggest_system_class(store=soc.store, incident=incident)
        forms = forms or {}
        share_form = forms.get("share") or {"tlp": Tlp.GREEN.value}
        may = allowed(who)
        is_open = incident.state not in (IncidentState.CLOSED, IncidentState.FALSE_POSITIVE)
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
            related=_related_alerts(incident.alert_ids),
            may_notify=not incident.notifications and Action.FILE_NOTIFICATION in may,
            may_review=bool(incident.notifications)
            and incident.reviewed_at is None
            and Action.REVIEW_LEVEL in may,
            may_edit=is_open and Action.EDIT_INCIDENT in may,
            may_contain=is_open
            and bool(incident.notifications)
            and incident.contained_at is None
            and Action.EDIT_INCIDENT in may,
            may_report=is_open
            and incident.contained_at is not None
            and incident.report_submitted_at is None
            and Action.FILE_NOTIFICATION in may,
            evidence_hint=labels_for(request)["evidence_hint"].format(
                types=" ".join(ACCEPTED), mb=soc.settings.max_evidence_bytes // (1024 * 1024)
            ),
            answers=answers or LevelAnswers(system_class=suggested or SystemClass.NONE),
            proposal=proposal,
            errors=errors or {},
            form=forms.get("notify", {}),
            forms=forms,
            may_share=Action.SHARE in may and who.role is not Role.SYSTEM,
            published=published,
            share_preview=share_preview,
            published_tlp=Tlp(share_form["tlp"]).label if published else "",
            share_form=share_form,
            tlps=[m for m in Tlp if m is not Tlp.RED],
            report_items=REPORT_ITEMS,
            choices={
                "info_class": list(InfoClass),
                "leak": list(Impact),
                "tamper": list(Impact),
                "system_class": list(SystemClass),
                "availability": list(Availability),
            },
        )

    def _related_alerts(alert_ids: list[str]) -> list[Alert]:
        found = []
        for alert_id in alert_ids[:RELATED_ALERTS]:
            try:
                found.append(soc.store.alerts.get(alert_id))
            except CitySocError:
                continue  # an alert id kept on the incident after its alert expired
        return found

    def section_post(
        request: Request,
        csrf_token: str,
        incident_id: str,
        section: str,
        form: dict[str, str],
        act: Callable[[Actor], object],
    ) -> Response:
        """The shape of every incident form: session + CSRF, act through the service, back
        to the page (303); an input error re-renders the page with the message (422)."""
        found = form_session(request, csrf_token)
        if found is None:
            return to_login()
        who, csrf = found
        try:
            act(who)
        except CitySocError as exc:
            if exc.code in ("not_found", "forbidden"):
                raise
            return incident_page(
                request,
                who,
                csrf,
                incident_id,
                errors={section: exc.message},
                forms={section: form},
                status=422,
            )
        return RedirectResponse(f"/incidents/{incident_id}#{section}", status_code=303)

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
        leak: Annotated[Impact, Form()],
        tamper: Annotated[Impact, Form()],
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
                    request,
                    who,
                    csrf,
                    incident_id,
                    answers=answers,
                    proposal=proposal,
                    forms={"notify": form},
                )
            body = validated(
                NotificationCreate,
                answers=answers,
                description=description,
                response_measures=response_measures,
                outside_support_needed=outside_support == "yes",
                outside_support_detail=outside_support_detail,
                other_matters=other_matters,
            )
            service.file_notification(
                store=soc.store,
                actor=who,
                incident_id=incident_id,
                answers=body.answers,
                description=body.description,
                response_measures=body.response_measures,
                outside_support_needed=body.outside_support_needed,
                outside_support_detail=body.outside_support_detail,
                other_matters=body.other_matters,
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
                errors={"notify": exc.message},
                forms={"notify": form},
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
        def act(who: Actor) -> object:
            body = validated(ReviewCreate, level=level, note=note)
            return service.review_level(
                store=soc.store,
                actor=who,
                incident_id=incident_id,
                level=body.level,
                note=body.note,
                clock=soc.clock,
            )

        return section_post(request, csrf_token, incident_id, "review", {"note": note}, act)

    @router.post("/incidents/{incident_id}/share")
    def share(
        incident_id: str,
        request: Request,
        iocs: Annotated[str, Form()] = "",
        summary: Annotated[str, Form()] = "",
        tlp: Annotated[str, Form()] = Tlp.GREEN.value,
        incident_iocs: Annotated[str, Form()] = "",
        confirm: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        """Two steps: the form shows the preview of exactly what would leave; its confirm
        button (carrying the preview's digest) publishes that, and nothing else."""
        found = form_session(request, csrf_token)
        if found is None:
            return to_login()
        who, csrf = found
        form = {"iocs": iocs, "summary": summary, "tlp": tlp, "incident_iocs": incident_iocs}
        args: dict[str, Any] = {
            "store": soc.store,
            "actor": who,
            "registry": soc.registry,
            "partners": soc.partners,
            "incident_id": incident_id,
            "include_incident_iocs": incident_iocs == "yes",
            "summary": summary,
            "tlp": Tlp(tlp) if tlp in {m.value for m in Tlp} else Tlp.GREEN,
        }

        try:
            lines = [{"value": line.strip()} for line in iocs.splitlines() if line.strip()]
            body = validated(ShareCreate, iocs=lines, summary=summary)  # the API's limits
            args["iocs"] = [classify(i.value) for i in body.iocs]
            args["summary"] = body.summary
            if not confirm:
                return incident_page(
                    request,
                    who,
                    csrf,
                    incident_id,
                    forms={"share": form},
                    share_preview=preview_share(**args),
                )
            published = outgoing.publish(**args, confirm=confirm, clock=soc.clock)
        except ConflictError:  # the input or the incident changed: show the new preview
            try:
                current = preview_share(**args)
            except CitySocError as exc:
                return incident_page(
                    request,
                    who,
                    csrf,
                    incident_id,
                    errors={"share": exc.message},
                    forms={"share": form},
                    status=422,
                )
            return incident_page(
                request,
                who,
                csrf,
                incident_id,
                errors={"share": labels_for(request)["share_changed"]},
                forms={"share": form},
                share_preview=current,
                status=409,
            )
        except CitySocError as exc:
            if exc.code in ("not_found", "forbidden"):
                raise
            return incident_page(
                request,
                who,
                csrf,
                incident_id,
                errors={"share": exc.message},
                forms={"share": form},
                status=422,
            )
        return incident_page(
            request,
            who,
            csrf,
            incident_id,
            published=published,
            forms={"share": {"tlp": tlp}},
            status=201,
        )

    @router.post("/incidents/{incident_id}/progress")
    def progress(
        incident_id: str,
        request: Request,
        text: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        return section_post(
            request,
            csrf_token,
            incident_id,
            "progress",
            {"text": text},
            lambda who: service.update_progress(
                store=soc.store,
                actor=who,
                incident_id=incident_id,
                text=validated(ProgressCreate, text=text).text,
                clock=soc.clock,
            ),
        )

    @router.post("/incidents/{incident_id}/contained")
    def contained(
        incident_id: str,
        request: Request,
        note: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        return section_post(
            request,
            csrf_token,
            incident_id,
            "contained",
            {"note": note},
            lambda who: service.mark_contained(
                store=soc.store,
                actor=who,
                incident_id=incident_id,
                note=validated(ContainmentUpdate, note=note).note,
                clock=soc.clock,
            ),
        )

    @router.post("/incidents/{incident_id}/report")
    async def report(incident_id: str, request: Request) -> Response:
        fields = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        items = {name: fields.get(name, "") for name in REPORT_ITEMS}
        return await run_in_threadpool(
            section_post,
            request,
            fields.get("csrf_token", ""),
            incident_id,
            "report",
            items,
            lambda who: service.submit_report(
                store=soc.store,
                actor=who,
                incident_id=incident_id,
                report=validated(ReportUpdate, **items).report(),
                clock=soc.clock,
            ),
        )

    @router.post("/incidents/{incident_id}/evidence")
    async def upload_evidence(incident_id: str, request: Request) -> Response:
        try:
            who, _csrf = await run_in_threadpool(session, request)
        except UnauthenticatedError:
            return to_login()
        # Access before the body: nothing of the upload is read for a caller who may not
        # add evidence (the route declares no form parameters so FastAPI reads none).
        await run_in_threadpool(
            evidence.check_may_add, store=soc.store, actor=who, incident_id=incident_id
        )
        upload = await read_evidence_form(request, soc.settings.max_evidence_bytes)

        def act(actor: Actor) -> object:
            upload.raise_problem()
            return soc.attach_evidence(
                actor, incident_id, filename=upload.filename, data=upload.data, note=upload.note
            )

        return await run_in_threadpool(
            section_post,
            request,
            upload.csrf_token,
            incident_id,
            "evidence",
            {"note": upload.note},
            act,
        )

    @router.get("/incidents/{incident_id}/evidence/{sha256}")
    def download_evidence(incident_id: str, sha256: str, request: Request) -> Response:
        try:
            who, _csrf = session(request)
        except UnauthenticatedError:
            return to_login()
        return evidence_response(*soc.evidence_file(who, incident_id, sha256))

    @router.get("/alerts")
    def alert_queue_page(
        request: Request,
        query: Annotated[AlertQuery, Depends(alert_query)],
        offset: Offset = 0,
        done: str = "",
        n: Annotated[int, Query(ge=0, le=triage.MAX_SELECTION)] = 0,
        incident: str = "",
        error: str = "",
    ) -> Response:
        try:
            who, csrf = session(request)
        except UnauthenticatedError:
            return to_login()
        limit = QUEUE_PAGE
        total, items = triage.alert_queue(
            soc.store, actor=who, query=query, limit=limit, offset=offset
        )
        counts = triage.severity_counts(soc.store, actor=who, query=query)
        filters = {k: v for k, v in request.query_params.items() if k in FILTER_KEYS and v}
        return page(
            request,
            "alerts.html.j2",
            who=who,
            csrf=csrf,
            q=query,
            since=_local(query.since),
            until=_local(query.until),
            items=items,
            total=total,
            offset=offset,
            limit=limit,
            base="/alerts" + (f"?{urlencode(filters)}" if filters else ""),
            agencies=list(soc.registry),
            agency_name=lambda org: _agency_name(org, lang_of(request)),
            statuses=list(AlertStatus),
            severities=list(Severity),
            severity_chart=bar_chart(
                [(labels_for(request)[f"sev_{s.value}"], counts[s]) for s in Severity]
            ),
            may_triage=Action.TRIAGE in allowed(who),
            done=done if done in TRIAGE_ACTIONS else "",
            n=n,
            incident_id=incident if _INCIDENT_ID.fullmatch(incident) else "",
            error=error[:500],
        )

    @router.post("/alerts/triage")
    def triage_selected(
        request: Request,
        action: Annotated[str, Form()],
        alert_ids: Annotated[list[str] | None, Form()] = None,
        reason: Annotated[str, Form()] = "",
        incident_id: Annotated[str, Form()] = "",
        back: Annotated[str, Form()] = "/alerts",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        found = form_session(request, csrf_token)
        if found is None:
            return to_login()
        who, _csrf = found
        back = back if back.startswith("/alerts") and "//" not in back else "/alerts"
        sep = "&" if "?" in back else "?"
        ids = alert_ids or []
        outcome: dict[str, str | int] = {"done": action, "n": len(ids)}
        try:
            if action in ("assign_me", "unassign"):
                assigned = validated(
                    AlertsAssignmentUpdate,
                    alert_ids=ids,
                    assignee=who.name if action == "assign_me" else None,
                )
                outcome["n"] = triage.assign_alerts(
                    store=soc.store,
                    actor=who,
                    alert_ids=assigned.alert_ids,
                    assignee=assigned.assignee,
                    clock=soc.clock,
                )
            elif action == "suppress":
                suppressed = validated(AlertsFalsePositiveUpdate, alert_ids=ids, reason=reason)
                outcome["n"] = triage.suppress_alerts(
                    store=soc.store,
                    actor=who,
                    alert_ids=suppressed.alert_ids,
                    reason=suppressed.reason,
                    clock=soc.clock,
                )
            elif action == "escalate":
                chosen = validated(
                    AlertsEscalationCreate, alert_ids=ids, incident_id=incident_id.strip() or None
                )
                escalated = triage.escalate_alerts(
                    store=soc.store,
                    actor=who,
                    alert_ids=chosen.alert_ids,
                    registry=soc.registry,
                    incident_id=chosen.incident_id,
                    clock=soc.clock,
                )
                outcome["incident"] = escalated.id
            else:
                raise InputError(f"unknown action {action!r}", location="action")
        except CitySocError as exc:
            if exc.code in ("not_found", "forbidden"):
                raise  # another agency's alert, or a role that may not triage
            return RedirectResponse(
                f"{back}{sep}{urlencode({'error': exc.message})}", status_code=303
            )
        return RedirectResponse(f"{back}{sep}{urlencode(outcome)}", status_code=303)

    @router.get("/events/{event_id}")
    def event_page(event_id: str, request: Request) -> Response:
        try:
            who, csrf = session(request)
        except UnauthenticatedError:
            return to_login()
        found = triage.event_for(soc.store, actor=who, event_id=event_id)
        return page(
            request,
            "event.html.j2",
            who=who,
            csrf=csrf,
            e=found,
            agency=_agency_name(found.organization_id, lang_of(request)),
            fields=sorted(found.fields.items()),
        )

    @router.get("/reviews")
    def review_queue(request: Request) -> Response:
        try:
            who, csrf = session(request)
        except UnauthenticatedError:
            return to_login()
        if who.role is Role.REPORTER:
            raise ForbiddenError(
                "the review queue is the superior agency's (the city SOC's)", location="reviews"
            )
        now = soc.clock.now()
        waiting = []
        for incident in service.list_incidents(store=soc.store, actor=who, limit=REVIEW_SCAN):
            if not incident.notifications or incident.reviewed_at is not None:
                continue
            due = next(
                d for d in service.deadlines(incident, now=now) if d.kind is DeadlineKind.REVIEW
            )
            waiting.append((due.due_at or now, incident, due))
        waiting.sort(key=lambda row: row[0])
        rows = [{"i": i, "due": d, "left": at - now} for at, i, d in waiting]
        return page(
            request,
            "reviews.html.j2",
            who=who,
            csrf=csrf,
            rows=rows,
            agencies=soc.registry,
            may_review=Action.REVIEW_LEVEL in allowed(who),
        )

    @router.get("/dashboard")
    def dashboard(
        request: Request,
        start: Annotated[Day | None, Query(alias="from")] = None,
        end: Annotated[Day | None, Query(alias="to")] = None,
        agency: Text = None,
    ) -> Response:
        try:
            who, csrf = session(request)
        except UnauthenticatedError:
            return to_login()
        now = soc.clock.now()
        today = now.astimezone(TAIPEI).date()
        end = end or today
        start = start or date(end.year, 1, 1)
        if end < start:
            start, end = end, start
        lang = lang_of(request)
        report = compliance.build_compliance(
            store=soc.store,
            anchors=soc.anchors,
            actor=who,
            registry=soc.registry,
            start=start,
            end=end,
            now=now,
            agency=agency,
        )
        query = urlencode({"from": start, "to": end, **({"agency": agency} if agency else {})})
        return page(
            request,
            "dashboard.html.j2",
            who=who,
            csrf=csrf,
            r=report,
            charts=compliance.charts(report, lang),
            start=start,
            end=end,
            agency=agency or "",
            agencies=list(soc.registry) if who.role is not Role.REPORTER else [],
            names=soc.registry,
            clock_names={k: pair[0 if lang == "zh" else 1] for k, pair in TITLES.items()},
            export=f"/api/v1/reports/compliance?{query}&lang={lang}",
        )

    @router.get("/audit")
    def audit_page(
        request: Request,
        subject: Text = None,
        offset: Offset = 0,
    ) -> Response:
        try:
            who, csrf = session(request)
        except UnauthenticatedError:
            return to_login()
        limit = AUDIT_PAGE
        total, rows = audit.trail(soc.store, actor=who, subject=subject, limit=limit, offset=offset)
        return page(
            request,
            "audit.html.j2",
            who=who,
            csrf=csrf,
            rows=rows,
            total=total,
            offset=offset,
            limit=limit,
            subject=subject or "",
            base="/audit" + (f"?{urlencode({'subject': subject})}" if subject else ""),
            verification=soc.verify_audit(actor=who),
        )

    @router.get("/static/{name}")
    def static(name: str) -> Response:
        if name not in STATIC_FILES:
            raise NotFoundError(f"no static file {name}", location="path")
        return Response(
            (STATIC / name).read_bytes(),
            media_type=STATIC_FILES[name],
            headers={"Cache-Control": "public, max-age=3600"},
        )

    @router.get("/intel")
    def intel_page(request: Request, offset: Offset = 0) -> Response:
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

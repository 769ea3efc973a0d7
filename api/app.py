"""create_app(): the FastAPI application (JSON API under /api/v1)."""

import hmac
import itertools
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse

from api.body_limits import BodyLimits, install_body_limits
from api.context import CitySoc
from api.docs import docs_router
from api.errors import install_error_handlers
from api.filters import Day, Offset, alert_query
from api.headers import install_security_headers
from api.limits import LoginLimiter
from api.observability import metrics_text
from api.origin import require_same_origin
from api.pages import pages_router
from api.presenters import incident_clocks
from api.schemas import (
    AlertGroupRead,
    AlertPage,
    AlertsAssignmentUpdate,
    AlertsEscalationCreate,
    AlertsFalsePositiveUpdate,
    ContainmentUpdate,
    DeadlineRead,
    GroupFalsePositiveUpdate,
    IncidentAlertsUpdate,
    IncidentCreate,
    IncidentPage,
    IncidentRead,
    NotificationCreate,
    ProgressCreate,
    RemovedRead,
    ReportUpdate,
    ReviewCreate,
    SessionCreate,
    ShareCreate,
    SharePreviewRead,
    ShareRead,
    TokenCreate,
    WithheldRead,
)
from api.sessions import clear_session_cookie, session_id_of, set_session_cookie
from api.taxii import taxii_router
from api.uploads import EVIDENCE_FORM_OPENAPI, read_evidence_form
from core import accounts, audit, limits
from core.access import Actor, Role
from core.alerts import AlertQuery
from core.errors import ForbiddenError, InputError, UnauthenticatedError
from core.storage import pending_events
from incidents import drills, evidence, service, triage
from incidents.models import EvidenceFile, Incident
from incidents.sharing import intel, outgoing
from incidents.sharing.observables import classify
from incidents.sharing.preview import preview_share
from incidents.sharing.pull import pull_partner
from incidents.sharing.watchlist import list_indicators
from reports import compliance
from reports.documents import DocumentKind, build_document, render_drill_html, render_html
from reports.render import MEDIA_TYPES, encode_page

__all__ = ["READY_PROBE_SECONDS", "create_app"]

READY_PROBE_SECONDS = 2.0


def _file(data: bytes, fmt: str, disposition: str | None = None) -> Response:
    headers = {"Content-Disposition": disposition} if disposition else None
    return Response(data, media_type=MEDIA_TYPES[fmt], headers=headers)


def create_app(soc: CitySoc, *, api_token: str) -> FastAPI:
    """The application for one CitySOC. ``api_token`` authorizes the local operator.

    (Per-user accounts and roles over HTTP arrive with the web-app work; until then the
    one operator token acts as an administrator.)
    """
    app = FastAPI(
        title="CitySOC",
        version="0.1.0",
        docs_url=None,  # FastAPI's page loads Swagger UI from a CDN: see api/docs.py
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.soc = soc  # read by api.deps.get_soc
    install_error_handlers(app)
    install_body_limits(app, BodyLimits.for_settings(soc.settings))
    install_security_headers(app)

    limiter = LoginLimiter(per_minute=soc.settings.login_attempts_per_minute)
    # One thread for readiness probes: a probe stuck behind a store lock makes later ones
    # wait their short timeout behind it, never pile up threads.
    probes = ThreadPoolExecutor(1, thread_name_prefix="ready-probe")

    def bearer(token: str) -> Actor:
        """The operator token, or a user's API token. Raises UnauthenticatedError."""
        if hmac.compare_digest(token.encode(), api_token.encode()):
            return Actor("api:operator", Role.ADMIN)
        return accounts.actor_for_token(store=soc.store, token=token)

    def actor(
        request: Request,
        authorization: Annotated[str | None, Header()] = None,
        x_csrf_token: Annotated[str | None, Header()] = None,
    ) -> Actor:
        """Bearer token (a user's API token, or the operator token) or a session cookie.

        Cookie sessions must echo their CSRF token on every state-changing request.
        """
        if authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise UnauthenticatedError(
                    "use Authorization: Bearer <token>", location="header.authorization"
                )
            who = bearer(token.strip())
            if who.role is Role.PARTNER:
                raise ForbiddenError(
                    "partner credentials open the TAXII endpoints under /taxii2/ only",
                    location="header.authorization",
                )
            return who
        session_id = session_id_of(request)
        if session_id:
            who, csrf = accounts.actor_for_session(
                store=soc.store, session_id=session_id, clock=soc.clock
            )
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                accounts.check_csrf(csrf, x_csrf_token)
            return who
        raise UnauthenticatedError(
            "authentication required: log in, or send Authorization: Bearer <token>",
            location="header.authorization",
        )

    ActorDep = Annotated[Actor, Depends(actor)]

    @app.post("/api/v1/auth/login")
    def login(body: SessionCreate, request: Request, response: Response) -> dict[str, object]:
        require_same_origin(request)  # no session yet, so no CSRF token: where it came from
        limiter.check(request.client.host if request.client else "unknown")
        user = accounts.authenticate(
            store=soc.store,
            username=body.username,
            password=body.password.get_secret_value(),
            clock=soc.clock,
        )
        session_id, csrf = accounts.start_session(store=soc.store, user=user, clock=soc.clock)
        set_session_cookie(response, session_id, secure=soc.settings.cookie_secure)
        return {
            "username": user.username,
            "role": user.role.value,
            "agency": user.agency,
            "csrf_token": csrf,
        }

    @app.post("/api/v1/auth/logout", status_code=204)
    def logout(request: Request, response: Response, who: ActorDep) -> None:  # noqa: ARG001
        session_id = session_id_of(request)
        if session_id:
            accounts.end_session(store=soc.store, session_id=session_id)
        clear_session_cookie(response)

    @app.get("/api/v1/me")
    def me(who: ActorDep) -> dict[str, object]:
        return {"name": who.name, "role": who.role.value, "agency": who.agency}

    @app.post("/api/v1/tokens", status_code=201)
    def create_token(body: TokenCreate, who: ActorDep) -> dict[str, object]:
        plain, token = accounts.issue_token(
            store=soc.store, actor=who, name=body.name, clock=soc.clock
        )
        return {
            "id": token.id,
            "name": token.name,
            "token": plain,
            "note": "shown once: store it now; CitySOC keeps only its hash",
        }

    @app.get("/api/v1/tokens")
    def tokens(who: ActorDep) -> list[dict[str, object]]:
        return [
            t.model_dump(exclude={"token_hash"}, mode="json")
            for t in accounts.list_tokens(store=soc.store, actor=who)
        ]

    @app.delete("/api/v1/tokens/{token_id}")
    def revoke(token_id: str, who: ActorDep) -> dict[str, object]:
        token = accounts.revoke_token(
            store=soc.store, actor=who, token_id=token_id, clock=soc.clock
        )
        return token.model_dump(exclude={"token_hash"}, mode="json")

    def read(incident: Incident) -> IncidentRead:
        now = soc.clock.now()
        clocks = incident_clocks(incident, now=now)
        return IncidentRead(
            incident=incident,
            version=incident.version,
            deadlines=[DeadlineRead.model_validate(d) for d in clocks.rows],
            overdue=clocks.overdue,
            suggested_system_class=service.suggest_system_class(store=soc.store, incident=incident),
        )

    @app.get("/metrics", response_class=PlainTextResponse, include_in_schema=False)
    def metrics(who: ActorDep) -> str:
        """Scrapers use an analyst's (or the operator's) API token."""
        return metrics_text(
            soc.store, soc.clock, soc.health.snapshot(), soc.health.metrics(), actor=who
        )

    @app.get("/api/v1/health")
    def health() -> dict[str, object]:
        """Liveness: the process answers. Workers are listed; readiness judges them."""
        workers = soc.health.snapshot()
        return {
            "status": "ok" if all(w.ok for w in workers) else "degraded",
            "store": soc.store.engine,
            # (no store counts: this answers anyone, and must answer while the store is busy)
            "events_pending": pending_events(soc.store),  # accepted, waiting in the spool
            "agencies": len(soc.registry),
            "workers": {w.name: w.as_dict() for w in workers},
        }

    @app.get("/api/v1/ready")
    def ready() -> Response:
        """For load balancers and orchestration: 200 when the store answers, rules are
        compiled and every background worker runs; 503 (with what failed) otherwise."""
        checks: dict[str, str] = {}
        workers = soc.health.snapshot()
        checks.update({w.name: w.describe() for w in workers})
        # The store is asked on a thread of its own, for at most READY_PROBE_SECONDS: a store
        # whose writes wait on a lock (another process holding it) would otherwise hold this
        # answer as long, and then say "ready" although nothing could be stored meanwhile.
        probe = probes.submit(soc.store.events.last_position)
        try:
            probe.result(timeout=READY_PROBE_SECONDS)
            checks["store"] = "ok"
        except FutureTimeout:
            checks["store"] = (
                f"busy: no answer within {READY_PROBE_SECONDS:g} s (a write is waiting for "
                "the store, e.g. a lock held by another process)"
            )
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready", said plainly
            checks["store"] = f"unavailable: {type(exc).__name__}"
        compiled = False
        if checks["store"] == "ok":
            try:  # the first call compiles and caches into the store, which may refuse writes
                rules = soc.rules()
                checks["rules"] = f"{len(rules.compiled)} compiled, {len(rules.issues)} with issues"
                compiled = bool(rules.compiled)
            except Exception as exc:  # noqa: BLE001 - said plainly, as for the store
                checks["rules"] = f"not compiled: {type(exc).__name__}"
        else:
            checks["rules"] = "not checked: the store does not answer"
        ok = checks["store"] == "ok" and compiled and all(w.ok for w in workers)
        return JSONResponse(
            {
                "ready": ok,
                "engine": soc.store.engine,
                "checks": checks,
                "workers": {w.name: w.as_dict() for w in workers},
            },
            status_code=200 if ok else 503,
        )

    @app.get("/api/v1/alerts", response_model=AlertPage)
    def alerts(
        who: ActorDep,
        query: Annotated[AlertQuery, Depends(alert_query)],
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Offset = 0,
    ) -> AlertPage:
        """The alert queue: filter by agency, status, severity, rule, host, assignee and the
        matched event's time (``since`` inclusive, ``until`` exclusive), newest first."""
        total, items = triage.alert_queue(
            soc.store, actor=who, query=query, limit=limit, offset=offset
        )
        return AlertPage(total=total, limit=limit, offset=offset, items=items)

    @app.post("/api/v1/alerts/assign")
    def assign_alerts(body: AlertsAssignmentUpdate, who: ActorDep) -> dict[str, int]:
        changed = triage.assign_alerts(
            store=soc.store,
            actor=who,
            alert_ids=body.alert_ids,
            assignee=body.assignee,
            clock=soc.clock,
        )
        return {"alerts": changed}

    @app.post("/api/v1/alerts/false-positive")
    def suppress_alerts(body: AlertsFalsePositiveUpdate, who: ActorDep) -> dict[str, int]:
        changed = triage.suppress_alerts(
            store=soc.store,
            actor=who,
            alert_ids=body.alert_ids,
            reason=body.reason,
            clock=soc.clock,
        )
        return {"alerts": changed}

    @app.post("/api/v1/alerts/escalate", response_model=IncidentRead)
    def escalate_alerts(body: AlertsEscalationCreate, who: ActorDep) -> IncidentRead:
        return read(
            triage.escalate_alerts(
                store=soc.store,
                actor=who,
                alert_ids=body.alert_ids,
                registry=soc.registry,
                incident_id=body.incident_id,
                clock=soc.clock,
            )
        )

    @app.get("/api/v1/events/{event_id}")
    def event(event_id: str, who: ActorDep) -> dict[str, object]:
        """One stored event (an alert's ``event.event_id``): the original record, verbatim,
        and its normalized ECS fields."""
        found = triage.event_for(soc.store, actor=who, event_id=event_id)
        return {
            "id": found.event_id,
            "timestamp": found.timestamp,
            "dataset": found.dataset,
            "organization_id": found.organization_id,
            "original": found.original,
            "fields": found.fields,
        }

    @app.get("/api/v1/alert-groups", response_model=list[AlertGroupRead])
    def alert_groups(who: ActorDep) -> list[AlertGroupRead]:
        return [AlertGroupRead.model_validate(g) for g in triage.list_groups(soc.store, actor=who)]

    @app.post("/api/v1/alert-groups/{key}/escalate", response_model=IncidentRead)
    def escalate(key: str, who: ActorDep) -> IncidentRead:
        return read(
            triage.escalate_group(
                store=soc.store, actor=who, group_key=key, registry=soc.registry, clock=soc.clock
            )
        )

    @app.post("/api/v1/alert-groups/{key}/false-positive")
    def false_positive(key: str, body: GroupFalsePositiveUpdate, who: ActorDep) -> dict[str, int]:
        changed = triage.mark_false_positive(
            store=soc.store, actor=who, group_key=key, reason=body.reason, clock=soc.clock
        )
        return {"alerts": changed}

    @app.get("/api/v1/incidents", response_model=IncidentPage)
    def incidents(
        who: ActorDep,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Offset = 0,
    ) -> IncidentPage:
        found = service.list_incidents(store=soc.store, actor=who, limit=limit, offset=offset)
        return IncidentPage(limit=limit, offset=offset, items=[read(i) for i in found])

    @app.post("/api/v1/incidents", response_model=IncidentRead, status_code=201)
    def create_incident(body: IncidentCreate, who: ActorDep) -> IncidentRead:
        soc.registry.get(body.organization_id)
        return read(
            service.open_incident(
                store=soc.store,
                actor=who,
                organization_id=body.organization_id,
                title=body.title,
                aware_at=body.aware_at,
                occurred_at=body.occurred_at,
                description=body.description,
                affected_assets=body.affected_assets,
                clock=soc.clock,
            )
        )

    @app.get("/api/v1/incidents/{incident_id}", response_model=IncidentRead)
    def incident(incident_id: str, who: ActorDep) -> IncidentRead:
        return read(service.get_incident(store=soc.store, actor=who, incident_id=incident_id))

    @app.post("/api/v1/incidents/{incident_id}/notifications", response_model=IncidentRead)
    def notify(incident_id: str, body: NotificationCreate, who: ActorDep) -> IncidentRead:
        updated = service.file_notification(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            answers=body.answers,
            description=body.description,
            response_measures=body.response_measures,
            outside_support_needed=body.outside_support_needed,
            outside_support_detail=body.outside_support_detail,
            other_matters=body.other_matters,
            aware_at=body.aware_at,
            fallback_channel_reason=body.fallback_channel_reason,
            category=body.category,
            clock=soc.clock,
        )
        if body.iocs:
            updated = service.add_iocs(
                store=soc.store,
                actor=who,
                incident_id=incident_id,
                iocs=[i.ioc() for i in body.iocs],
                clock=soc.clock,
            )
        return read(updated)

    @app.post("/api/v1/incidents/{incident_id}/review", response_model=IncidentRead)
    def review(incident_id: str, body: ReviewCreate, who: ActorDep) -> IncidentRead:
        return read(
            service.review_level(
                store=soc.store,
                actor=who,
                incident_id=incident_id,
                level=body.level,
                note=body.note,
                clock=soc.clock,
            )
        )

    @app.post("/api/v1/incidents/{incident_id}/progress", response_model=IncidentRead)
    def progress(incident_id: str, body: ProgressCreate, who: ActorDep) -> IncidentRead:
        """Record response progress (應變處置進度)."""
        return read(
            service.update_progress(
                store=soc.store, actor=who, incident_id=incident_id, text=body.text, clock=soc.clock
            )
        )

    @app.post("/api/v1/incidents/{incident_id}/contained", response_model=IncidentRead)
    def contained(incident_id: str, body: ContainmentUpdate, who: ActorDep) -> IncidentRead:
        """Damage control or recovery is complete (損害控制或復原作業完成): stops that clock."""
        return read(
            service.mark_contained(
                store=soc.store, actor=who, incident_id=incident_id, note=body.note, clock=soc.clock
            )
        )

    @app.post("/api/v1/incidents/{incident_id}/report", response_model=IncidentRead)
    def investigation_report(incident_id: str, body: ReportUpdate, who: ActorDep) -> IncidentRead:
        """Submit the investigation, handling and improvement report (調查、處理及改善報告)."""
        return read(
            service.submit_report(
                store=soc.store,
                actor=who,
                incident_id=incident_id,
                report=body.report(),
                clock=soc.clock,
            )
        )

    @app.post("/api/v1/incidents/{incident_id}/alerts", response_model=IncidentRead)
    def link_alerts(incident_id: str, body: IncidentAlertsUpdate, who: ActorDep) -> IncidentRead:
        """Link alerts (of the incident's agency) to the incident."""
        return read(
            triage.escalate_alerts(
                store=soc.store,
                actor=who,
                alert_ids=body.alert_ids,
                registry=soc.registry,
                incident_id=incident_id,
                clock=soc.clock,
            )
        )

    @app.get("/api/v1/incidents/{incident_id}/evidence", response_model=list[EvidenceFile])
    def evidence_list(incident_id: str, who: ActorDep) -> list[EvidenceFile]:
        return service.get_incident(store=soc.store, actor=who, incident_id=incident_id).evidence

    @app.post(
        "/api/v1/incidents/{incident_id}/evidence",
        response_model=IncidentRead,
        status_code=201,
        openapi_extra=EVIDENCE_FORM_OPENAPI,
    )
    async def evidence_upload(incident_id: str, request: Request, who: ActorDep) -> IncidentRead:
        """Attach an evidence file (multipart ``file``, optional ``note``; accepted types and
        size in the error if refused). Stored outside the web root; served only to those who
        see the incident."""
        # Access before the body: nothing of the upload is read for a caller who may not
        # add evidence (the route declares no body parameters so FastAPI reads none).
        await run_in_threadpool(
            evidence.check_may_add, store=soc.store, actor=who, incident_id=incident_id
        )
        upload = await read_evidence_form(request, soc.settings.max_evidence_bytes)
        upload.raise_problem()
        return read(
            await run_in_threadpool(
                soc.attach_evidence,
                who,
                incident_id,
                filename=upload.filename,
                data=upload.data,
                note=upload.note,
            )
        )

    @app.get("/api/v1/incidents/{incident_id}/evidence/{sha256}", response_model=None)
    def evidence_download(incident_id: str, sha256: str, who: ActorDep) -> Response:
        return soc.evidence_file(who, incident_id, sha256)

    @app.post(
        "/api/v1/incidents/{incident_id}/share",
        response_model=ShareRead | SharePreviewRead,
        status_code=201,
        responses={200: {"model": SharePreviewRead, "description": "the preview (no confirm)"}},
    )
    def share(
        incident_id: str, body: ShareCreate, who: ActorDep, response: Response
    ) -> ShareRead | SharePreviewRead:
        """Share chosen IoCs and a summary with partners (de-identified, TLP-marked), in two
        steps: without ``confirm`` the answer (200) is the preview of exactly what would leave;
        the same request with ``confirm`` set to the preview's digest publishes it (201), or
        is refused (409) when what would leave has changed since: preview again."""
        args: dict[str, Any] = {
            "store": soc.store,
            "actor": who,
            "registry": soc.registry,
            "partners": soc.partners,
            "incident_id": incident_id,
            "iocs": [classify(i.value, i.type) for i in body.iocs],
            "include_incident_iocs": body.include_incident_iocs,
            "summary": body.summary,
            "tlp": body.tlp,
        }
        if body.confirm is None:
            preview = preview_share(**args)
            response.status_code = 200
            return SharePreviewRead(
                digest=preview.digest,
                tlp=preview.tlp,
                collection_id=preview.collection_id,
                summary=preview.summary,
                shared=preview.shared,
                withheld=[WithheldRead(ioc=w.ioc, reason=w.reason) for w in preview.withheld],
                redactions=preview.redactions,
                removed=[RemovedRead(kind=r.kind, text=r.text) for r in preview.removed],
            )
        published = outgoing.publish(**args, confirm=body.confirm, clock=soc.clock)
        return ShareRead(
            bundle_id=published.bundle["id"],
            collection_id=published.collection_id,
            objects=len(published.bundle["objects"]),
            shared=published.shared,
            withheld=[WithheldRead(ioc=w.ioc, reason=w.reason) for w in published.withheld],
            redactions=published.redactions,
            summary=published.summary,
        )

    @app.get("/api/v1/intel")
    def intel_overview(who: ActorDep) -> dict[str, object]:
        rows, indicators = intel.overview(
            store=soc.store, partners=soc.partners, actor=who, now=soc.clock.now()
        )
        return {
            "partners": [
                {
                    "id": r.partner.id,
                    "name_zh": r.partner.name_zh,
                    "name_en": r.partner.name_en,
                    "grants": r.partner.grants,
                    "max_tlp": r.partner.max_tlp.value,
                    "pulls": r.partner.pull is not None,
                    "last_pull": r.last_pull,
                    "indicators": r.indicators,
                    "active": r.active,
                    "not_swept": r.not_swept,
                    "hits": r.hits,
                }
                for r in rows
            ],
            "indicators": len(indicators),
            "hits": soc.store.alerts.count(AlertQuery(rule_prefix=intel.INDICATOR_RULES)),
        }

    @app.get("/api/v1/intel/indicators")
    def intel_indicators(
        who: ActorDep,
        partner: Annotated[str | None, Query(max_length=limits.IDENT)] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Offset = 0,
    ) -> dict[str, object]:
        intel.require_intel_reader(who)
        found = list_indicators(soc.store, partner=partner)
        return {
            "total": len(found),
            "limit": limit,
            "offset": offset,
            "items": [w.model_dump(mode="json") for w in found[offset : offset + limit]],
        }

    @app.post("/api/v1/intel/partners/{partner_id}/pull")
    def intel_pull(partner_id: str, who: ActorDep) -> dict[str, object]:
        report = pull_partner(
            store=soc.store,
            partners=soc.partners,
            partner_id=partner_id,
            actor=who,
            clock=soc.clock,
            limits=soc.pull_limits,
        )
        return {
            "partner": report.partner,
            "received": report.received,
            "new": report.new,
            "updated": report.updated,
            "rejected": [{"id": i, "reason": r} for i, r in report.rejected],
            "not_swept": [{"id": i, "reason": r} for i, r in report.not_swept],
            "since": report.since,
            "until": report.until,
            "pages": report.pages,
            "stopped": report.stopped,
        }

    @app.get("/api/v1/incidents/{incident_id}/documents/{kind}", response_model=None)
    def document(
        incident_id: str,
        kind: DocumentKind,
        who: ActorDep,
        format: Literal["html", "pdf"] = "html",  # noqa: A002 - the query parameter's name
        lang: Literal["zh", "en"] = "zh",
    ) -> Response:
        found = service.get_incident(store=soc.store, actor=who, incident_id=incident_id)
        doc = build_document(kind, found, registry=soc.registry, now=soc.clock.now(), lang=lang)
        disposition = f'inline; filename="{kind.value}-{incident_id}.pdf"'
        return _file(
            encode_page(render_html(doc), format), format, disposition if format == "pdf" else None
        )

    @app.get("/api/v1/drills/{drill_id}/report", response_model=None)
    def drill_report(
        drill_id: str,
        who: ActorDep,
        format: Literal["html", "pdf"] = "html",  # noqa: A002
        lang: Literal["zh", "en"] = "zh",
    ) -> Response:
        drill = drills.get_drill(store=soc.store, actor=who, drill_id=drill_id)
        html = render_drill_html(drill, registry=soc.registry, now=soc.clock.now(), lang=lang)
        return _file(encode_page(html, format), format)

    @app.get("/api/v1/reports/compliance", response_model=None)
    def compliance_report(
        who: ActorDep,
        start: Annotated[Day, Query(alias="from")],
        end: Annotated[Day, Query(alias="to")],
        agency: Annotated[str | None, Query(max_length=limits.IDENT)] = None,
        format: Literal["json", "html", "pdf", "csv", "xlsx"] = "json",  # noqa: A002
        lang: Literal["zh", "en"] = "zh",
    ) -> Response:
        if end < start:
            raise InputError("'to' is before 'from'", location="query.to")
        report = compliance.build_compliance(
            store=soc.store,
            anchors=soc.anchors,
            actor=who,
            registry=soc.registry,
            start=start,
            end=end,
            now=soc.clock.now(),
            agency=agency,
        )
        data = compliance.export(report, format, registry=soc.registry, lang=lang)
        attachment = f'attachment; filename="compliance-{start}-{end}.{format}"'
        return _file(data, format, attachment if format in ("pdf", "csv", "xlsx") else None)

    @app.get("/api/v1/reports/compliance/schema")
    def compliance_schema() -> dict[str, object]:
        return compliance.report_schema()

    @app.get("/api/v1/dead-letters")
    def dead_letters(
        who: ActorDep,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Offset = 0,
    ) -> dict[str, object]:
        if who.role is Role.REPORTER:  # raw records of every agency: city SOC and auditors only
            raise ForbiddenError(
                "dead letters hold records of every agency; ask the city SOC",
                location="dead-letters",
            )
        items = soc.store.dead_letters.list(limit=limit, offset=offset)
        return {
            "total": soc.store.dead_letters.count(),
            "limit": limit,
            "offset": offset,
            "items": [
                {
                    "id": d.id,
                    "received_at": d.received_at,
                    "source": d.source,
                    "position": d.position,
                    "reason": d.reason,
                    "bytes": len(d.raw),
                }
                for d in items
            ],
        }

    @app.get("/api/v1/audit")
    def audit_trail(
        who: ActorDep,
        subject: Annotated[str | None, Query(max_length=300)] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Offset = 0,
    ) -> dict[str, object]:
        """The audit trail, newest first (``subject``: one incident, alert or account)."""
        total, rows = audit.trail(soc.store, actor=who, subject=subject, limit=limit, offset=offset)
        return {
            "total": total,
            "limit": limit,
            "offset": offset,
            "items": [
                {
                    "seq": r.seq,
                    "at": r.at,
                    "actor": r.actor,
                    "action": r.action,
                    "subject": r.subject,
                    "detail": r.detail,
                    "hash": r.hash,
                }
                for r in rows
            ],
        }

    @app.get("/api/v1/audit/export", response_model=None)
    def audit_export(
        who: ActorDep, subject: Annotated[str | None, Query(max_length=300)] = None
    ) -> Response:
        """The whole trail (or one subject's) as CSV with the hashes, for offline checks."""
        rows = audit.export_csv(soc.store, actor=who, subject=subject)
        first = next(rows)  # access is checked before the response starts
        return StreamingResponse(
            itertools.chain([first], rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="audit-trail.csv"'},
        )

    @app.get("/api/v1/audit/verify")
    def audit_verify(who: ActorDep) -> dict[str, object]:
        """The chain checked link by link and against every signed anchor (then anchored)."""
        result = soc.verify_audit(actor=who)
        latest = result.latest_anchor
        return {
            "ok": result.ok,
            "entries": result.entries,
            "first_bad_seq": result.first_bad_seq,
            "reason": result.reason,
            "problems": list(result.problems),
            "anchors": {
                "checked": result.anchors,
                "unanchored_entries": result.unanchored,
                "latest": None
                if latest is None
                else {
                    "number": latest.number,
                    "at": latest.at,
                    "entries": latest.entries,
                    "head_seq": latest.head_seq,
                    "head_hash": latest.head_hash,
                    "mac": latest.mac,
                },
            },
        }

    app.include_router(docs_router(title=app.title, openapi_url="/api/v1/openapi.json"))
    app.state.limiter = limiter  # the login form reads it (api.pages.deps.Limiter)
    app.include_router(pages_router)
    app.include_router(taxii_router(soc, bearer))
    return app

"""The incident page's forms: the guided notification, the superior's review, sharing,
progress, containment, the investigation report and evidence (the level change, forwarding,
closing and dismissing are in api.pages.incident_steps). Each acts through the same
service as the API and answers with a 303 back to the page, or the page again with the
refused form filled in and its message (422)."""

from collections.abc import Callable
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from api.context import CitySoc
from api.deps import Soc
from api.ioc_lines import parse_ioc_lines
from api.pages.deps import FormSession, PageSession, Session, check_form_token
from api.pages.incidents import REPORT_ITEMS, STEP_FORMS, incident_page
from api.pages.rendering import labels_for, said, validated
from api.schemas import (
    ContainmentUpdate,
    NotificationCreate,
    ProgressCreate,
    ReportUpdate,
    ReviewCreate,
    ShareCreate,
)
from api.uploads import read_evidence_form
from core.access import Actor
from core.errors import CitySocError, ConflictError
from incidents import casework, closing, evidence, notification
from incidents.levels import (
    Availability,
    Impact,
    InfoClass,
    LevelAnswers,
    SystemClass,
    assess_level,
)
from incidents.sharing.observables import classify
from incidents.sharing.preview import ShareRequest
from incidents.sharing.tlp import Tlp
from incidents.workflow import Step

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def section_post(
    request: Request,
    soc: CitySoc,
    session: PageSession,
    incident_id: str,
    section: str,
    form: dict[str, str],
    act: Callable[[Actor], object],
) -> Response:
    """The shape of every incident form (session and CSRF already checked): act through the
    service, back to the page (303); an input error re-renders the page with the message
    (422)."""
    try:
        act(session.who)
    except CitySocError as exc:
        # A step the incident's state no longer allows has no form on the page to show its
        # message beside: the error page says it (as for access).
        if exc.code in ("not_found", "forbidden", "invalid_transition"):
            raise
        return incident_page(
            request,
            soc,
            session,
            incident_id,
            errors={section: said(request, exc)},
            forms={section: form},
            status=422,
        )
    return RedirectResponse(f"/incidents/{incident_id}#{section}", status_code=303)


@router.post(STEP_FORMS[Step.NOTIFY])
def notify(
    incident_id: str,
    request: Request,
    soc: Soc,
    session: FormSession,
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
    event_name: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    iocs: Annotated[str, Form()] = "",
) -> Response:
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
        "event_name": event_name,
        "category": category,
        "iocs": iocs,
    }
    try:
        proposal = assess_level(answers)
        if intent != "file":  # "propose": show the level and the reasoning, file nothing
            return incident_page(
                request,
                soc,
                session,
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
            event_name=event_name,
            category=category or None,
            iocs=parse_ioc_lines(iocs.splitlines()),
        )
        notification.file_notification(
            store=soc.store,
            actor=session.who,
            incident_id=incident_id,
            answers=body.answers,
            description=body.description,
            response_measures=body.response_measures,
            outside_support_needed=body.outside_support_needed,
            outside_support_detail=body.outside_support_detail,
            other_matters=body.other_matters,
            category=body.category,
            event_name=body.event_name,
            iocs=[x.ioc() for x in body.iocs],
            clock=soc.clock,
        )
    except CitySocError as exc:
        if exc.code in ("not_found", "forbidden"):
            raise
        return incident_page(
            request,
            soc,
            session,
            incident_id,
            answers=answers,
            errors={"notify": said(request, exc)},
            forms={"notify": form},
            status=422,
        )
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@router.post(STEP_FORMS[Step.REVIEW])
def review(
    incident_id: str,
    request: Request,
    soc: Soc,
    session: FormSession,
    level: Annotated[int, Form()],
    note: Annotated[str, Form()] = "",
) -> Response:
    def act(who: Actor) -> object:
        body = validated(ReviewCreate, level=level, note=note)
        return notification.review_level(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            level=body.level,
            note=body.note,
            clock=soc.clock,
        )

    return section_post(request, soc, session, incident_id, "review", {"note": note}, act)


@router.post("/incidents/{incident_id}/share")
def share(
    incident_id: str,
    request: Request,
    soc: Soc,
    session: FormSession,
    iocs: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
    tlp: Annotated[str, Form()] = Tlp.GREEN.value,
    incident_iocs: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Two steps: the form shows the preview of exactly what would leave; its confirm
    button (carrying the preview's digest) publishes that, and nothing else."""
    form = {"iocs": iocs, "summary": summary, "tlp": tlp, "incident_iocs": incident_iocs}
    asked = ShareRequest(
        incident_id=incident_id,
        iocs=[],
        summary=summary,
        tlp=Tlp(tlp) if tlp in {m.value for m in Tlp} else Tlp.GREEN,
        include_incident_iocs=incident_iocs == "yes",
    )
    try:
        lines = [{"value": line.strip()} for line in iocs.splitlines() if line.strip()]
        body = validated(ShareCreate, iocs=lines, summary=summary)  # the API's limits
        asked = replace(asked, iocs=[classify(i.value) for i in body.iocs], summary=body.summary)
        if not confirm:
            return incident_page(
                request,
                soc,
                session,
                incident_id,
                forms={"share": form},
                share_preview=soc.preview_share(session.who, asked),
            )
        published = soc.publish_share(session.who, asked, confirm=confirm)
    except ConflictError:  # the input or the incident changed: show the new preview
        try:
            current = soc.preview_share(session.who, asked)
        except CitySocError as exc:
            return incident_page(
                request,
                soc,
                session,
                incident_id,
                errors={"share": said(request, exc)},
                forms={"share": form},
                status=422,
            )
        return incident_page(
            request,
            soc,
            session,
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
            soc,
            session,
            incident_id,
            errors={"share": said(request, exc)},
            forms={"share": form},
            status=422,
        )
    return incident_page(
        request,
        soc,
        session,
        incident_id,
        published=published,
        forms={"share": {"tlp": tlp}},
        status=201,
    )


@router.post(STEP_FORMS[Step.EDIT])
def progress(
    incident_id: str,
    request: Request,
    soc: Soc,
    session: FormSession,
    text: Annotated[str, Form()] = "",
) -> Response:
    return section_post(
        request,
        soc,
        session,
        incident_id,
        "progress",
        {"text": text},
        lambda who: casework.add_comment(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            text=validated(ProgressCreate, text=text).text,
            clock=soc.clock,
        ),
    )


@router.post(STEP_FORMS[Step.CONTAIN])
def contained(
    incident_id: str,
    request: Request,
    soc: Soc,
    session: FormSession,
    note: Annotated[str, Form()] = "",
) -> Response:
    return section_post(
        request,
        soc,
        session,
        incident_id,
        "contained",
        {"note": note},
        lambda who: closing.mark_contained(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            note=validated(ContainmentUpdate, note=note).note,
            clock=soc.clock,
        ),
    )


@router.post(STEP_FORMS[Step.REPORT])
async def report(incident_id: str, request: Request, soc: Soc, session: FormSession) -> Response:
    # The report's items are the model's fields, so the form is read whole rather than
    # declared field by field (the CSRF token was checked by FormSession).
    fields = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    items = {name: fields.get(name, "") for name in REPORT_ITEMS}
    return await run_in_threadpool(
        section_post,
        request,
        soc,
        session,
        incident_id,
        "report",
        items,
        lambda who: closing.submit_report(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            report=validated(ReportUpdate, **items).report(),
            clock=soc.clock,
        ),
    )


@router.post("/incidents/{incident_id}/evidence")
async def upload_evidence(
    incident_id: str, request: Request, soc: Soc, session: Session
) -> Response:
    # Access before the body: nothing of the upload is read for a caller who may not
    # add evidence (the route declares no form parameters so FastAPI reads none; the CSRF
    # token therefore comes with the upload and is checked after it).
    await run_in_threadpool(
        evidence.check_may_add, store=soc.store, actor=session.who, incident_id=incident_id
    )
    upload = await read_evidence_form(request, soc.settings.max_evidence_bytes)
    check_form_token(session, upload.csrf_token)

    def act(actor: Actor) -> object:
        upload.raise_problem()
        return soc.attach_evidence(
            actor, incident_id, filename=upload.filename, data=upload.data, note=upload.note
        )

    return await run_in_threadpool(
        section_post,
        request,
        soc,
        session,
        incident_id,
        "evidence",
        {"note": upload.note},
        act,
    )

"""The incident page's forms for the steps that start, end or redirect the workflow:
confirm a suspected case (確認為資安事件), change the level (續行通報), forward the
superior's review to the competent authority, close with the report, dismiss as a false
positive, reopen either (重新開啟); and the correction of a recorded time (知悉、發生時間),
which api.routes.corrections takes in the API. Shaped like the forms in
api.pages.incident_forms (303 back to the page, or the page with the message, 422)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.deps import Soc
from api.pages.deps import FormSession
from api.pages.form_times import taipei_input
from api.pages.incident_forms import section_post
from api.pages.incidents import STEP_FORMS
from api.pages.rendering import validated
from api.schemas import (
    CloseCreate,
    ConfirmCreate,
    CorrectionCreate,
    DismissCreate,
    ForwardCreate,
    LevelChangeCreate,
    ReopenCreate,
)
from core.access import Actor
from incidents import awareness, closing, notification
from incidents.levels import Availability, Impact, InfoClass, LevelAnswers, SystemClass
from incidents.workflow import Step

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.post(STEP_FORMS[Step.CONFIRM])
def confirm(
    incident_id: str,
    request: Request,
    soc: Soc,
    session: FormSession,
    aware_at: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    def act(who: Actor) -> object:
        body = validated(ConfirmCreate, aware_at=taipei_input(aware_at, "aware_at"), reason=reason)
        return awareness.confirm(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            aware_at=body.aware_at,
            reason=body.reason,
            clock=soc.clock,
        )

    form = {"aware_at": aware_at, "reason": reason}
    return section_post(request, soc, session, incident_id, "confirm", form, act)


@router.post(STEP_FORMS[Step.CHANGE_LEVEL])
def change_level(
    incident_id: str,
    request: Request,
    soc: Soc,
    session: FormSession,
    info_class: Annotated[InfoClass, Form()],
    leak: Annotated[Impact, Form()],
    tamper: Annotated[Impact, Form()],
    system_class: Annotated[SystemClass, Form()],
    availability: Annotated[Availability, Form()],
    reason: Annotated[str, Form()] = "",
) -> Response:
    answers = LevelAnswers(
        info_class=info_class,
        leak=leak,
        tamper=tamper,
        system_class=system_class,
        availability=availability,
    )

    def act(who: Actor) -> object:
        body = validated(LevelChangeCreate, answers=answers, reason=reason)
        return notification.change_level(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            answers=body.answers,
            reason=body.reason,
            clock=soc.clock,
        )

    return section_post(request, soc, session, incident_id, "level", {"reason": reason}, act)


@router.post(STEP_FORMS[Step.FORWARD])
def forward(
    incident_id: str,
    request: Request,
    soc: Soc,
    session: FormSession,
    to: Annotated[str, Form()] = "",
    reference: Annotated[str, Form()] = "",
    at: Annotated[str, Form()] = "",
) -> Response:
    def act(who: Actor) -> object:
        body = validated(ForwardCreate, to=to, reference=reference, at=taipei_input(at))
        return notification.record_forwarded(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            to=body.to,
            reference=body.reference,
            at=body.at,
            clock=soc.clock,
        )

    form = {"to": to, "reference": reference, "at": at}
    return section_post(request, soc, session, incident_id, "forward", form, act)


@router.post(STEP_FORMS[Step.CLOSE])
def close(
    incident_id: str,
    request: Request,
    soc: Soc,
    session: FormSession,
    reason: Annotated[str, Form()] = "",
) -> Response:
    def act(who: Actor) -> object:
        return closing.close_incident(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            reason=validated(CloseCreate, reason=reason).reason,
            clock=soc.clock,
        )

    return section_post(request, soc, session, incident_id, "close", {"reason": reason}, act)


@router.post(STEP_FORMS[Step.DISMISS])
def dismiss(
    incident_id: str,
    request: Request,
    soc: Soc,
    session: FormSession,
    reason: Annotated[str, Form()] = "",
) -> Response:
    def act(who: Actor) -> object:
        return closing.dismiss(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            reason=validated(DismissCreate, reason=reason).reason,
            clock=soc.clock,
        )

    return section_post(request, soc, session, incident_id, "dismiss", {"reason": reason}, act)


@router.post(STEP_FORMS[Step.REOPEN])
def reopen(
    incident_id: str,
    request: Request,
    soc: Soc,
    session: FormSession,
    reason: Annotated[str, Form()] = "",
) -> Response:
    def act(who: Actor) -> object:
        return closing.reopen(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            reason=validated(ReopenCreate, reason=reason).reason,
            clock=soc.clock,
        )

    return section_post(request, soc, session, incident_id, "reopen", {"reason": reason}, act)


@router.post("/incidents/{incident_id}/corrections")
def correct(
    incident_id: str,
    request: Request,
    soc: Soc,
    session: FormSession,
    field: Annotated[str, Form()] = "",
    value: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Correct aware_at or occurred_at: the new value is Taipei local time (datetime-local)."""

    def act(who: Actor) -> object:
        body = validated(
            CorrectionCreate, field=field, value=taipei_input(value, "value"), reason=reason
        )
        return awareness.correct_time(
            store=soc.store,
            actor=who,
            incident_id=incident_id,
            field=body.field,
            value=body.value,
            reason=body.reason,
            clock=soc.clock,
        )

    form = {"field": field, "value": value, "reason": reason}
    return section_post(request, soc, session, incident_id, "correct", form, act)

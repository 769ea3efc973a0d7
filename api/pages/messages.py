"""The outbox page for the SOC (/messages: status, attempts, last error, paged; retry a
message) and each person's profile page (/profile: name, e-mail, phone, language and the
messages they opt in to). Same services as the API (incidents.messages, core.accounts)."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import Soc
from api.filters import Offset
from api.pages.deps import FormSession, Session
from api.pages.rendering import page, said, validated
from core.errors import InputError
from core.messages import MessageKind, MessageStatus
from core.profiles import ProfileChange, get_profile, update_profile
from incidents.messages.outbox import list_messages, retry_message

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
OUTBOX_PAGE = 50


@router.get("/messages")
def outbox_page(
    request: Request,
    soc: Soc,
    session: Session,
    status: Annotated[MessageStatus | None, Query()] = None,
    offset: Offset = 0,
) -> Response:
    total, rows = list_messages(
        soc.store, actor=session.who, status=status, limit=OUTBOX_PAGE, offset=offset
    )
    return page(
        request,
        "messages.html.j2",
        who=session.who,
        csrf=session.csrf,
        rows=rows,
        total=total,
        offset=offset,
        limit=OUTBOX_PAGE,
        chosen=status.value if status else "",
        statuses=[s.value for s in MessageStatus],
        base="/messages" + (f"?{urlencode({'status': status.value})}" if status else ""),
    )


@router.post("/messages/{message_id}/retry")
def outbox_retry(
    message_id: Annotated[str, Path(max_length=200)], soc: Soc, session: FormSession
) -> Response:
    retry_message(soc.store, actor=session.who, message_id=message_id, clock=soc.clock)
    return RedirectResponse("/messages", status_code=303)


def _profile(
    request: Request,
    session: Session,
    values: dict[str, object],
    *,
    saved: bool,
    error: str,
    status: int = 200,
) -> Response:
    return page(
        request,
        "profile.html.j2",
        status=status,
        saved=saved,
        error=error,
        who=session.who,
        csrf=session.csrf,
        values=values,
        kinds=[k.value for k in MessageKind],
    )


@router.get("/profile")
def profile_page(request: Request, soc: Soc, session: Session, saved: bool = False) -> Response:
    user = get_profile(store=soc.store, actor=session.who, username=session.who.name)
    return _profile(request, session, user.profile(), saved=saved, error="")


@router.post("/profile")
def profile_save(
    request: Request,
    soc: Soc,
    session: FormSession,
    display_name: Annotated[str, Form(max_length=1000)] = "",
    email: Annotated[str, Form(max_length=1000)] = "",
    phone: Annotated[str, Form(max_length=1000)] = "",
    language: Annotated[str, Form(max_length=10)] = "zh",
    message_kinds: Annotated[list[str] | None, Form()] = None,
) -> Response:
    values: dict[str, object] = {
        "display_name": display_name,
        "email": email,
        "phone": phone,
        "language": language,
        "message_kinds": message_kinds or [],
    }
    try:
        change = validated(ProfileChange, **values)
        update_profile(
            store=soc.store,
            actor=session.who,
            username=session.who.name,
            change=change,
            clock=soc.clock,
        )
    except InputError as exc:  # the form comes back filled in, the message in its language
        return _profile(request, session, values, saved=False, error=said(request, exc), status=422)
    return RedirectResponse("/profile?saved=true", status_code=303)

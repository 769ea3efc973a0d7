"""What a page needs before it runs: the signed-in session (without a live one the browser
is sent to /login), for a form also its CSRF token checked, and the login limiter."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, Request

from api.deps import Soc
from api.errors import LoginRequired
from api.sessions import session_id_of
from core import accounts
from core.access import Actor
from core.errors import UnauthenticatedError

__all__ = [
    "FormSession",
    "PageSession",
    "Session",
    "check_form_token",
    "page_session",
]


@dataclass(frozen=True, slots=True)
class PageSession:
    """Who is signed in, and the CSRF token their forms must carry."""

    who: Actor
    csrf: str


def page_session(request: Request, soc: Soc) -> PageSession:
    """The live session behind a page request; none, or a dead one, raises LoginRequired
    (a 303 to /login, see api.errors)."""
    session_id = session_id_of(request)
    if not session_id:
        raise LoginRequired
    try:
        who, csrf = accounts.actor_for_session(
            store=soc.store, session_id=session_id, clock=soc.clock
        )
    except UnauthenticatedError:
        raise LoginRequired from None
    return PageSession(who, csrf)


def check_form_token(session: PageSession, csrf_token: str) -> None:
    """A form post must carry its session's CSRF token (ForbiddenError otherwise)."""
    accounts.check_csrf(session.csrf, csrf_token)


def form_session(
    session: Annotated[PageSession, Depends(page_session)],
    csrf_token: Annotated[str, Form()] = "",
) -> PageSession:
    """The session behind a form post, whose hidden ``csrf_token`` field must match it."""
    check_form_token(session, csrf_token)
    return session


Session = Annotated[PageSession, Depends(page_session)]
FormSession = Annotated[PageSession, Depends(form_session)]

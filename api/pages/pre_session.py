"""Forms shown before anyone is signed in (the login and the first run): their
double-submit token and the checks every post of them passes first."""

import hmac
import re
import secrets

from fastapi import Request
from fastapi.responses import Response

from api.deps import Soc
from api.origin import require_same_origin
from api.pages.rendering import labels_for, page
from api.sessions import LOGIN_CSRF_COOKIE
from core.errors import ForbiddenError

__all__ = ["pre_session_page", "pre_session_refusal"]

_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def pre_session_page(
    request: Request, soc: Soc, template: str, *, path: str, status: int = 200, **context: object
) -> Response:
    """A form shown before anyone is signed in (login, first run) and its double-submit
    token (the cookie's, or a new one), kept for ``path`` only: a site that cannot read our
    cookies cannot fill in the hidden field to match."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not _TOKEN.fullmatch(token):
        token = secrets.token_urlsafe(24)
    response = page(request, template, status=status, login_csrf=token, **context)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        secure=soc.settings.cookie_secure,
        samesite="strict",
        path=path,
    )
    return response


def pre_session_refusal(request: Request, login_csrf: str) -> str | None:
    """Why a pre-session form post is refused (sent from another site, or without its
    token), in the page's language; None when it may be handled."""
    t = labels_for(request)
    try:
        require_same_origin(request)
    except ForbiddenError:
        return t["login_cross_site"]
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), login_csrf.encode()):
        return t["login_expired"]
    return None

"""Signing in and out of the pages, and the language switch."""

import hmac
import re
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import Limiter, Soc
from api.origin import require_same_origin
from api.pages.deps import page_session
from api.pages.rendering import labels_for, page, said
from api.redirects import same_origin_path
from api.sessions import (
    LANG_COOKIE,
    LOGIN_CSRF_COOKIE,
    clear_session_cookie,
    set_session_cookie,
)
from core import accounts
from core.errors import CitySocError, ForbiddenError

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_LOGIN_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def login_page(request: Request, soc: Soc, status: int = 200, error: str | None = None) -> Response:
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
def login_form(request: Request, soc: Soc) -> Response:
    return login_page(request, soc)


@router.post("/login")
def login(
    request: Request,
    soc: Soc,
    limiter: Limiter,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    login_csrf: Annotated[str, Form()] = "",
) -> Response:
    t = labels_for(request)
    try:
        require_same_origin(request)
    except ForbiddenError:
        return login_page(request, soc, status=403, error=t["login_cross_site"])
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), login_csrf.encode()):
        return login_page(request, soc, status=403, error=t["login_expired"])
    try:
        limiter.check(request.client.host if request.client else "unknown")
        user = accounts.authenticate(
            store=soc.store, username=username, password=password, clock=soc.clock
        )
    except CitySocError as exc:
        return login_page(request, soc, status=401, error=said(request, exc))
    session_id, _csrf = accounts.start_session(store=soc.store, user=user, clock=soc.clock)
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(response, session_id, secure=soc.settings.cookie_secure)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, soc: Soc, csrf_token: Annotated[str, Form()] = "") -> Response:
    try:
        session = page_session(request, soc)
        accounts.check_csrf(session.csrf, csrf_token)
        accounts.end_session(store=soc.store, session_id=request.cookies[accounts.SESSION_COOKIE])
    except CitySocError:
        pass  # logging out of a dead session is still logging out
    response = RedirectResponse("/login", status_code=303)
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

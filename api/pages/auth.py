"""Signing in and out of the pages, and the language switch."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import Limiter, Soc
from api.pages.deps import page_session
from api.pages.first_run import SETUP_PATH, first_run_open
from api.pages.pre_session import pre_session_page, pre_session_refusal
from api.pages.rendering import said
from api.redirects import same_origin_path
from api.sessions import (
    LANG_COOKIE,
    LOGIN_CSRF_COOKIE,
    clear_session_cookie,
    set_session_cookie,
)
from core import accounts
from core.errors import CitySocError

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def login_page(request: Request, soc: Soc, status: int = 200, error: str | None = None) -> Response:
    return pre_session_page(
        request,
        soc,
        "login.html.j2",
        path="/login",
        status=status,
        error=error,
        welcome=request.query_params.get("welcome") == "1",
        first_run=first_run_open(request, soc),
    )


@router.get("/login")
def login_form(request: Request, soc: Soc) -> Response:
    if first_run_open(request, soc):  # nobody could log in: guide to the first run
        return RedirectResponse(SETUP_PATH, status_code=303)
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
    if refused := pre_session_refusal(request, login_csrf):
        return login_page(request, soc, status=403, error=refused)
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

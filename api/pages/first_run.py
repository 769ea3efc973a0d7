"""The first-run page: on a store without accounts, the first administrator is created
here with the one-time code `citysoc serve` printed on its console (core.first_run holds
the rules). The login page sends visitors here while no account exists."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.context import CitySoc
from api.deps import Limiter, Soc
from api.errors import status_of
from api.pages.pre_session import pre_session_page, pre_session_refusal
from api.pages.rendering import labels_for, said
from api.sessions import LOGIN_CSRF_COOKIE
from core.errors import CitySocError
from core.first_run import FirstRunCode, accounts_exist, create_first_admin

__all__ = ["SETUP_PATH", "first_run_open", "router"]

router = APIRouter(include_in_schema=False)
SETUP_PATH = "/setup"


def first_run_open(request: Request, soc: CitySoc) -> bool:
    """True while the store has no account. Once one exists it always will (accounts are
    disabled, never deleted), so the answer is then kept and the store not asked again."""
    state = request.app.state
    if getattr(state, "accounts_seen", False):
        return False
    if accounts_exist(soc.store):
        state.accounts_seen = True
        return False
    return True


def _code(request: Request) -> FirstRunCode | None:
    code: FirstRunCode | None = getattr(request.app.state, "first_run", None)
    return code


def _form(
    request: Request, soc: CitySoc, *, status: int = 200, error: str | None = None, **filled: str
) -> Response:
    return pre_session_page(
        request,
        soc,
        "first_run.html.j2",
        path=SETUP_PATH,
        status=status,
        error=error,
        code=_code(request),
        filled=filled,
    )


@router.get(SETUP_PATH)
def first_run_form(request: Request, soc: Soc) -> Response:
    if not first_run_open(request, soc):
        return RedirectResponse("/login", status_code=303)
    return _form(request, soc)


@router.post(SETUP_PATH)
def first_run(
    request: Request,
    soc: Soc,
    limiter: Limiter,
    code: Annotated[str, Form()] = "",
    username: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    password_again: Annotated[str, Form()] = "",
    login_csrf: Annotated[str, Form()] = "",
) -> Response:
    filled = {"username": username, "display_name": display_name}
    if refused := pre_session_refusal(request, login_csrf):
        return _form(request, soc, status=403, error=refused, **filled)
    if password != password_again:
        t = labels_for(request)
        return _form(request, soc, status=422, error=t["first_run_mismatch"], **filled)
    try:
        # the same count per client as the login forms: a code is guessed no faster
        limiter.check(request.client.host if request.client else "unknown")
        create_first_admin(
            store=soc.store,
            registry=soc.registry,
            code=_code(request),
            given_code=code,
            username=username,
            password=password,
            display_name=display_name,
            clock=soc.clock,
        )
    except CitySocError as exc:
        return _form(request, soc, status=status_of(exc), error=said(request, exc), **filled)
    response = RedirectResponse("/login?welcome=1", status_code=303)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=SETUP_PATH)
    return response

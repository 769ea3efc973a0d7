"""Request dependencies shared by the JSON routes and the pages: the running CitySOC, its
clock, the login limiter and who is asking. Each reads what ``create_app`` put on
``app.state`` (one app per CitySOC; tests build several side by side), so routers are
plain modules rather than closures over the app."""

import hmac
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated

from fastapi import Depends, Header, Query, Request

from api.context import CitySoc
from api.limits import LoginLimiter
from api.sessions import lang_of, session_id_of
from core import accounts
from core.access import Action, Actor, Role, require_right
from core.clock import Clock
from core.errors import UnauthenticatedError
from core.i18n import Lang

__all__ = [
    "ActorDep",
    "ClockDep",
    "LangDep",
    "Limiter",
    "ReadyProbes",
    "Soc",
    "api_actor",
    "get_clock",
    "get_lang",
    "get_limiter",
    "get_ready_probes",
    "get_soc",
    "token_actor",
]


def get_soc(request: Request) -> CitySoc:
    """The CitySOC this app serves."""
    soc: CitySoc = request.app.state.soc
    return soc


Soc = Annotated[CitySoc, Depends(get_soc)]


def get_clock(request: Request) -> Clock:
    """The CitySOC's clock (tests freeze it)."""
    return get_soc(request).clock


ClockDep = Annotated[Clock, Depends(get_clock)]


def get_limiter(request: Request) -> LoginLimiter:
    """Login attempts per client, shared by the API's login and the login page."""
    limiter: LoginLimiter = request.app.state.limiter
    return limiter


Limiter = Annotated[LoginLimiter, Depends(get_limiter)]


def get_ready_probes(request: Request) -> ThreadPoolExecutor:
    """The readiness probe's own thread (see api/routes/operations.py)."""
    probes: ThreadPoolExecutor = request.app.state.ready_probes
    return probes


ReadyProbes = Annotated[ThreadPoolExecutor, Depends(get_ready_probes)]


def token_actor(soc: CitySoc, operator_token: str, token: str) -> Actor:
    """The operator token, or a user's API token. Raises UnauthenticatedError."""
    if hmac.compare_digest(token.encode(), operator_token.encode()):
        return Actor("api:operator", Role.ADMIN)
    return accounts.actor_for_token(store=soc.store, token=token)


def api_actor(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> Actor:
    """Bearer token (a user's API token, or the operator token) or a session cookie.

    Cookie sessions must echo their CSRF token on every state-changing request.
    """
    soc = get_soc(request)
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise UnauthenticatedError(
                "use Authorization: Bearer <token>", location="header.authorization"
            )
        who = token_actor(soc, request.app.state.operator_token, token.strip())
        require_right(
            who,
            Action.SIGN_IN,
            "partner credentials open the TAXII endpoints under /taxii2/ only",
            "header.authorization",
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


ActorDep = Annotated[Actor, Depends(api_actor)]


def get_lang(request: Request, lang: Annotated[Lang | None, Query()] = None) -> Lang:
    """The language an export speaks: ``lang`` when given, else the page language the
    browser chose (exports are downloaded from the pages)."""
    return lang or lang_of(request)


LangDep = Annotated[Lang, Depends(get_lang)]

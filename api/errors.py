"""Map our error tree onto HTTP: the JSON envelope for the API (and TAXII), an HTML error page
for the pages, and a 303 to the login form for a page asked for without a live session.

The envelope keeps the service's English message and code (programs read them); a page says
the error in its visitor's language (core.i18n.messages), never as JSON."""

import logging
import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from api.redirects import same_origin_path
from api.sessions import lang_of
from core.errors import (
    CitySocError,
    ConflictError,
    ForbiddenError,
    InputError,
    NotFoundError,
    RateLimitedError,
    UnauthenticatedError,
    UnavailableError,
)
from core.i18n.messages import describe
from reports.templating import render_in

__all__ = ["LoginRequired", "input_error", "install_error_handlers", "problems", "status_of"]

log = logging.getLogger("citysoc.api")

_STATUS: dict[type[CitySocError], int] = {
    InputError: 422,
    NotFoundError: 404,
    ForbiddenError: 403,
    ConflictError: 409,
    UnavailableError: 503,
    UnauthenticatedError: 401,
    RateLimitedError: 429,
}


def status_of(exc: CitySocError) -> int:
    """The HTTP status of one of our errors (500 for a kind without one)."""
    return next((s for cls, s in _STATUS.items() if isinstance(exc, cls)), 500)


class LoginRequired(UnauthenticatedError):
    """A page asked for without a live session: the browser is sent to the login form (303),
    not shown an error (raised by api.pages.deps)."""

    def __init__(self) -> None:
        super().__init__("log in first", location="cookie")


_MACHINE_PATHS = ("/api", "/taxii2", "/metrics")  # answered to programs, never to people


def is_page(request: Request) -> bool:
    """Pages are everything people browse: not the JSON API, the TAXII server or the metrics
    (they keep their machine-readable error bodies)."""
    path = request.url.path
    return not any(path == p or path.startswith(p + "/") for p in _MACHINE_PATHS)


def error_page(request: Request, status: int, message: str, code: str = "") -> HTMLResponse:
    """The HTML error page: what went wrong in the visitor's language (by the error's code
    where the catalogue has words for it, else by the status), the service's own message
    (what to correct), the same status code as the API's, and a way back."""
    back = same_origin_path(
        request.headers.get("referer"), scheme=request.url.scheme, netloc=request.url.netloc
    )
    html = render_in(
        lang_of(request), "error.html.j2", status=status, code=code, message=message, back=back
    )
    return HTMLResponse(html, status_code=status)


def problems(errors: Sequence[Any], *, root: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """pydantic's errors as (location, message) pairs; ``root`` names where the validated
    thing sits in the request ("body" for a form the page validates itself)."""
    return [
        {"location": ".".join(str(p) for p in (*root, *e["loc"])), "message": e["msg"]}
        for e in errors
    ]


def _message(found: Sequence[dict[str, str]]) -> str:
    return "; ".join(f"{p['message']} ({p['location']})" for p in found)


def _key(errors: Sequence[Any]) -> tuple[str, dict[str, object]]:
    """The catalogue key of pydantic's first complaint, and its parameters (the field)."""
    if not errors:
        return "invalid_field", {"field": ""}
    first = errors[0]
    field = ".".join(str(p) for p in first["loc"])  # query.to is a day, body.to a recipient
    limit = (first.get("ctx") or {}).get("max_length")
    if first["type"] == "string_too_long" and limit is not None:
        return "too_long", {"field": field, "max": limit}
    return "invalid_field", {"field": field}


def input_error(exc: ValidationError, *, root: str = "body") -> InputError:
    """A page form validated with an API model refuses with the API's very message (and a
    catalogue key, for the page's language)."""
    found = problems(exc.errors(), root=(root,))
    key, params = _key(exc.errors())
    return InputError(
        _message(found), location=found[0]["location"] if found else root, key=key, params=params
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:  # noqa: ARG001
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(CitySocError)
    async def known(request: Request, exc: CitySocError) -> Response:
        status = status_of(exc)
        if is_page(request):
            said = describe(exc, lang_of(request), generic=False)
            return error_page(request, status, said, exc.code)
        body = {"error": {"code": exc.code, "message": exc.message, "location": exc.location}}
        return JSONResponse(body, status_code=status)

    @app.exception_handler(HTTPException)
    async def routing(request: Request, exc: HTTPException) -> Response:
        """Starlette's own answers (no such address: 404; wrong method: 405) are pages for
        people too; programs keep FastAPI's ``{"detail": ...}``."""
        if is_page(request):  # the status says it all; Starlette's detail is English
            return error_page(request, exc.status_code, "")
        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        found = problems(exc.errors())
        if is_page(request):
            key, params = _key(exc.errors())
            refused = InputError(_message(found), key=key, params=params)
            return error_page(request, 422, describe(refused, lang_of(request)))
        body = {"error": {"code": "invalid_input", "message": _message(found), "problems": found}}
        return JSONResponse(body, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        request_id = uuid.uuid4().hex[:12]
        log.error(
            "unhandled error %s on %s %s",
            request_id,
            request.method,
            request.url.path,
            exc_info=exc,
        )
        message = "internal error; quote the request id to the administrator"
        if is_page(request):  # error_500 of the catalogue says to quote the id below
            return error_page(request, 500, request_id)
        body = {"error": {"code": "internal", "message": message, "request_id": request_id}}
        return JSONResponse(body, status_code=500)

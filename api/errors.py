"""Map our error tree onto HTTP, one envelope for every error; a page asked for without a
live session is a 303 to the login form."""

import logging
import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

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

__all__ = ["LoginRequired", "input_error", "install_error_handlers", "problems"]

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


class LoginRequired(UnauthenticatedError):
    """A page asked for without a live session: the browser is sent to the login form (303),
    not shown an error (raised by api.pages.deps)."""

    def __init__(self) -> None:
        super().__init__("log in first", location="cookie")


def problems(errors: Sequence[Any], *, root: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """pydantic's errors as (location, message) pairs; ``root`` names where the validated
    thing sits in the request ("body" for a form the page validates itself)."""
    return [
        {"location": ".".join(str(p) for p in (*root, *e["loc"])), "message": e["msg"]}
        for e in errors
    ]


def _message(found: Sequence[dict[str, str]]) -> str:
    return "; ".join(f"{p['message']} ({p['location']})" for p in found)


def input_error(exc: ValidationError, *, root: str = "body") -> InputError:
    """A page form validated with an API model refuses with the API's very message."""
    found = problems(exc.errors(), root=(root,))
    return InputError(_message(found), location=found[0]["location"] if found else root)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:  # noqa: ARG001
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(CitySocError)
    async def known(request: Request, exc: CitySocError) -> JSONResponse:  # noqa: ARG001
        status = next((s for cls, s in _STATUS.items() if isinstance(exc, cls)), 500)
        body = {"error": {"code": exc.code, "message": exc.message, "location": exc.location}}
        return JSONResponse(body, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:  # noqa: ARG001
        found = problems(exc.errors())
        body = {"error": {"code": "invalid_input", "message": _message(found), "problems": found}}
        return JSONResponse(body, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        request_id = uuid.uuid4().hex[:12]
        log.error(
            "unhandled error %s on %s %s",
            request_id,
            request.method,
            request.url.path,
            exc_info=exc,
        )
        body = {
            "error": {
                "code": "internal",
                "message": "internal error; quote the request id to the administrator",
                "request_id": request_id,
            }
        }
        return JSONResponse(body, status_code=500)

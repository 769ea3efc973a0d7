"""Request bodies are bounded per route before anything parses them or asks who is calling.

FastAPI reads (and spools to disk) a route's body before it resolves the route's
dependencies, authentication included, so without this an anonymous 200 MB upload reached
the disk and a 300 MB login body reached memory. The ASGI middleware refuses a declared
``Content-Length`` over the route's limit at once (413, the body never read) and counts
the bytes of bodies sent without one (chunked), refusing when they pass the limit.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.settings import Settings
from incidents.sharing.taxii import MEDIA_TAXII

__all__ = [
    "FORM_BYTES",
    "JSON_BYTES",
    "LOGIN_BYTES",
    "UPLOAD_OVERHEAD",
    "BodyLimit",
    "BodyLimits",
    "BodyTooLargeError",
    "install_body_limits",
]

KIB = 1024
LOGIN_BYTES = 4 * KIB  # a username and a password
FORM_BYTES = 64 * KIB  # small JSON bodies and short forms
JSON_BYTES = 1024 * KIB  # ordinary API requests and page forms (long texts, 1,000 alert ids)
UPLOAD_OVERHEAD = 64 * KIB  # multipart boundaries, part headers and the note around a file
_NO_BODY = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class BodyLimit:
    method: str
    path: str  # a route template, as the app declares it
    max_bytes: int
    advice: str = ""  # what to do instead, for the person who hit it


class BodyTooLargeError(HTTPException):
    """Raised from ``receive`` when a body without Content-Length passes its limit. An
    HTTPException, so FastAPI's body parsing lets it through (it turns other errors into 400)."""

    def __init__(self, message: str) -> None:
        super().__init__(status_code=413, detail=message)
        self.message = message


class BodyLimits:
    """The limit for each request: the first table entry whose method and template match,
    else nothing for methods without a body and ``JSON_BYTES`` for the rest."""

    def __init__(self, table: Sequence[BodyLimit]) -> None:
        self.table = [(entry, compile_path(entry.path)[0]) for entry in table]

    def limit_for(self, method: str, path: str) -> BodyLimit:
        for entry, pattern in self.table:
            if entry.method == method and pattern.match(path):
                return entry
        return BodyLimit(method, path, 0 if method in _NO_BODY else JSON_BYTES)

    @classmethod
    def for_settings(cls, settings: Settings) -> "BodyLimits":
        evidence = settings.max_evidence_bytes + UPLOAD_OVERHEAD
        evidence_advice = (
            f"evidence files may be at most {settings.max_evidence_bytes:,} bytes; "
            "split or compress the file"
        )
        taxii_advice = "send fewer objects per envelope"
        small = [
            ("POST", "/api/v1/auth/logout"),
            ("POST", "/logout"),
            ("POST", "/api/v1/tokens"),
            ("POST", "/api/v1/incidents/{incident_id}/review"),
            ("POST", "/incidents/{incident_id}/review"),
            ("POST", "/api/v1/alert-groups/{key}/escalate"),
            ("POST", "/api/v1/alert-groups/{key}/false-positive"),
            ("POST", "/api/v1/intel/partners/{partner_id}/pull"),
            ("POST", "/setup"),  # the first run: two passwords of up to 1,024 characters
        ]
        return cls(
            [
                BodyLimit("POST", "/api/v1/auth/login", LOGIN_BYTES),
                BodyLimit("POST", "/login", LOGIN_BYTES),
                BodyLimit(
                    "POST", "/api/v1/incidents/{incident_id}/evidence", evidence, evidence_advice
                ),
                BodyLimit("POST", "/incidents/{incident_id}/evidence", evidence, evidence_advice),
                BodyLimit(
                    "POST",
                    "/taxii2/{api_root}/collections/{collection_id}/objects/",
                    settings.taxii_max_content_length,
                    taxii_advice,
                ),
                BodyLimit(
                    "POST",
                    "/api/v1/ingest",
                    settings.ingest_max_body_bytes,
                    "send fewer records per request (CITYSOC_INGEST_MAX_BODY_BYTES)",
                ),
                *(BodyLimit(method, path, FORM_BYTES) for method, path in small),
            ]
        )


def _describe(limit: BodyLimit, method: str, path: str) -> str:
    if limit.max_bytes == 0:
        return f"{method} {path} takes no request body"
    advice = f"; {limit.advice}" if limit.advice else ""
    return f"{method} {path} accepts at most {limit.max_bytes:,} bytes of request body{advice}"


def _refusal(path: str, message: str) -> Response:
    """In the shape the caller reads: a TAXII error, our API's envelope, or text for pages."""
    body: dict[str, object]
    if path.startswith("/taxii2/"):
        body = {
            "title": "Request too large",
            "description": message,
            "error_code": "too_large",
            "http_status": "413",
        }
        return JSONResponse(body, status_code=413, media_type=MEDIA_TAXII)
    if path.startswith("/api/") or path == "/metrics":
        body = {"error": {"code": "too_large", "message": message, "location": "body"}}
        return JSONResponse(body, status_code=413)
    return PlainTextResponse(message, status_code=413)


class _BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app, self.limits = app, limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        limit = self.limits.limit_for(method, path)
        declared = _content_length(scope)
        if declared is not None and declared > limit.max_bytes:
            message = f"the request body is {declared:,} bytes; {_describe(limit, method, path)}"
            await _refusal(path, message)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit.max_bytes:
                    raise BodyTooLargeError(
                        f"the request body passed {limit.max_bytes:,} bytes; "
                        + _describe(limit, method, path)
                    )
            return message

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if re.fullmatch(r"\d{1,20}", text) else None
    return None


def install_body_limits(app: FastAPI, limits: BodyLimits) -> None:
    """Install before the security headers, so refusals carry them too."""
    app.add_middleware(_BodyLimitMiddleware, limits=limits)

    @app.exception_handler(BodyTooLargeError)
    async def too_large(request: Request, exc: BodyTooLargeError) -> Response:
        return _refusal(request.url.path, exc.message)

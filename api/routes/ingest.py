"""HTTP ingest for log shippers: ``POST /api/v1/ingest`` takes NDJSON with an agency's
ingest token (core.ingest_tokens) and stores the records as that agency's events, through
the file collector's own ingest path (collectors.http_ingest).

Only ingest tokens ingest: a person's token, the operator token and a partner's are refused
(403), as ingest tokens are everywhere else (core.accounts.actor_for_token). The answers a
shipper retries are 429 and 503, each with ``Retry-After``; a bad record never fails the
request, it is dead-lettered and counted.
"""

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.deps import Soc, token_actor
from api.ingest_throttle import IngestThrottle, Throttled
from collectors.http_ingest import ingest_ndjson, ndjson_lines
from core.errors import ForbiddenError, UnauthenticatedError, UnavailableError
from core.ingest_tokens import IngestToken, ingest_token_for

__all__ = ["router"]

router = APIRouter()

_MEDIA = frozenset({"application/x-ndjson", "application/ndjson", "application/json"})
_RETRY_UNAVAILABLE = 10  # seconds: long enough for a store to come back, short for a shipper


def _envelope(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The API's error envelope (api.errors), with the headers a shipper retries by."""
    body = {"error": {"code": code, "message": message, "location": "body"}}
    return JSONResponse(body, status_code=status, headers=headers)


def _ingest_token(request: Request, soc: Soc, authorization: str | None) -> IngestToken:
    """The ingest token of the request. Raises UnauthenticatedError (none, unknown, revoked)
    and ForbiddenError (a credential that is no ingest token)."""
    scheme, _, plain = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not plain.strip():
        raise UnauthenticatedError(
            "send Authorization: Bearer <ingest token> (citysoc ingest-tokens create)",
            location="header.authorization",
        )
    token = ingest_token_for(store=soc.store, plain=plain.strip())
    if token is None:
        token_actor(soc, request.app.state.operator_token, plain.strip())  # 401 if unknown
        raise ForbiddenError(
            "POST /api/v1/ingest takes an agency's ingest token, not a person's, the "
            "operator's or a partner's; an administrator makes one with "
            "`citysoc ingest-tokens create --agency CODE`",
            location="header.authorization",
            key="ingest_token_required",
        )
    return token


_OPENAPI = {
    "requestBody": {
        "required": True,
        "description": "NDJSON: one ECS or Winlogbeat JSON object a line",
        "content": {m: {"schema": {"type": "string"}} for m in sorted(_MEDIA)},
    },
    "responses": {
        "413": {"description": "over the body size or records per request"},
        "415": {"description": "not NDJSON, or compressed"},
        "429": {"description": "over the token's rate, or busy: see Retry-After"},
        "503": {"description": "the store is unreachable: see Retry-After"},
    },
}


@router.post("/api/v1/ingest", status_code=202, openapi_extra=_OPENAPI)
async def ingest(
    request: Request,
    soc: Soc,
    authorization: Annotated[str | None, Header()] = None,
    content_type: Annotated[str | None, Header()] = None,
    content_encoding: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    """Store NDJSON records (ECS or Winlogbeat JSON, one a line) as events of the ingest
    token's agency, which wins over anything the records say. 202 with the counts once
    stored; 413 over the body or record limit; 429/503 with Retry-After."""
    token = _ingest_token(request, soc, authorization)
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in _MEDIA:
        return _envelope(
            415,
            "unsupported_media_type",
            f"send NDJSON: Content-Type application/x-ndjson (or application/json with one "
            f"JSON object a line), not {media or 'no Content-Type'}",
        )
    if (content_encoding or "identity").strip().lower() != "identity":
        return _envelope(
            415,
            "unsupported_media_type",
            "send the body uncompressed (no Content-Encoding); compression is not accepted",
        )
    settings = soc.settings
    throttle: IngestThrottle = request.app.state.ingest_throttle
    lines = ndjson_lines(await request.body())
    if len(lines) > settings.ingest_max_records:
        return _envelope(
            413,
            "too_many_records",
            f"the body holds {len(lines):,} records; POST /api/v1/ingest accepts at most "
            f"{settings.ingest_max_records:,} per request (CITYSOC_INGEST_MAX_RECORDS): "
            "send smaller batches",
        )
    try:
        with throttle.slot():
            throttle.take(token.id, len(lines))
            report = await run_in_threadpool(
                ingest_ndjson,
                soc.ingestor(),
                lines,
                source=f"http:{token.id}",
                agency=soc.registry.get(token.agency).code,  # a removed agency: 404
                sender=request.client.host if request.client else None,
                received_at=soc.clock.now(),
            )
    except Throttled as exc:
        return _envelope(429, "rate_limited", exc.message, {"Retry-After": str(exc.retry_after)})
    except UnavailableError as exc:
        return _envelope(503, exc.code, exc.message, {"Retry-After": str(_RETRY_UNAVAILABLE)})
    counts = {
        "agency": token.agency,
        "received": report.read,
        "stored": report.stored,
        "duplicates": report.duplicates,
        "dead_lettered": report.dead_lettered,
    }
    return JSONResponse(counts, status_code=202)

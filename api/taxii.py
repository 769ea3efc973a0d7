"""The TAXII 2.1 server on the wire: discovery, API root, collections, objects, manifest,
versions and status under /taxii2/, with TAXII media types and TAXII error bodies.

The rules (grants, paging, validation, TLP) live in ``incidents.sharing.taxii``; this module
only authenticates, negotiates media types and shapes responses. Partners authenticate
with HTTP Basic (their partner id and token) or ``Authorization: Bearer <token>``.
"""

import base64
import binascii
import functools
import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from api.context import CitySoc
from core.access import Action, Actor, require_right
from core.errors import (
    CitySocError,
    ForbiddenError,
    InputError,
    NotFoundError,
    UnauthenticatedError,
)
from incidents.sharing import taxii
from incidents.sharing.partners import partner_username
from incidents.sharing.taxii import MEDIA_TAXII, TaxiiRequestError

__all__ = ["VALIDATING_AT_ONCE", "taxii_router"]

VALIDATING_AT_ONCE = 2  # POSTed envelopes validated in parallel; more wait their turn

_STATUS: list[tuple[type[CitySocError], int]] = [
    (UnauthenticatedError, 401),
    (ForbiddenError, 403),
    (NotFoundError, 404),
    (InputError, 400),
]
_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    406: "Not acceptable",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
}


def _taxii_json(body: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(body, status_code=status, media_type=MEDIA_TAXII, headers=headers)


def _error(status: int, description: str, code: str) -> Response:
    headers = {"WWW-Authenticate": 'Basic realm="CitySOC TAXII"'} if status == 401 else None
    body = {
        "title": _TITLES.get(status, "Error"),
        "description": description,
        "error_code": code,
        "http_status": str(status),
    }
    return _taxii_json(body, status, headers)


class _TaxiiRoute(APIRoute):
    """Every failure under /taxii2/ answers with a TAXII error message, not our API's."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except TaxiiRequestError as exc:
                return _error(exc.status, exc.message, exc.code)
            except CitySocError as exc:
                status = next((s for cls, s in _STATUS if isinstance(exc, cls)), 500)
                return _error(status, exc.message, exc.code)
            except RequestValidationError as exc:
                problems = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
                )
                return _error(400, problems, "invalid_input")
            except HTTPException as exc:
                return _error(exc.status_code, str(exc.detail), "http")

        return handle


def _accepts_taxii(accept: str | None) -> None:
    if not accept:
        return
    for item in accept.split(","):
        media = item.split(";")[0].strip().lower()
        params = item.replace(" ", "").lower()
        if media in ("*/*", "application/*"):
            return
        if media == "application/taxii+json" and ("version=" not in params or "2.1" in params):
            return
    raise TaxiiRequestError(406, f"this server answers {MEDIA_TAXII}; Accept was {accept!r}")


def _split(values: str | None) -> list[str]:
    return [v.strip() for v in (values or "").split(",") if v.strip()]


@dataclass
class _Query:
    """The paging and filter parameters TAXII's object listings share."""

    limit: int | None = None
    next: str | None = None
    added_after: str | None = None
    ids: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)


def _paging(
    limit: Annotated[int | None, Query(ge=1)] = None,
    next: str | None = None,  # noqa: A002 - TAXII's parameter name
) -> _Query:
    return _Query(limit=limit, next=next)


def _filters(
    paging: Annotated[_Query, Depends(_paging)],
    added_after: str | None = None,
    match_id: Annotated[str | None, Query(alias="match[id]")] = None,
    match_type: Annotated[str | None, Query(alias="match[type]")] = None,
    match_version: Annotated[str | None, Query(alias="match[version]")] = None,
) -> _Query:
    paging.added_after = added_after
    paging.ids, paging.types = _split(match_id), _split(match_type)
    paging.versions = _split(match_version)
    return paging


def taxii_router(soc: CitySoc, resolve_token: Callable[[str], Actor]) -> APIRouter:
    """``resolve_token`` turns a bearer token into an actor (raises UnauthenticatedError)."""
    router = APIRouter(prefix="/taxii2", route_class=_TaxiiRoute, tags=["TAXII 2.1"])
    partners = soc.partners
    slots: list[anyio.CapacityLimiter] = []

    def validation_slots() -> anyio.CapacityLimiter:
        if not slots:  # made on first use: a limiter belongs to the running event loop
            slots.append(anyio.CapacityLimiter(VALIDATING_AT_ONCE))
        return slots[0]

    def caller(
        authorization: Annotated[str | None, Header()] = None,
        accept: Annotated[str | None, Header()] = None,
    ) -> Actor:
        _accepts_taxii(accept)
        if not authorization:
            raise UnauthenticatedError(
                "TAXII needs credentials: HTTP Basic (partner id, token) or a Bearer token"
            )
        scheme, _, value = authorization.partition(" ")
        claimed: str | None = None
        if scheme.lower() == "basic":
            try:
                claimed, _, token = base64.b64decode(value.strip()).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                raise UnauthenticatedError("malformed Basic credentials") from None
        elif scheme.lower() in ("bearer", "token"):
            token = value.strip()
        else:
            raise UnauthenticatedError(f"unsupported authorization scheme {scheme!r}")
        who = resolve_token(token)
        if claimed is not None and who.name not in (claimed, partner_username(claimed)):
            raise UnauthenticatedError("the user name does not match the token")
        require_right(who, Action.USE_TAXII, "this account has no access to the TAXII collections")
        return who

    Caller = Annotated[Actor, Depends(caller)]

    def root(api_root: str) -> None:
        if api_root != partners.api_root:
            raise NotFoundError(f"no API root {api_root}", location="api_root")

    @router.get("/")
    def discovery(request: Request, who: Caller) -> Response:  # noqa: ARG001 - authorizes
        url = f"{str(request.base_url).rstrip('/')}/taxii2/{partners.api_root}/"
        return _taxii_json(
            {
                "title": f"CitySOC TAXII — {partners.identity.name}",
                "description": partners.identity.name_en,
                "contact": partners.identity.contact,
                "default": url,
                "api_roots": [url],
            }
        )

    @router.get("/{api_root}/")
    def api_root_info(api_root: str, who: Caller) -> Response:  # noqa: ARG001
        root(api_root)
        return _taxii_json(
            {
                "title": partners.api_root_title,
                "versions": [MEDIA_TAXII],
                "max_content_length": soc.settings.taxii_max_content_length,
            }
        )

    @router.get("/{api_root}/collections/")
    def collections(api_root: str, who: Caller) -> Response:
        root(api_root)
        return _taxii_json({"collections": taxii.visible_collections(partners, who)})

    @router.get("/{api_root}/collections/{collection_id}/")
    def collection(api_root: str, collection_id: str, who: Caller) -> Response:
        root(api_root)
        return _taxii_json(taxii.collection_info(partners, who, collection_id))

    def page(
        who: Actor,
        collection_id: str,
        query: _Query,
        *,
        ids: list[str] | None = None,
        versions: list[str] | None = None,
    ) -> taxii.ObjectPage:
        return taxii.get_objects(
            store=soc.store,
            partners=partners,
            actor=who,
            collection_key=collection_id,
            added_after=query.added_after,
            ids=query.ids if ids is None else ids,
            types=query.types,
            versions=(query.versions if versions is None else versions) or ["last"],
            limit=query.limit,
            next_cursor=query.next,
        )

    def headers(found: taxii.ObjectPage) -> dict[str, str]:
        out = {}
        if found.first_added:
            out["X-TAXII-Date-Added-First"] = found.first_added
        if found.last_added:
            out["X-TAXII-Date-Added-Last"] = found.last_added
        return out

    def listing(
        found: taxii.ObjectPage, key: str, items: list[Any], *, keep_empty: bool = False
    ) -> Response:
        """A TAXII page: ``more``, ``next`` when there is one, and the items (if any)."""
        body: dict[str, Any] = {"more": found.more}
        if items or keep_empty:
            body[key] = items
        if found.next:
            body["next"] = found.next
        return _taxii_json(body, headers=headers(found))

    def objects_of(found: taxii.ObjectPage) -> list[Any]:
        return [json.loads(o.document) for o in found.objects]

    Filtered = Annotated[_Query, Depends(_filters)]
    Paged = Annotated[_Query, Depends(_paging)]

    @router.get("/{api_root}/collections/{collection_id}/objects/")
    def objects(
        api_root: str,
        collection_id: str,
        who: Caller,
        query: Filtered,
        match_spec_version: Annotated[str | None, Query(alias="match[spec_version]")] = None,
    ) -> Response:
        root(api_root)
        if match_spec_version and "2.1" not in _split(match_spec_version):
            return _taxii_json({"more": False})  # we hold STIX 2.1 only
        found = page(who, collection_id, query)
        return listing(found, "objects", objects_of(found))

    @router.post("/{api_root}/collections/{collection_id}/objects/", status_code=202)
    async def add(
        api_root: str,
        collection_id: str,
        request: Request,
        who: Caller,
        content_type: Annotated[str | None, Header()] = None,
    ) -> Response:
        root(api_root)
        taxii.check_access(partners, who, collection_id, write=True)
        media = (content_type or "").split(";")[0].strip().lower()
        if media != "application/taxii+json":
            raise TaxiiRequestError(
                415, f"send the envelope as {MEDIA_TAXII}; Content-Type was {content_type!r}"
            )
        limit = soc.settings.taxii_max_content_length
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise TaxiiRequestError(413, f"the request is {declared} bytes; the limit is {limit}")
        body = bytearray()
        async for chunk in request.stream():
            body.extend(chunk)
            if len(body) > limit:
                raise TaxiiRequestError(413, f"the request exceeds the limit of {limit} bytes")
        work = functools.partial(
            taxii.add_objects,
            store=soc.store,
            partners=partners,
            actor=who,
            collection_key=collection_id,
            body=bytes(body),
            max_bytes=limit,
            max_objects=soc.settings.taxii_max_objects,
            clock=soc.clock,
        )
        # Validation is CPU work of seconds: off the event loop, and at most a few at once, so
        # a burst of POSTs cannot take every worker thread from the other requests.
        status = await anyio.to_thread.run_sync(work, limiter=validation_slots())
        return _taxii_json(status, 202)

    @router.get("/{api_root}/collections/{collection_id}/objects/{object_id}/")
    def one_object(
        api_root: str,
        collection_id: str,
        object_id: str,
        who: Caller,
        query: Paged,
        added_after: str | None = None,
        match_version: Annotated[str | None, Query(alias="match[version]")] = None,
    ) -> Response:
        root(api_root)
        query.added_after, query.versions = added_after, _split(match_version)
        found = page(who, collection_id, query, ids=[object_id])
        if not found.objects and not query.next:
            raise NotFoundError(f"no object {object_id} in this collection", location="object")
        return listing(found, "objects", objects_of(found))

    @router.get("/{api_root}/collections/{collection_id}/objects/{object_id}/versions/")
    def versions(
        api_root: str, collection_id: str, object_id: str, who: Caller, query: Paged
    ) -> Response:
        root(api_root)
        found = page(who, collection_id, query, ids=[object_id], versions=["all"])
        if not found.objects and not query.next:
            raise NotFoundError(f"no object {object_id} in this collection", location="object")
        return listing(found, "versions", [o.version for o in found.objects], keep_empty=True)

    @router.get("/{api_root}/collections/{collection_id}/manifest/")
    def manifest(api_root: str, collection_id: str, who: Caller, query: Filtered) -> Response:
        root(api_root)
        found = page(who, collection_id, query)
        entries = [
            {
                "id": o.id,
                "date_added": o.date_added,
                "version": o.version,
                "media_type": taxii.MEDIA_STIX,
            }
            for o in found.objects
        ]
        return listing(found, "objects", entries)

    @router.get("/{api_root}/status/{status_id}/")
    def status(api_root: str, status_id: str, who: Caller) -> Response:
        root(api_root)
        return _taxii_json(taxii.get_status(store=soc.store, actor=who, status_id=status_id))

    return router

"""The API documentation (Swagger UI) served from this server alone.

FastAPI's own page loads an unpinned script from a CDN into the app's origin, which fails
offline and would let that CDN run script here. Swagger UI's files come instead from the
pinned ``fastapi-offline`` package, and the page has no inline script (the start-up code is
our ``static/swagger-init.js``), so the strict CSP of every other page applies here too.
"""

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from core.errors import NotFoundError

__all__ = ["DOCS_URL", "docs_router"]

DOCS_URL = "/api/docs"
_PACKAGE = files("fastapi_offline") / "static"
_OURS = Path(__file__).resolve().parent / "static"
_ASSETS = {  # name -> (where, media type)
    "swagger-ui-bundle.js": (_PACKAGE, "text/javascript; charset=utf-8"),
    "swagger-ui.css": (_PACKAGE, "text/css; charset=utf-8"),
    "favicon.png": (_PACKAGE, "image/png"),
    "swagger-init.js": (_OURS, "text/javascript; charset=utf-8"),
}
_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} – API</title>
<link rel="icon" href="{docs}/favicon.png">
<link rel="stylesheet" href="{docs}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="{docs}/swagger-ui-bundle.js"></script>
<script src="{docs}/swagger-init.js"></script>
</body>
</html>
"""


def docs_router(*, title: str, openapi_url: str) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    page = _PAGE.format(title=title, docs=DOCS_URL, openapi=openapi_url)

    @router.get(DOCS_URL)
    def docs() -> Response:
        return HTMLResponse(page)

    @router.get(DOCS_URL + "/{name}")
    def asset(name: str) -> Response:
        if name not in _ASSETS:
            raise NotFoundError(f"no documentation file {name}", location="path")
        where, media_type = _ASSETS[name]
        return Response(
            (where / name).read_bytes(),
            media_type=media_type,
            headers={"Cache-Control": "public, max-age=3600"},
        )

    return router

"""The pages' own scripts and their one stylesheet, from a fixed list (no path is ever built
from the request): everything a page loads comes from this server, never a CDN."""

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

from core.errors import NotFoundError

__all__ = ["STATIC", "router"]

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).resolve().parent.parent / "static"
STATIC_FILES = {
    "clock.js": "text/javascript; charset=utf-8",
    "queue.js": "text/javascript; charset=utf-8",
    "citysoc.css": "text/css; charset=utf-8",
    "roc.js": "text/javascript; charset=utf-8",
}


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name not in STATIC_FILES:
        raise NotFoundError(f"no static file {name}", location="path")
    return Response(
        (STATIC / name).read_bytes(),
        media_type=STATIC_FILES[name],
        headers={"Cache-Control": "public, max-age=3600"},
    )

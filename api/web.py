"""Until the merge only: app.py still calls ``web_router(soc, limiter)``. The pages live in
api.pages; app.py should set ``app.state.limiter = limiter`` and
``app.include_router(pages_router)``, and this module goes."""

from fastapi import APIRouter, Depends, Request

from api.context import CitySoc
from api.limits import LoginLimiter
from api.pages import pages_router

__all__ = ["web_router"]


def web_router(soc: CitySoc, limiter: LoginLimiter) -> APIRouter:  # noqa: ARG001 (app.state.soc)
    def share_limiter(request: Request) -> None:
        request.app.state.limiter = limiter  # what api.pages.deps.login_limiter reads

    router = APIRouter(include_in_schema=False, dependencies=[Depends(share_limiter)])
    router.include_router(pages_router)
    return router

"""create_app(): assembles the FastAPI application (the JSON API under /api/v1, the docs,
the pages and TAXII) from the routers, and puts on ``app.state`` what the request
dependencies in api/deps.py read."""

from concurrent.futures import ThreadPoolExecutor
from functools import partial

from fastapi import FastAPI

from api.body_limits import BodyLimits, install_body_limits
from api.context import CitySoc
from api.deps import token_actor
from api.docs import docs_router
from api.errors import install_error_handlers
from api.headers import install_security_headers
from api.ingest_throttle import IngestThrottle
from api.limits import LoginLimiter
from api.pages import pages_router
from api.routes import api_routers
from api.taxii import taxii_router
from core.first_run import FirstRunCode

__all__ = ["create_app"]


def create_app(soc: CitySoc, *, api_token: str, first_run: FirstRunCode | None = None) -> FastAPI:
    """The application for one CitySOC. ``api_token`` is the local operator's token (it
    acts as an administrator); people sign in with their accounts (core.accounts).
    ``first_run`` is the one-time code `serve` printed for an empty store (core.first_run)."""
    app = FastAPI(
        title="CitySOC",
        version="0.1.0",
        docs_url=None,  # FastAPI's page loads Swagger UI from a CDN: see api/docs.py
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.soc = soc
    app.state.operator_token = api_token
    app.state.first_run = first_run  # read by the first-run page (api/pages/first_run.py)
    app.state.limiter = LoginLimiter(per_minute=soc.settings.login_attempts_per_minute)
    # ^ one count per client for the API's login and the login page
    # One thread for readiness probes: a probe stuck behind a store lock makes later ones
    # wait their short timeout behind it, never pile up threads.
    app.state.ready_probes = ThreadPoolExecutor(1, thread_name_prefix="ready-probe")
    app.state.ingest_throttle = IngestThrottle.for_settings(soc.settings)  # api/routes/ingest.py

    install_error_handlers(app)
    install_body_limits(app, BodyLimits.for_settings(soc.settings))
    install_security_headers(app)

    for router in api_routers:
        app.include_router(router)
    app.include_router(docs_router(title=app.title, openapi_url="/api/v1/openapi.json"))
    app.include_router(pages_router)
    app.include_router(taxii_router(soc, partial(token_actor, soc, api_token)))
    return app

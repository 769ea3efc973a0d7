"""The JSON API under /api/v1, one router per resource. ``api_routers`` lists them in the
order ``create_app`` includes them (the order of the OpenAPI document)."""

from fastapi import APIRouter

from api.routes import (
    alerts,
    assets,
    attack,
    audit,
    auth,
    casework,
    corrections,
    dead_letters,
    drills,
    evidence,
    incidents,
    ingest,
    intel,
    merging,
    messages,
    operations,
    reports,
    rules,
    search,
    sources,
    trends,
    users,
)

__all__ = ["api_routers"]

api_routers: tuple[APIRouter, ...] = (
    auth.router,
    operations.router,
    dead_letters.router,
    assets.router,
    drills.router,
    search.router,  # before alerts: /events/search is not an event id
    alerts.router,
    incidents.router,
    corrections.router,
    casework.router,
    merging.router,
    evidence.router,
    intel.router,
    reports.router,
    trends.router,
    audit.router,
    messages.router,
    users.router,
    rules.router,
    sources.router,
    attack.router,
    ingest.router,  # HTTP ingest for shippers (issue 18 item 4)
)

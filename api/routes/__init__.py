"""The JSON API under /api/v1, one router per resource. ``api_routers`` lists them in the
order ``create_app`` includes them (the order of the OpenAPI document)."""

from fastapi import APIRouter

from api.routes import (
    alerts,
    audit,
    auth,
    casework,
    corrections,
    evidence,
    incidents,
    intel,
    messages,
    operations,
    reports,
    search,
    users,
)

__all__ = ["api_routers"]

api_routers: tuple[APIRouter, ...] = (
    auth.router,
    operations.router,
    search.router,  # before alerts: /events/search is not an event id
    alerts.router,
    incidents.router,
    corrections.router,
    casework.router,
    evidence.router,
    intel.router,
    reports.router,
    audit.router,
    messages.router,
    users.router,
)

"""Server-rendered pages for people, one module per resource: login, incident board,
incident page with the guided notification form and the superior's review, alert queue,
events, review queue, dashboard, audit trail, intel. Forms work without JavaScript; every
form carries the session's CSRF token (api.pages.deps); access is checked by the same
services as the API; templates come from the one environment (reports.templating)."""

from fastapi import APIRouter

from api.pages import (
    alerts,
    assets,
    attack,
    audit,
    auth,
    board,
    casework,
    dashboard,
    dead_letters,
    documents,
    drills,
    events,
    first_run,
    incident_forms,
    incident_steps,
    incidents,
    intel,
    merging,
    messages,
    reviews,
    rules,
    search,
    sources,
    static,
    trends,
    users,
)

__all__ = ["pages_router"]

pages_router = APIRouter(include_in_schema=False)
for _module in (
    auth,
    first_run,
    board,
    incidents,
    incident_forms,
    incident_steps,
    merging,
    casework,
    documents,
    alerts,
    search,  # before events: /search is no event page
    events,
    reviews,
    dashboard,
    trends,
    audit,
    static,
    intel,
    messages,
    users,
    rules,
    sources,
    attack,
    dead_letters,
    assets,
    drills,
):
    pages_router.include_router(_module.router)

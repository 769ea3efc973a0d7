"""The API's routers and presenters stand alone: a router needs only what create_app puts on
app.state (no closures over the app), and the read models are plain functions."""

from datetime import datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.errors import install_error_handlers
from api.presenters import EventView, incident_read
from api.routes import incidents
from core.access import Actor, Role
from core.events import Event
from incidents import service

TOKEN = "alone-token-0123456789"  # noqa: S105
OPERATOR = Actor("api:operator", Role.ADMIN)


def test_one_router_serves_on_a_bare_app(soc):
    app = FastAPI()
    app.state.soc = soc
    app.state.operator_token = TOKEN
    install_error_handlers(app)
    app.include_router(incidents.router)
    with TestClient(app) as c:
        assert c.get("/api/v1/incidents").status_code == 401
        page = c.get("/api/v1/incidents", headers={"Authorization": f"Bearer {TOKEN}"})
    assert page.status_code == 200
    assert page.json() == {"limit": 50, "offset": 0, "total": 0, "items": []}


def test_incident_read_carries_the_clocks_as_of_now(soc):
    opened = service.open_incident(
        store=soc.store,
        actor=OPERATOR,
        organization_id="district-xitun",
        title="t",
        aware_at=soc.clock.now(),
        clock=soc.clock,
    )
    read = incident_read(soc, opened)
    assert read.incident.id == opened.id and read.version == opened.version
    assert [d.kind for d in read.deadlines] == [
        d.kind for d in service.deadlines(opened, now=soc.clock.now())
    ]
    assert read.overdue is False


def test_event_view_lists_fields_by_name_and_answers_them_as_stored():
    event = Event(
        event_id="e1",
        timestamp=datetime.fromisoformat("2026-03-02T01:00:00+00:00"),
        dataset="d",
        organization_id="district-xitun",
        original="raw",
        fields={"z.last": 1, "a.first": "x"},
    )
    view = EventView(event)
    assert view.sorted_fields == [("a.first", "x"), ("z.last", 1)]
    body = view.as_json()
    assert list(body) == ["id", "timestamp", "dataset", "organization_id", "original", "fields"]
    assert body["fields"] == {"z.last": 1, "a.first": "x"}

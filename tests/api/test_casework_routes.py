"""Case work through the JSON API on a real SQLite store: the owner, watching, comments
with @mentions (the progress route), the checklist's tasks and the timeline; refusals name
the field (422, never a 500)."""

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.access import Role
from tests.factories import make_user, open_incident, token_for


@pytest.fixture
def world(soc):
    """Xitun's incident; tokens of its reporter, an analyst and a lead."""
    tokens = {}
    for name, role, agency in [
        ("xitun", Role.REPORTER, "district-xitun"),
        ("amy", Role.ANALYST, None),
        ("lee", Role.LEAD, None),
        ("police", Role.REPORTER, "police"),
    ]:
        tokens[name] = {
            "Authorization": f"Bearer {token_for(soc, make_user(soc, name, role, agency=agency))}"
        }
    incident = open_incident(soc.store, soc.clock, title="勒索軟體")
    with TestClient(create_app(soc, api_token="x")) as client:
        yield client, tokens, f"/api/v1/incidents/{incident.id}"


def test_owner_watchers_and_mentions(world):
    client, tokens, one = world
    owned = client.post(f"{one}/assignee", json={"assignee": "amy"}, headers=tokens["xitun"])
    assert owned.status_code == 200, owned.text
    assert owned.json()["incident"]["assignee"] == "amy"
    refused = client.post(f"{one}/assignee", json={"assignee": "police"}, headers=tokens["lee"])
    assert refused.status_code == 422
    assert refused.json()["error"]["location"] == "assignee"
    assert "'police'" in refused.json()["error"]["message"]
    watched = client.post(f"{one}/watch", json={}, headers=tokens["xitun"]).json()
    assert watched["incident"]["watchers"] == ["amy", "xitun"]
    other = client.post(f"{one}/watch", json={"username": "lee"}, headers=tokens["amy"])
    assert other.status_code == 403 and other.json()["error"]["location"] == "username"
    assert client.post(f"{one}/unwatch", json={"username": "amy"}, headers=tokens["lee"]).json()[
        "incident"
    ]["watchers"] == ["xitun"]
    commented = client.post(
        f"{one}/progress", json={"text": "@lee 請審核"}, headers=tokens["xitun"]
    ).json()["incident"]
    assert commented["comments"][-1]["mentions"] == ["lee"]
    assert commented["watchers"] == ["xitun", "lee"]
    bad = client.post(f"{one}/progress", json={"text": "@police 看"}, headers=tokens["xitun"])
    assert bad.status_code == 422 and "police" in bad.json()["error"]["message"]
    hidden = client.post(f"{one}/watch", json={}, headers=tokens["police"])
    assert hidden.status_code == 404


def test_tasks_and_timeline(world):
    client, tokens, one = world
    listed = client.get(f"{one}/tasks", headers=tokens["xitun"]).json()
    assert listed["category"] is None
    assert [t["id"] for t in listed["items"]][0] == "scope"
    done = client.post(f"{one}/tasks/scope/done", headers=tokens["xitun"]).json()
    [scope] = [t for t in done["items"] if t["id"] == "scope"]
    assert scope["done_by"] == "xitun" and scope["done_at"]
    undone = client.post(f"{one}/tasks/scope/undo", headers=tokens["amy"]).json()
    assert next(t for t in undone["items"] if t["id"] == "scope")["done_at"] is None
    missing = client.post(f"{one}/tasks/nope/done", headers=tokens["amy"])
    assert missing.status_code == 422 and missing.json()["error"]["location"] == "task"
    entries = client.get(f"{one}/timeline", headers=tokens["xitun"]).json()["items"]
    assert [e["action"] for e in entries] == [
        "incident.open",
        "incident.task_done",
        "incident.task_undone",
    ]
    assert {e["kind"] for e in entries} == {"state", "task"}
    assert client.get(f"{one}/timeline", headers=tokens["police"]).status_code == 404

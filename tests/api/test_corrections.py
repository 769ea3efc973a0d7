"""POST /api/v1/incidents/{id}/corrections: the same service as the CLI, through a real
store; a reason once notified, never a future time, and a missed clock stays missed."""

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.factories import open_incident

TOKEN = "test-token-0123456789"  # noqa: S105
NOTIFICATION = {
    "answers": {"system_class": "non_core", "availability": "within_mtd"},
    "description": "d",
    "response_measures": "m",
    "outside_support_needed": False,
}


@pytest.fixture
def client(soc):
    with TestClient(create_app(soc, api_token=TOKEN)) as c:
        c.headers["Authorization"] = f"Bearer {TOKEN}"
        yield c


def test_a_correction_after_a_late_notification_is_kept_and_the_clock_stays_missed(client, soc):
    incident = open_incident(soc.store, soc.clock)
    soc.clock.advance(timedelta(hours=3))
    path = f"/api/v1/incidents/{incident.id}"
    assert client.post(f"{path}/notifications", json=NOTIFICATION).status_code == 200
    later = (soc.clock.now() - timedelta(minutes=30)).isoformat()

    silent = client.post(f"{path}/corrections", json={"field": "aware_at", "value": later})
    assert silent.status_code == 422 and "say why aware_at" in silent.text
    future = (soc.clock.now() + timedelta(hours=1)).isoformat()
    ahead = client.post(
        f"{path}/corrections", json={"field": "aware_at", "value": future, "reason": "r"}
    )
    assert ahead.status_code == 422 and "aware_at" in ahead.text and "future" in ahead.text

    done = client.post(
        f"{path}/corrections", json={"field": "aware_at", "value": later, "reason": "晚得知"}
    )
    assert done.status_code == 201, done.text
    body = done.json()
    [correction] = body["incident"]["corrections"]
    assert (correction["field"], correction["reason"]) == ("aware_at", "晚得知")
    assert {d["kind"]: d["status"] for d in body["deadlines"]}["notify"] == "missed"


def test_an_incident_cannot_be_opened_with_a_future_occurrence(client, soc):
    body = {
        "organization_id": "district-xitun",
        "title": "t",
        "aware_at": soc.clock.now().isoformat(),
        "occurred_at": (soc.clock.now() + timedelta(days=1)).isoformat(),
    }
    refused = client.post("/api/v1/incidents", json=body)
    assert refused.status_code == 422 and "occurred_at" in refused.text


def test_the_deadlines_carry_the_corrected_figure_of_a_held_clock(client, soc):
    """A correction after the notification clock was due keeps the original figure; the API
    shows the corrected due time and status beside it, with the reason."""
    incident = open_incident(soc.store, soc.clock)
    path = f"/api/v1/incidents/{incident.id}"
    plain = {d["kind"]: d for d in client.get(path).json()["deadlines"]}["notify"]
    assert (plain["corrected_due_at"], plain["corrected_status"]) == (None, None)
    assert plain["correction_reasons"] == []
    soc.clock.advance(timedelta(hours=3))
    assert client.post(f"{path}/notifications", json=NOTIFICATION).status_code == 200
    later = soc.clock.now() - timedelta(minutes=30)
    body = {"field": "aware_at", "value": later.isoformat(), "reason": "主管說明較晚得知"}
    assert client.post(f"{path}/corrections", json=body).status_code == 201
    notify = {d["kind"]: d for d in client.get(path).json()["deadlines"]}["notify"]
    assert notify["status"] == "missed"
    assert datetime.fromisoformat(notify["due_at"]) == incident.aware_at + timedelta(hours=1)
    assert notify["corrected_status"] == "met"
    corrected_due = datetime.fromisoformat(notify["corrected_due_at"])
    assert corrected_due == later + timedelta(hours=1)
    assert notify["correction_reasons"] == ["主管說明較晚得知"]

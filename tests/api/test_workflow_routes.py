"""The workflow steps after the notification through the JSON API on a real SQLite store:
change the level (續行通報), review, forward, recovery, the report, close; dismiss; and the
refusals (close before the report, a dismissed incident)."""

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.access import Role
from incidents import service
from incidents.deadlines import DeadlineKind
from tests.factories import ADMIN, make_user, open_incident, token_for

TOKEN = "test-token-0123456789"  # noqa: S105
LEVEL2 = {"system_class": "core_non_ci", "availability": "within_mtd"}
LEVEL3 = {"system_class": "core_non_ci", "availability": "beyond_mtd"}
REPORT = {
    "scope_and_damage": "一台伺服器",
    "containment_process": "隔離",
    "investigation_process": "鑑識",
    "root_cause": "弱密碼",
    "preventive_measures": "多因子驗證",
    "schedule_and_tracking": "每月追蹤",
}


@pytest.fixture
def client(soc):
    with TestClient(create_app(soc, api_token=TOKEN)) as c:
        c.headers["Authorization"] = f"Bearer {TOKEN}"
        yield c


def post(client, path: str, body: dict, status: int = 200) -> dict:
    response = client.post(path, json=body)
    assert response.status_code == status, response.text
    return response.json()


def test_an_incident_from_notification_to_closure(client, soc):
    one = f"/api/v1/incidents/{open_incident(soc.store, soc.clock).id}"
    post(
        client,
        f"{one}/notifications",
        {
            "answers": LEVEL2,
            "description": "d",
            "response_measures": "m",
            "outside_support_needed": False,
        },
    )
    changed = post(client, f"{one}/level", {"answers": LEVEL3, "reason": "停機超過可容忍時間"})
    assert changed["incident"]["level"] == 3
    assert [n["kind"] for n in changed["incident"]["notifications"]] == ["initial", "level_change"]
    post(client, f"{one}/review", {})
    refused = post(client, f"{one}/forward", {"to": "資通安全署", "reference": " "}, 422)
    assert "reference number" in refused["error"]["message"]
    forwarded = post(client, f"{one}/forward", {"to": "資通安全署", "reference": "NCERT-1"})
    assert forwarded["incident"]["forward_reference"] == "NCERT-1"
    clock = {d["kind"]: d for d in forwarded["deadlines"]}[DeadlineKind.FORWARD.value]
    assert clock["status"] == "met"
    post(client, f"{one}/contained", {})
    early = post(client, f"{one}/close", {"reason": "done"}, 422)
    assert "investigation report" in early["error"]["message"]
    post(client, f"{one}/report", REPORT)
    closed = post(client, f"{one}/close", {"reason": "改善措施已排程"})
    assert closed["incident"]["state"] == "closed"
    assert closed["incident"]["close_reason"] == "改善措施已排程"


def test_a_dismissed_incident_takes_no_further_step(client, soc):
    incident = open_incident(soc.store, soc.clock)
    one = f"/api/v1/incidents/{incident.id}"
    assert post(client, f"{one}/dismiss", {"reason": " "}, 422)["error"]["location"] == "reason"
    dismissed = post(client, f"{one}/dismiss", {"reason": "弱掃誤報"})
    assert dismissed["incident"]["state"] == "false_positive"
    again = post(client, f"{one}/progress", {"text": "x"}, 422)
    assert "already closed" in again["error"]["message"]
    stored = service.get_incident(store=soc.store, actor=ADMIN, incident_id=incident.id)
    assert stored.close_reason == "弱掃誤報"


def test_forwarding_refuses_unknown_fields_and_an_unreviewed_incident(client, soc):
    one = f"/api/v1/incidents/{open_incident(soc.store, soc.clock).id}"
    body = {"to": "資通安全署", "reference": "NCERT-1"}
    assert post(client, f"{one}/forward", {**body, "sent": "now"}, 422)
    not_reviewed = post(client, f"{one}/forward", body, 422)
    assert "review the level" in not_reviewed["error"]["message"]


def test_reopen_a_closed_incident_and_a_dismissed_one(client, soc):
    one = f"/api/v1/incidents/{open_incident(soc.store, soc.clock).id}"
    post(client, f"{one}/dismiss", {"reason": "弱掃誤報"})
    blank = post(client, f"{one}/reopen", {"reason": " "}, 422)
    assert blank["error"]["location"] == "reason"
    reopened = post(client, f"{one}/reopen", {"reason": "同一主機再次告警"})
    assert reopened["incident"]["state"] == "open"  # it was confirmed before its dismissal
    assert reopened["incident"]["close_reason"] is None
    [record] = reopened["incident"]["reopenings"]
    assert record["reason"] == "同一主機再次告警" and record["from_state"] == "false_positive"
    again = post(client, f"{one}/reopen", {"reason": "x"}, 422)
    assert "not closed or dismissed" in again["error"]["message"]
    assert post(client, "/api/v1/incidents/INC-NONE/reopen", {"reason": "x"}, 404)


def test_a_level_change_checks_access_before_the_answers(client, soc):
    """Another agency's reporter learns nothing from wrong answers or a blank reason (422
    would say the incident exists): 404, as for an id that does not exist."""
    one = f"/api/v1/incidents/{open_incident(soc.store, soc.clock).id}"
    police = token_for(soc, make_user(soc, "police", Role.REPORTER, agency="police"))
    auditor = token_for(soc, make_user(soc, "audrey", Role.AUDITOR))
    for body in ({"answers": {}, "reason": "r"}, {"answers": LEVEL2, "reason": " "}):
        sent = client.post(f"{one}/level", json=body, headers={"Authorization": f"Bearer {police}"})
        assert sent.status_code == 404, sent.text
        sent = client.post(
            f"{one}/level", json=body, headers={"Authorization": f"Bearer {auditor}"}
        )
        assert sent.status_code == 403, sent.text
    # who may change it still hears what is wrong, once the workflow allows the step
    post(
        client,
        f"{one}/notifications",
        {
            "answers": LEVEL2,
            "description": "d",
            "response_measures": "m",
            "outside_support_needed": False,
        },
    )
    wrong = post(client, f"{one}/level", {"answers": {}, "reason": "r"}, 422)
    assert "no statutory criterion" in wrong["error"]["message"]
    blank = post(client, f"{one}/level", {"answers": LEVEL3, "reason": " "}, 422)
    assert blank["error"]["location"] == "reason"

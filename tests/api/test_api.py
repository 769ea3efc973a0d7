"""The JSON API through TestClient against a real SQLite store."""

import json

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from collectors.ingest import Ingestor
from collectors.records import RawRecord
from tests.data.events import winlogbeat
from tests.factories import open_incident

TOKEN = "test-token-0123456789"  # noqa: S105


@pytest.fixture
def client(soc):
    with TestClient(create_app(soc, api_token=TOKEN)) as c:
        c.headers["Authorization"] = f"Bearer {TOKEN}"
        yield c


def seed_alerts(soc):
    ingestor: Ingestor = soc.ingestor()
    for name in ("a", "b", "c"):
        doc = winlogbeat("Security", 4732, {"TargetSid": "S-1-5-32-544", "MemberName": name})
        ingestor.submit(RawRecord("t", json.dumps(doc).encode(), soc.clock.now()), "jsonl")
    ingestor.flush()
    return soc.process()


def test_health_needs_no_token(soc):
    with TestClient(create_app(soc, api_token=TOKEN)) as c:
        body = c.get("/api/v1/health").json()
    assert body["status"] == "ok" and body["agencies"] == 61


def test_ready_says_what_is_not(soc, tmp_path):
    with TestClient(create_app(soc, api_token=TOKEN)) as c:
        ok = c.get("/api/v1/ready")
        assert ok.status_code == 200 and ok.json()["checks"]["store"] == "ok"
        soc.store.close()  # the store goes away under a running server
        down = c.get("/api/v1/ready")
    assert down.status_code == 503 and down.json()["checks"]["store"].startswith("unavailable")


def test_ready_answers_busy_while_a_write_waits_on_a_lock_held_elsewhere(soc):
    """Another process holds the database's write lock; a syslog batch waits for it. Ready
    used to wait as long (20 s and more) and then say ready; it answers within its probe
    time that the store is busy, and ready again once the lock is gone."""
    import sqlite3
    import threading
    from datetime import UTC, datetime

    if soc.store.engine != "sqlite":
        pytest.skip("a file lock held by another process is SQLite's")
    other = sqlite3.connect(soc.settings.sqlite_path, isolation_level=None, timeout=1)
    other.execute("BEGIN EXCLUSIVE")
    ingestor = Ingestor(soc.store, soc.registry, clock=soc.clock)
    doc = winlogbeat("Security", 4720, {"TargetUserName": "eve"})
    ingestor.submit(RawRecord("t", json.dumps(doc).encode(), datetime.now(UTC)), "jsonl")
    writer = threading.Thread(target=ingestor.flush)  # waits for the lock, holding the store
    released = threading.Timer(15, other.rollback)  # the old code answered only after this
    with TestClient(create_app(soc, api_token=TOKEN)) as c:
        writer.start()
        released.start()
        try:
            busy = c.get("/api/v1/ready")
        finally:
            released.cancel()
            other.rollback()
            writer.join(timeout=60)
        assert busy.status_code == 503, busy.text
        assert busy.json()["checks"]["store"].startswith("busy"), busy.json()
        assert c.get("/api/v1/ready").status_code == 200
    other.close()
    assert soc.store.events.count() == 1  # the waiting write went through


@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic abc"])
def test_api_rejects_missing_or_wrong_tokens(soc, header):
    with TestClient(create_app(soc, api_token=TOKEN)) as c:
        headers = {"Authorization": header} if header else {}
        response = c.get("/api/v1/alerts", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_alerts_are_paginated_and_grouped_into_an_incident(client, soc):
    report = seed_alerts(soc)
    assert (report.detection.alerts_new, report.triage.incidents_opened) == (3, 1)
    page = client.get("/api/v1/alerts", params={"limit": 2}).json()
    assert (page["total"], len(page["items"]), page["items"][0]["rule_id"]) == (
        3,
        2,
        page["items"][1]["rule_id"],
    )
    [incident] = client.get("/api/v1/incidents").json()["items"]
    assert incident["incident"]["alert_count"] == 3
    assert incident["incident"]["organization_id"] == "district-xitun"


def test_notification_flow_and_html_form(client, soc):
    seed_alerts(soc)
    [item] = client.get("/api/v1/incidents").json()["items"]
    incident_id = item["incident"]["id"]
    # triage made a suspected case: a person confirms it before the notification
    confirmed = client.post(f"/api/v1/incidents/{incident_id}/confirm", json={})
    assert confirmed.status_code == 200, confirmed.text
    body = {
        "answers": {"system_class": "core_ci", "availability": "within_mtd"},
        "description": "主機遭植入後門",
        "response_measures": "隔離",
        "outside_support_needed": False,
        "iocs": [{"type": "ipv4", "value": "203.0.113.45"}],
    }
    filed = client.post(f"/api/v1/incidents/{incident_id}/notifications", json=body)
    assert filed.status_code == 200, filed.text
    data = filed.json()
    assert data["incident"]["level"] == 3 and data["incident"]["state"] == "notified"
    assert {d["kind"]: d["status"] for d in data["deadlines"]}["notify"] == "met"
    review = client.post(f"/api/v1/incidents/{incident_id}/review", json={"level": 4})
    assert review.json()["incident"]["level"] == 4
    html = client.get(f"/api/v1/incidents/{incident_id}/documents/notification")
    assert html.status_code == 200 and "第四級" in html.text and "203.0.113.45" in html.text
    first = client.get(f"/api/v1/incidents/{incident_id}/documents/notification?notice=1")
    assert "<strong>第三級</strong>" in first.text  # the first notice, as filed
    pdf = client.get(f"/api/v1/incidents/{incident_id}/documents/notification?format=pdf")
    assert f'filename="notification-{incident_id}-2.pdf"' in pdf.headers["content-disposition"]
    again = client.post(f"/api/v1/incidents/{incident_id}/notifications", json=body)
    assert again.status_code == 422 and "already filed" in again.json()["error"]["message"]


def test_validation_errors_name_each_problem(client, soc):
    seed_alerts(soc)
    [item] = client.get("/api/v1/incidents").json()["items"]
    response = client.post(
        f"/api/v1/incidents/{item['incident']['id']}/notifications",
        json={"answers": {"leak": "catastrophic"}, "extra": 1},
    )
    assert response.status_code == 422
    locations = {p["location"] for p in response.json()["error"]["problems"]}
    assert {"body.answers.leak", "body.extra", "body.description"} <= locations


def test_unknown_incident_is_404_and_bad_level_is_422(client):
    assert client.get("/api/v1/incidents/INC-0").status_code == 404
    response = client.post("/api/v1/incidents/INC-0/review", json={"level": 5})
    assert response.status_code == 422 and "less than or equal to 4" in response.text


def test_dead_letters_and_audit_verification(client, soc):
    ingestor = soc.ingestor()
    ingestor.submit(RawRecord("t", b"<999>bad", soc.clock.now(), position="line 1"), "syslog")
    ingestor.flush()
    dead = client.get("/api/v1/dead-letters").json()
    assert dead["total"] == 1 and "PRI" in dead["items"][0]["reason"]
    seed_alerts(soc)
    assert client.get("/api/v1/audit/verify").json()["ok"] is True


def test_openapi_document_lists_the_routes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/incidents/{incident_id}/notifications" in paths


def test_metrics_for_operators(client, soc):
    seed_alerts(soc)
    body = client.get("/metrics").text
    assert "citysoc_events_total 3" in body
    assert 'citysoc_alerts{status="escalated"} 3' in body
    assert 'citysoc_open_incidents{level="unassessed"} 1' in body
    assert "citysoc_detection_lag_events 0" in body


@pytest.fixture
def root_logging():
    """The root logger as it was: configure_logging sets it for the whole process, and the
    tests after these must not log INFO records into their commands' output."""
    import logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def test_json_logs_are_one_object_per_line(capsys, root_logging):
    import json as _json
    import logging

    from api.observability import configure_logging

    configure_logging("json")
    logging.getLogger("citysoc.test").info("scan %s done", "xitun-servers")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    entry = _json.loads(line)
    assert entry["message"] == "scan xitun-servers done" and entry["level"] == "info"


def test_logs_go_to_the_stderr_of_the_moment_not_a_closed_one(capsys, root_logging):
    """A stderr replaced and closed since (a test's capture, a CLI runner's) is not kept:
    later records would be logging errors printed into the next command's output."""
    import io
    import logging
    import sys

    from api.observability import configure_logging

    replaced = io.StringIO()
    before, sys.stderr = sys.stderr, replaced
    try:
        configure_logging("text")
    finally:
        sys.stderr = before
    replaced.close()
    logging.getLogger("citysoc.test").info("after the capture closed")
    assert "after the capture closed" in capsys.readouterr().err


def test_iocs_must_fit_their_type_and_bad_ones_file_nothing(client, soc):
    seed_alerts(soc)
    [item] = client.get("/api/v1/incidents").json()["items"]
    incident_id = item["incident"]["id"]
    body = {
        "answers": {"system_class": "non_core", "availability": "within_mtd"},
        "description": "d",
        "response_measures": "m",
        "outside_support_needed": False,
        "iocs": [{"type": "sha1", "value": "not-a-hash"}],
    }
    refused = client.post(f"/api/v1/incidents/{incident_id}/notifications", json=body)
    assert refused.status_code == 422 and "not a valid sha1" in refused.text
    after = client.get(f"/api/v1/incidents/{incident_id}").json()["incident"]
    assert after["notifications"] == [] and after["iocs"] == []


def test_the_notification_carries_type_name_and_iocs_in_one_audited_change(client, soc):
    seed_alerts(soc)
    [item] = client.get("/api/v1/incidents").json()["items"]
    incident_id = item["incident"]["id"]
    client.post(f"/api/v1/incidents/{incident_id}/confirm", json={})
    body = {
        "answers": {"system_class": "non_core", "availability": "within_mtd"},
        "description": "d",
        "response_measures": "m",
        "outside_support_needed": False,
        "category": "intrusion",
        "event_name": "西屯區公所帳號遭盜用事件",
        "iocs": [{"type": "domain", "value": "evil.example"}],
    }
    filed = client.post(f"/api/v1/incidents/{incident_id}/notifications", json=body)
    assert filed.status_code == 200, filed.text
    incident = filed.json()["incident"]
    assert incident["category"] == "intrusion" and incident["event_name"] == body["event_name"]
    assert incident["iocs"] == [{"type": "domain", "value": "evil.example", "note": None}]
    trail = [r.action for r in soc.store.audit.rows(subject=incident_id)]
    assert trail[-1] == "incident.notify" and "incident.edit" not in trail  # one change
    html = client.get(f"/api/v1/incidents/{incident_id}/documents/notification").text
    assert "非法入侵" in html and "西屯區公所帳號遭盜用事件" in html


def test_an_unusable_recorded_ioc_is_withheld_from_sharing_not_a_server_error(client, soc):
    """Incidents recorded before IoCs were checked may hold one that is not what its type says."""
    from incidents import repository
    from incidents.models import IoC, IoCType

    made = open_incident(soc.store, soc.clock)
    legacy = made.model_copy(update={"iocs": [IoC(type=IoCType.SHA1, value="not-a-hash")]})
    repository.save(soc.store, legacy, expected_version=made.version)
    body = {"include_incident_iocs": True, "iocs": [{"value": "evil.example"}]}
    preview = client.post(f"/api/v1/incidents/{made.id}/share", json=body)
    assert preview.status_code == 200, preview.text
    [withheld] = preview.json()["withheld"]
    assert withheld["ioc"]["value"] == "not-a-hash" and withheld["reason"] == "unusable"
    assert "sha1" in withheld["detail"]  # what the check said
    confirm = {"confirm": preview.json()["digest"]}
    shared = client.post(f"/api/v1/incidents/{made.id}/share", json=body | confirm)
    assert shared.status_code == 201, shared.text
    assert [w["ioc"]["value"] for w in shared.json()["withheld"]] == ["not-a-hash"]


def test_triage_makes_a_suspected_case_the_api_confirms(client, soc):
    """No statutory clock until a person confirms; a future awareness is refused, naming it."""
    seed_alerts(soc)
    [item] = client.get("/api/v1/incidents").json()["items"]
    assert (item["incident"]["state"], item["incident"]["aware_at"]) == ("suspected", None)
    assert item["deadlines"] == []
    incident_id = item["incident"]["id"]
    future = client.post(
        f"/api/v1/incidents/{incident_id}/confirm",
        json={"aware_at": "2099-01-01T00:00:00+08:00", "reason": "r"},
    )
    assert future.status_code == 422 and future.json()["error"]["location"] == "aware_at"
    confirmed = client.post(f"/api/v1/incidents/{incident_id}/confirm", json={}).json()
    assert confirmed["incident"]["state"] == "open"
    assert confirmed["incident"]["aware_at"] is not None
    assert [d["kind"] for d in confirmed["deadlines"]][0] == "notify"

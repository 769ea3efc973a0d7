"""Every free-text field has a limit (core.limits), and a page form refuses a text over it
as the API does: the same limit, said in the page's language (the API keeps its English
message), and the form comes back filled in."""

import html
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from core import limits
from core.errors import InputError
from core.i18n.messages import describe
from incidents import closing, notification, service
from incidents.levels import Availability, LevelAnswers, SystemClass
from tests.factories import open_incident
from tests.pages.test_pages import ADMIN, NOTIFY, REPORT, Browser, alert_ids
from tests.pages.test_pages import app as app  # noqa: PLC0414 - the pages' fixture

API_TOKEN = "operator-token-pages"


def long_text(limit: int) -> str:
    return "長" * limit + "尾"  # one character over, and recognisable when it comes back


def api_message(response) -> str:
    assert response.status_code == 422, response.text[:300]
    return response.json()["error"]["message"]


@pytest.fixture
def incident(soc):
    return open_incident(soc.store, soc.clock, title="檔案伺服器異常").id


def _notify(soc, incident_id):
    notification.file_notification(
        store=soc.store,
        actor=ADMIN,
        incident_id=incident_id,
        answers=LevelAnswers(
            system_class=SystemClass.CORE_NON_CI, availability=Availability.WITHIN_MTD
        ),
        description="d",
        response_measures="m",
        outside_support_needed=False,
        clock=soc.clock,
    )


def page_message(field: str, limit: int) -> str:
    """What a Chinese page says of a text over ``limit`` in ``field``."""
    said = describe(InputError("", key="too_long", params={"field": field, "max": limit}), "zh")
    assert str(limit) in said and field not in said, said  # the field by its label
    return said


def _page_refuses(browser, path, form, typed, message):
    refused = browser.post(path, form)
    assert refused.status_code == 422, refused.text[:300]
    page = html.unescape(refused.text)
    assert message in page and typed in page  # the message, and what was typed comes back
    return refused


def test_every_report_item_is_limited(app, incident):
    """(A 30 MB report was accepted; the request-size limit now stops that sooner, and
    each item stops at the table's limit.)"""
    api = TestClient(app)
    api.headers["Authorization"] = f"Bearer {API_TOKEN}"
    for item in REPORT:
        body = {**REPORT, item: "x" * (limits.TEXT + 1)}
        message = api_message(api.post(f"/api/v1/incidents/{incident}/report", json=body))
        assert message == f"String should have at most {limits.TEXT} characters (body.{item})"


def test_page_forms_refuse_long_text_with_the_apis_message(app, incident, soc):
    api = TestClient(app)
    api.headers["Authorization"] = f"Bearer {API_TOKEN}"
    lead = Browser(app, "lead")
    page, endpoint = f"/incidents/{incident}", f"/api/v1/incidents/{incident}"
    answers = {"system_class": "core_non_ci", "availability": "within_mtd"}

    # before the notification: the notification form
    text = long_text(limits.TEXT)
    message = api_message(
        api.post(
            f"{endpoint}/notifications",
            json={
                "answers": answers,
                "description": text,
                "response_measures": "m",
                "outside_support_needed": False,
            },
        )
    )
    assert "description" in message and str(limits.TEXT) in message
    said = page_message("description", limits.TEXT)
    _page_refuses(lead, f"{page}/notify", {**NOTIFY, "description": text}, text, said)
    note = long_text(limits.NOTE)
    message = api_message(
        api.post(
            f"{endpoint}/notifications",
            json={
                "answers": answers,
                "description": "d",
                "response_measures": "m",
                "outside_support_needed": True,
                "other_matters": note,
            },
        )
    )
    assert "other_matters" in message and str(limits.NOTE) in message
    said = page_message("other_matters", limits.NOTE)
    _page_refuses(lead, f"{page}/notify", {**NOTIFY, "other_matters": note}, note, said)

    _notify(soc, incident)
    cases = [  # (page action, page form field, API action, API body, limit)
        ("review", "note", "review", {"level": 2}, limits.NOTE),
        ("progress", "text", "progress", {}, limits.TEXT),
        ("contained", "note", "contained", {}, limits.NOTE),
        ("share", "summary", "share", {}, limits.TEXT),
    ]
    for action, field, api_action, body, limit in cases:
        text = long_text(limit)
        message = api_message(api.post(f"{endpoint}/{api_action}", json={**body, field: text}))
        assert field in message and str(limit) in message, message
        said = page_message(field, limit)
        _page_refuses(lead, f"{page}/{action}", {**body, field: text}, text, said)

    note = long_text(limits.REASON)
    files = {"file": ("fw.log", b"deny tcp 203.0.113.9\n", "text/plain")}
    message = api_message(api.post(f"{endpoint}/evidence", data={"note": note}, files=files))
    assert "note" in message and str(limits.REASON) in message
    refused = lead.post(f"{page}/evidence", {"note": note}, files=files)
    said = page_message("note", limits.REASON)
    assert refused.status_code == 422 and said in html.unescape(refused.text)
    assert note in html.unescape(refused.text)

    closing.mark_contained(store=soc.store, actor=ADMIN, incident_id=incident, clock=soc.clock)
    text = long_text(limits.TEXT)
    message = api_message(api.post(f"{endpoint}/report", json={**REPORT, "root_cause": text}))
    assert "root_cause" in message and str(limits.TEXT) in message
    said = page_message("root_cause", limits.TEXT)
    _page_refuses(lead, f"{page}/report", {**REPORT, "root_cause": text}, text, said)
    assert service.get_incident(store=soc.store, actor=ADMIN, incident_id=incident).comments == []


def test_alert_queue_refuses_a_long_reason_with_the_apis_message(app):
    api = TestClient(app)
    api.headers["Authorization"] = f"Bearer {API_TOKEN}"
    analyst = Browser(app, "analyst")
    [first, *_] = alert_ids(analyst.get("/alerts").text)
    reason = long_text(limits.REASON)
    message = api_message(
        api.post("/api/v1/alerts/false-positive", json={"alert_ids": [first], "reason": reason})
    )
    back = analyst.post(
        "/alerts/triage", [("action", "suppress"), ("alert_ids", first), ("reason", reason)]
    )
    assert back.status_code == 303
    assert "reason" in message and str(limits.REASON) in message
    said = page_message("reason", limits.REASON)
    assert parse_qs(urlsplit(back.headers["location"]).query)["error"] == [said]
    assert first in alert_ids(analyst.get("/alerts", status="new").text)  # nothing changed

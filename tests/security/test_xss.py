"""A script in every free-text field stays text on every page and in every report.

Every field a person or a log source can write is filled with a payload that would run if
it reached the page unescaped (in element content or breaking out of an attribute); then
every page and every HTML report is fetched and searched for the payload as markup. The
escaped form must appear too, so a page that silently left the field out would not pass.
The pages also carry a CSP without inline scripts (tests/pages/test_pages.py), a second line.
"""

import json

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from collectors.records import RawRecord
from core.access import Role
from core.settings import Settings
from reports.documents import DocumentKind
from tests.data.events import winlogbeat
from tests.factories import PASSWORD, make_user

XSS = "<script>window.__xss=1</script>\"'><img src=x onerror=window.__xss=2>"
LIVE = ("<script>window.__xss", "<img src=x onerror")  # the payload as markup
ESCAPED = "&lt;script&gt;window.__xss=1&lt;/script&gt;"
TOKEN = "operator-token-xss"


def escaped_in(text: str) -> bool:
    return ESCAPED in text or "&lt;script&gt;window.__xss" in text


@pytest.fixture
def world(soc):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    api = TestClient(create_app(soc, api_token=TOKEN))
    api.headers["Authorization"] = f"Bearer {TOKEN}"
    make_user(soc, "analyst", Role.ANALYST, display_name=XSS)
    # A log source writes a host name and user name of its choosing.
    ingestor = soc.ingestor()
    for n in range(3):
        doc = winlogbeat("Security", 4720, {"TargetUserName": f"{XSS}{n}"}, host=f"D-XITUN-{XSS}")
        ingestor.submit(RawRecord(XSS, json.dumps(doc).encode(), soc.clock.now()), "jsonl")
    ingestor.flush()
    soc.process(min_severity="critical")
    alerts = api.get("/api/v1/alerts").json()["items"]
    ok = api.post(
        "/api/v1/alerts/false-positive", json={"alert_ids": [alerts[0]["id"]], "reason": XSS}
    )
    assert ok.status_code == 200, ok.text
    created = api.post(
        "/api/v1/incidents",
        json={
            "organization_id": "district-xitun",
            "title": XSS,
            "description": XSS,
            "aware_at": soc.clock.now().isoformat(),
            "affected_assets": [XSS],
        },
    )
    incident_id = created.json()["incident"]["id"]
    steps = [
        ("alerts", {"alert_ids": [a["id"] for a in alerts[1:]]}),
        (
            "notifications",
            {
                "answers": {"system_class": "non_core", "availability": "within_mtd"},
                "description": XSS,
                "response_measures": XSS,
                "outside_support_needed": True,
                "outside_support_detail": XSS,
                "other_matters": XSS,
                "iocs": [{"type": "domain", "value": "evil.example", "note": XSS}],
            },
        ),
        ("review", {"level": 2, "note": XSS}),
        ("progress", {"text": XSS}),
        ("contained", {"note": XSS}),
        (
            "report",
            dict.fromkeys(
                (
                    "scope_and_damage",
                    "containment_process",
                    "investigation_process",
                    "root_cause",
                    "preventive_measures",
                    "schedule_and_tracking",
                ),
                XSS,
            ),
        ),
    ]
    for step, body in steps:
        response = api.post(f"/api/v1/incidents/{incident_id}/{step}", json=body)
        assert response.status_code == 200, f"{step}: {response.text}"
    upload = api.post(
        f"/api/v1/incidents/{incident_id}/evidence",
        files={"file": (f"{XSS}.txt", XSS.encode())},
        data={"note": XSS},
    )
    assert upload.status_code == 201, upload.text
    browser = TestClient(api.app, follow_redirects=False)
    browser.post("/api/v1/auth/login", json={"username": "analyst", "password": PASSWORD})
    return api, browser, incident_id


def pages(incident_id: str, event_id: str = "") -> list[str]:
    return [
        f"/events/{event_id}",
        "/",
        f"/incidents/{incident_id}",
        "/alerts",
        "/alerts?status=false_positive",
        f"/alerts?host=D-XITUN-{XSS}",
        "/reviews",
        "/dashboard",
        "/audit",
        f"/audit?subject={incident_id}",
        "/intel",
    ]


def reports(incident_id: str) -> list[tuple[str, bool]]:
    """(path, whether it quotes free text): the compliance report holds counts and ids only."""
    documents = [
        (f"/api/v1/incidents/{incident_id}/documents/{kind.value}?lang={lang}", True)
        for kind in DocumentKind
        for lang in ("zh", "en")
    ]
    compliance = "/api/v1/reports/compliance?from=2026-01-01&to=2026-12-31&format=html"
    return [*documents, (compliance, False)]


def test_every_page_shows_the_payload_as_text(world):
    api, browser, incident_id = world
    event_id = api.get("/api/v1/alerts").json()["items"][0]["event"]["event_id"]
    seen_escaped = 0
    for path in pages(incident_id, event_id):
        response = browser.get(path)
        assert response.status_code == 200, f"{path}: {response.text[:300]}"
        for live in LIVE:
            assert live not in response.text, f"{path} renders {live!r} as markup"
        seen_escaped += escaped_in(response.text)
    assert seen_escaped >= 6  # the payload is shown (escaped) on most pages, not dropped


def test_every_report_shows_the_payload_as_text(world):
    api, _browser, incident_id = world
    for path, quotes in reports(incident_id):
        response = api.get(path)
        assert response.status_code == 200, f"{path}: {response.text[:300]}"
        for live in LIVE:
            assert live not in response.text, f"{path} renders {live!r} as markup"
        assert escaped_in(response.text) or not quotes, f"{path} does not show the text at all"


def test_the_incident_page_escapes_inside_attributes_too(world):
    _api, browser, incident_id = world
    html = browser.get(f"/incidents/{incident_id}").text
    assert "\"'><img" not in html
    assert "&#34;&#39;&gt;&lt;img" in html or "&quot;&#39;&gt;&lt;img" in html

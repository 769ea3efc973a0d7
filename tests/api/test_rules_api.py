"""The rules API: the catalogue filtered and paged, one rule with its YAML, enable/disable,
exceptions, upload with pySigma's reason for a bad rule, the retro-hunt preview, per-run
stats and the noisy-rules view; readers read, leads change, bad input names its field."""

import json

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from collectors.ingest import Ingestor
from collectors.records import RawRecord
from core.access import Role
from core.alerts import AlertQuery, AlertStatus
from tests.data.events import winlogbeat
from tests.factories import make_user, token_for

RULE = "16728b4d-9edc-5348-8e53-1b9b8cb7b78c"  # win_user_account_created.yml (4720)
UPLOAD = """title: Local Group Enumerated
id: 7d1f2a0e-8c55-4d8e-9d0a-2f1c5b8e9a11
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4798}
  condition: selection
level: low
"""


@pytest.fixture
def api(soc):
    client = TestClient(create_app(soc, api_token="operator-token-rules-api"))
    lead = make_user(soc, "lee", Role.LEAD)
    analyst = make_user(soc, "amy", Role.ANALYST)
    return (
        client,
        {"Authorization": f"Bearer {token_for(soc, lead)}"},
        {"Authorization": f"Bearer {token_for(soc, analyst)}"},
    )


def _ingest(soc, *docs) -> None:
    ingestor = Ingestor(soc.store, soc.registry, clock=soc.clock)
    for doc in docs:
        ingestor.submit(RawRecord("t", json.dumps(doc).encode(), soc.clock.now()), "jsonl")
    ingestor.flush()


def test_the_catalogue_filters_and_pages(api):
    client, _lead, analyst = api
    every = client.get("/api/v1/rules", headers=analyst).json()
    assert every["total"] >= 10 and all(r["compiled"] for r in every["items"])
    assert {"pack", "level", "status", "techniques", "hits_24h", "hits_7d", "last_hit"} <= set(
        every["items"][0]
    )
    high = client.get("/api/v1/rules?level=high&limit=2", headers=analyst).json()
    assert high["total"] > 2 and len(high["items"]) == 2
    assert {r["level"] for r in high["items"]} == {"high"}
    second = client.get("/api/v1/rules?level=high&limit=2&offset=2", headers=analyst).json()
    assert not {r["rule_id"] for r in second["items"]} & {r["rule_id"] for r in high["items"]}
    found = client.get("/api/v1/rules?technique=t1136&q=ACCOUNT", headers=analyst).json()
    assert [r["rule_id"] for r in found["items"]] == [RULE]
    assert client.get("/api/v1/rules?pack=city&status=experimental", headers=analyst).json()[
        "total"
    ]
    for query, field in (("level=huge", "level"), ("technique=1059", "technique")):
        refused = client.get(f"/api/v1/rules?{query}", headers=analyst)
        assert refused.status_code == 422 and field in refused.text, refused.text


def test_one_rule_with_its_yaml_and_a_missing_one(api):
    client, _lead, analyst = api
    shown = client.get(f"/api/v1/rules/{RULE}", headers=analyst).json()
    assert "EventID: 4720" in shown["yaml"] and shown["techniques"] == ["T1136"]
    assert shown["exception_list"] == []
    assert client.get("/api/v1/rules/no-such-rule", headers=analyst).status_code == 404


def test_leads_switch_rules_and_analysts_may_not(api, soc):
    client, lead, analyst = api
    assert client.post(f"/api/v1/rules/{RULE}/disable", headers=analyst).status_code == 403
    off = client.post(f"/api/v1/rules/{RULE}/disable", headers=lead)
    assert off.status_code == 200 and off.json()["enabled"] is False
    disabled = client.get("/api/v1/rules?state=disabled", headers=analyst).json()
    assert [r["rule_id"] for r in disabled["items"]] == [RULE]
    assert client.post("/api/v1/rules/no-such-rule/enable", headers=lead).status_code == 404
    assert client.post(f"/api/v1/rules/{RULE}/enable", headers=lead).json()["enabled"] is True
    trail = [r.action for r in soc.store.audit.rows(subject=f"rule:{RULE}")]
    assert trail == ["rules.disable", "rules.enable"]


def test_exceptions_are_added_listed_and_removed(api, soc):
    client, lead, analyst = api
    body = {
        "agency": "district-xitun",
        "field": "winlog.event_data.TargetUserName",
        "value": "backup-svc",
        "reason": "vendor account",
        "expires_at": "2026-06-30T17:00",  # Taipei time
    }
    assert (
        client.post(f"/api/v1/rules/{RULE}/exceptions", json=body, headers=analyst).status_code
        == 403
    )
    made = client.post(f"/api/v1/rules/{RULE}/exceptions", json=body, headers=lead)
    assert made.status_code == 201, made.text
    exc = made.json()
    assert exc["owner"] == "lee" and exc["expires_at"] == "2026-06-30T17:00:00+08:00"
    listed = client.get(f"/api/v1/rules/{RULE}/exceptions", headers=analyst).json()["items"]
    assert [x["id"] for x in listed] == [exc["id"]]
    assert client.get("/api/v1/rules", headers=analyst).json()["items"]
    _ingest(soc, winlogbeat("Security", 4720, {"TargetUserName": "backup-svc"}))
    assert soc.process().detection.suppressed == 1 and soc.store.alerts.count() == 0
    gone = client.delete(f"/api/v1/rules/{RULE}/exceptions/{exc['id']}", headers=lead)
    assert gone.status_code == 200
    again = client.delete(f"/api/v1/rules/{RULE}/exceptions/{exc['id']}", headers=lead)
    assert again.status_code == 404
    for change, field in (
        ({"agency": None, "field": None, "value": None}, "scope"),
        ({"value": None}, "value"),
        ({"expires_at": "2020-01-01T00:00"}, "expires_at"),
        ({"reason": " "}, "reason"),
    ):
        refused = client.post(f"/api/v1/rules/{RULE}/exceptions", json=body | change, headers=lead)
        assert refused.status_code == 422 and field in refused.text, (change, refused.text)


def test_an_upload_is_validated_previewed_and_stored_disabled(api, soc):
    client, lead, analyst = api
    _ingest(soc, winlogbeat("Security", 4798, {"TargetUserName": "Administrators"}))
    preview = client.post("/api/v1/rules/preview", json={"yaml": UPLOAD}, headers=analyst)
    assert preview.status_code == 200, preview.text
    found = preview.json()
    assert found["total"] == 1 and found["events"][0]["url"].startswith("/events/")
    assert soc.store.alerts.count() == 0  # a preview never alerts
    broken = client.post(
        "/api/v1/rules", json={"yaml": UPLOAD.replace("condition: selection", "")}, headers=lead
    )
    assert broken.status_code == 422 and "condition" in broken.text.lower()
    assert client.post("/api/v1/rules", json={"yaml": UPLOAD}, headers=analyst).status_code == 403
    saved = client.post("/api/v1/rules", json={"yaml": UPLOAD}, headers=lead)
    assert saved.status_code == 201 and saved.json()["enabled"] is False
    assert saved.json()["pack"] == "uploaded"
    pack_rule = (soc.settings.rule_dirs[0] / "win_user_account_created.yml").read_text()
    taken = client.post("/api/v1/rules", json={"yaml": pack_rule}, headers=lead)
    assert taken.status_code == 409


def test_stats_and_noisy_rules(api, soc):
    client, _lead, analyst = api
    _ingest(
        soc,
        winlogbeat("Security", 4720, {"TargetUserName": "a"}),
        winlogbeat("Security", 4720, {"TargetUserName": "b"}),
    )
    soc.process()
    stats = client.get("/api/v1/rules/stats", headers=analyst).json()
    [run] = stats["runs"]
    hits = {r["rule_id"]: r["hits"] for r in run["rules"]}
    assert hits[RULE] == 2 and len(run["rules"]) >= 10  # every rule that ran, with its time
    assert stats["rules"][0]["runs"] == 1
    [alert, _other] = soc.store.alerts.list(AlertQuery(rule_id=RULE))
    soc.store.alerts.update_status(
        [alert.id], status=AlertStatus.FALSE_POSITIVE, reason="noise", incident_id=None
    )
    noisy = client.get("/api/v1/rules/noisy?days=2", headers=analyst).json()
    top = noisy["items"][0]
    assert (top["rule_id"], top["alerts"], top["per_day"], top["dismissed_share"]) == (
        RULE,
        2,
        1.0,
        0.5,
    )
    assert client.get("/api/v1/rules/noisy?days=0", headers=analyst).status_code == 422

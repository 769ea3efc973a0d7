"""The alert queue across agencies (issue 16 item 6): the agency filter bounds bulk
actions, host and rule filters take part of a name in any case, alerts go to a colleague,
the filtered queue streams as CSV, and an event leads back to its alerts, rule and
incident. Real SQLite store, real ingested events and detections; no browser (see
tests/e2e/test_queue_browser.py for chromium)."""

import csv
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from api.app import create_app
from collectors.records import RawRecord
from core.access import Role
from core.settings import Settings
from tests.data.events import winlogbeat
from tests.factories import make_user
from tests.pages.test_pages import Browser, alert_ids

USERS = {
    "beitun": (Role.REPORTER, "district-beitun"),
    "analyst": (Role.ANALYST, None),
    "bob": (Role.ANALYST, None),
    "lead": (Role.LEAD, None),
    "auditor": (Role.AUDITOR, None),
}
HOSTS = ["D-BEITUN-PC01", "D-BEITUN-PC02", "D-BEITUN-FS01", "POLICE-PC07", "D-XITUN-PC07"]


@pytest.fixture
def app(soc):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    for username, (role, agency) in USERS.items():
        make_user(soc, username, role, agency=agency, display_name=username.title())
    make_user(soc, "gone", Role.ANALYST)
    ingestor = soc.ingestor()
    for n, host in enumerate(HOSTS):
        doc = winlogbeat("Security", 4720, {"TargetUserName": f"u{n}"}, host=host)
        ingestor.submit(RawRecord("t", json.dumps(doc).encode(), soc.clock.now()), "jsonl")
    ingestor.flush()
    soc.process(min_severity="critical")  # alerts only: they wait in the queue
    return create_app(soc, api_token="operator-token-queue")


def _agencies(soc, ids: list[str]) -> set[str]:
    return {soc.store.alerts.get(i).organization_id for i in ids}


def test_bulk_assign_on_an_agency_filter_touches_only_that_agencys_alerts(app, soc):
    """Issue 16: "assign to me" on 北屯區公所 took other agencies' alerts. Ticked alerts of
    another agency (a stale page, a forged form) are left alone, and the page says so."""
    analyst = Browser(app, "analyst")
    every = alert_ids(analyst.get("/alerts").text)
    assert _agencies(soc, every) == {"district-beitun", "police", "district-xitun"}
    beitun = alert_ids(analyst.get("/alerts", agency="district-beitun").text)
    assert len(beitun) == 3 and _agencies(soc, beitun) == {"district-beitun"}

    sent = analyst.post(
        "/alerts/triage",
        [
            ("action", "assign_me"),
            ("agency", "district-beitun"),
            ("back", "/alerts?agency=district-beitun"),
            *(("alert_ids", i) for i in every),  # all five ticked
        ],
    )
    assert parse_qs(urlsplit(sent.headers["location"]).query)["agency"] == ["district-beitun"]
    done = analyst.follow(sent).text
    assert {soc.store.alerts.get(i).assignee for i in every if i in beitun} == {"analyst"}
    assert {soc.store.alerts.get(i).assignee for i in every if i not in beitun} == {None}
    assert "已指派給你的告警數：3" in done
    assert "勾選中不屬於北屯區公所而未處理的告警數：2" in done
    # the selection is kept: the filter shows it, the bulk form carries it
    assert '<option value="district-beitun" selected>' in done
    assert '<input type="hidden" name="agency" value="district-beitun">' in done
    audit = [r for r in soc.store.audit.rows() if r.action == "alerts.assign"]
    assert sorted(json.loads(audit[-1].detail)["alerts"]) == sorted(beitun)


def test_a_selection_wholly_outside_the_filtered_agency_is_refused(app, soc):
    analyst = Browser(app, "analyst")
    police = alert_ids(analyst.get("/alerts", agency="police").text)
    refused = analyst.follow(
        analyst.post(
            "/alerts/triage",
            [("action", "assign_me"), ("agency", "district-beitun"), ("alert_ids", police[0])],
        )
    )
    assert "都不屬於篩選中的機關（district-beitun）" in refused.text
    assert soc.store.alerts.get(police[0]).assignee is None


@pytest.mark.parametrize(
    ("params", "hosts"),
    [
        ({"host": "pc07"}, {"POLICE-PC07", "D-XITUN-PC07"}),
        ({"host": "beitun-PC"}, {"D-BEITUN-PC01", "D-BEITUN-PC02"}),
        ({"host": "%"}, set()),
        ({"host": "d-beitun", "agency": "police"}, set()),
    ],
)
def test_the_host_filter_takes_part_of_the_name_in_any_case(app, params, hosts):
    page = Browser(app, "analyst").get("/alerts", **params).text
    assert set(re.findall(r'<td translate="no">([A-Z0-9-]+-(?:PC|FS)\d\d)</td>', page)) == hosts
    assert f'value="{params["host"]}"' in page  # kept in the filter


def test_the_rule_filter_finds_rules_by_part_of_their_title(app, soc):
    some = soc.store.alerts.list(limit=1)[0]
    analyst = Browser(app, "analyst")
    by_title = analyst.get("/alerts", rule=some.rule_title[3:12].upper()).text
    assert len(alert_ids(by_title)) == 5
    by_id = analyst.get("/alerts", rule=some.rule_id[-6:]).text
    assert len(alert_ids(by_id)) == 5
    assert alert_ids(analyst.get("/alerts", rule="*").text) == []


def test_alerts_go_to_a_colleague_from_the_select(app, soc):
    analyst = Browser(app, "analyst")
    page = analyst.get("/alerts").text
    offered = re.findall(r'<option value="([a-z]+)" translate="no">', page)
    # who may triage, active: not the reporter, the auditor; the disabled account goes below
    assert offered == ["analyst", "bob", "gone", "lead"]
    ids = alert_ids(page)[:2]
    done = analyst.follow(
        analyst.post(
            "/alerts/triage",
            [("action", "assign_to"), ("assignee", "bob"), *(("alert_ids", i) for i in ids)],
        )
    )
    assert "已指派給同仁的告警數：2" in done.text
    assert {soc.store.alerts.get(i).assignee for i in ids} == {"bob"}
    entry = [r for r in soc.store.audit.rows() if r.action == "alerts.assign"][-1]
    assert entry.actor.startswith("analyst") and json.loads(entry.detail)["assignee"] == "bob"

    unchosen = analyst.follow(
        analyst.post("/alerts/triage", {"action": "assign_to", "alert_ids": ids[0]})
    )
    assert "請選擇要指派的同仁" in unchosen.text
    forged = analyst.follow(
        analyst.post(
            "/alerts/triage", {"action": "assign_to", "assignee": "beitun", "alert_ids": ids[0]}
        )
    )
    assert "「beitun」不是可研判告警的有效帳號" in forged.text
    assert soc.store.alerts.get(ids[0]).assignee == "bob"


def test_a_disabled_colleague_is_not_offered(app, soc):
    from core import accounts
    from tests.factories import ADMIN

    accounts.set_disabled(
        store=soc.store, actor=ADMIN, username="gone", disabled=True, clock=soc.clock
    )
    page = Browser(app, "analyst").get("/alerts").text
    assert 'value="gone"' not in page and 'value="bob"' in page
    # a reporter's read-only queue offers no one
    assert 'id="assign-to-who"' not in Browser(app, "beitun").get("/alerts").text


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_filtered_queue_exports_as_csv(app, soc):
    analyst = Browser(app, "analyst")
    page = analyst.get("/alerts", agency="district-beitun", host="pc").text
    link = re.search(r'href="([^"]+)" id="alerts-export-csv"', page).group(1)
    assert link == "/api/v1/alerts/export.csv?agency=district-beitun&amp;host=pc"
    rows = _csv(analyst.get("/api/v1/alerts/export.csv", agency="district-beitun", host="pc"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["告警編號", "偵測規則", "規則編號"]
    assert sorted(r[header.index("主機")] for r in body) == ["D-BEITUN-PC01", "D-BEITUN-PC02"]
    assert {r[header.index("機關名稱")] for r in body} == {"北屯區公所"}
    assert all(r[header.index("事件時間（臺北時間）")].endswith("+08:00") for r in body)  # Taipei
    assert "attachment" in analyst.get("/api/v1/alerts/export.csv").headers["content-disposition"]
    # the queue's own API gives the same with format=csv; English when asked
    same = _csv(analyst.get("/api/v1/alerts", agency="district-beitun", host="pc", format="csv"))
    assert same == rows
    english = _csv(analyst.get("/api/v1/alerts/export.csv", lang="en"))
    assert english[0][0] == "Alert" and len(english) == 1 + len(HOSTS)


def test_a_reporter_exports_only_their_agencys_alerts(app):
    reporter = Browser(app, "beitun")
    rows = _csv(reporter.get("/api/v1/alerts/export.csv"))
    assert len(rows) == 1 + 3
    assert reporter.get("/api/v1/alerts/export.csv", agency="police").status_code == 404
    bad = reporter.get("/api/v1/alerts/export.csv", severity="catastrophic")
    assert bad.status_code == 422


def test_an_event_leads_back_to_its_alerts_rule_and_incident(app, soc):
    analyst = Browser(app, "analyst")
    ids = alert_ids(analyst.get("/alerts", host="D-BEITUN-PC01").text)
    escalated = analyst.post("/alerts/triage", {"action": "escalate", "alert_ids": ids[0]})
    incident_id = re.search(r"incident=(INC-[0-9A-F-]+)", escalated.headers["location"]).group(1)
    alert = soc.store.alerts.get(ids[0])
    page = analyst.get(f"/events/{alert.event.event_id}")
    assert page.status_code == 200
    html = page.text
    assert 'id="event-alerts"' in html
    assert f'href="/incidents/{incident_id}"' in html
    assert f'href="/alerts?rule={alert.rule_id}"' in html
    assert html.count('<tr class="event-alert"') == 1
    # another agency's reporter does not see it; the own one sees it and its alert
    assert Browser(app, "beitun").get(f"/events/{alert.event.event_id}").status_code == 200
    other = soc.store.alerts.list(limit=10)
    police = next(a for a in other if a.organization_id == "police")
    assert Browser(app, "beitun").get(f"/events/{police.event.event_id}").status_code == 404

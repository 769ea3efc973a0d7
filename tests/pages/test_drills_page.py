"""The drills page (/drills) and its API (issue 16 item 7): an agency's reporter records a
drill and submits its result report; the obligations per agency show what is met; a
refused form comes back filled in, in Chinese; another agency's drill is not found."""

import pytest

from api.app import create_app
from core.access import Role
from core.i18n import labels
from core.settings import Settings
from tests.factories import make_user
from tests.pages.test_pages import Browser
from tests.pages.test_zh_everywhere import english_words

ZH = labels("zh")
DRILL = {
    "agency": "district-xitun",
    "kind": "social_engineering",
    "held_on": "2026-03-01",
    "completed_at": "2026-03-01T17:00",
    "participants": "40",
    "opened": "3",
    "clicked": "1",
    "scenario": "偽冒薪資通知信",
    "findings": "加強教育訓練",
}


@pytest.fixture
def app(soc):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    make_user(soc, "xitun", Role.REPORTER, agency="district-xitun")
    make_user(soc, "police", Role.REPORTER, agency="police")
    make_user(soc, "audra", Role.AUDITOR)
    return create_app(soc, api_token="operator-token-drills")


def _zh(browser: Browser) -> Browser:
    browser.client.cookies.set("citysoc_lang", "zh")
    return browser


def test_a_reporter_records_a_drill_and_submits_its_report(app, soc):
    xitun = _zh(Browser(app, "xitun"))
    page = xitun.follow(xitun.post("/drills", DRILL))
    assert ZH["ops_drills_recorded"] in page.text
    [drill] = soc.store.drills.list()
    drill_id = drill.split('"id":"')[1].split('"')[0]
    assert f'id="drill-{drill_id}"' in page.text and f'id="submit-{drill_id}"' in page.text
    assert not english_words(page.text)
    # both kinds are listed for the agency, neither met yet (the report is not in)
    assert page.text.count(ZH["ops_drills_no"]) == 2
    done = xitun.follow(xitun.post(f"/drills/{drill_id}/submit"))
    assert ZH["ops_drills_submitted"] in done.text and f'id="submit-{drill_id}"' not in done.text
    actions = [r.action for r in soc.store.audit.rows()]
    assert "drill.record" in actions and "drill.report" in actions
    again = xitun.post(f"/drills/{drill_id}/submit")
    assert again.status_code == 422
    police = Browser(app, "police")
    assert police.post(f"/drills/{drill_id}/submit").status_code == 404
    assert f"drill-{drill_id}" not in police.get("/drills").text


def test_a_refused_drill_comes_back_filled_in_with_the_reason_in_chinese(app, soc):
    xitun = _zh(Browser(app, "xitun"))
    refused = xitun.post("/drills", {**DRILL, "opened": "", "clicked": ""})
    assert refused.status_code == 422 and 'id="drills-error"' in refused.text
    assert "偽冒薪資通知信" in refused.text and not english_words(refused.text)
    bad_time = xitun.post("/drills", {**DRILL, "completed_at": "not a time"})
    assert bad_time.status_code == 422
    assert soc.store.drills.list() == []


def test_auditors_read_without_the_form(app):
    page = Browser(app, "audra").get("/drills", year="2025")
    assert page.status_code == 200 and 'id="record-drill"' not in page.text
    assert "2025" in page.text


def test_the_api_records_lists_and_submits(app):
    client = Browser(app, "xitun").client
    headers = {"Authorization": "Bearer operator-token-drills"}
    body = {**DRILL, "completed_at": "2026-03-01T17:00:00+08:00", "participants": 40}
    body |= {"opened": 3, "clicked": 1}
    made = client.post("/api/v1/drills", json=body, headers=headers)
    assert made.status_code == 201, made.text
    drill_id = made.json()["id"]
    listed = client.get("/api/v1/drills?year=2026", headers=headers).json()
    assert [d["id"] for d in listed["drills"]] == [drill_id]
    xitun = [o for o in listed["obligations"] if o["organization_id"] == "district-xitun"]
    assert {o["kind"]: o["held"] for o in xitun} == {
        "social_engineering": 1,
        "notification_response": 0,
    }
    sent = client.post(f"/api/v1/drills/{drill_id}/submit", headers=headers).json()
    assert sent["result_report_submitted_at"]
    naive = client.post(
        "/api/v1/drills", json={**body, "completed_at": "2026-03-01T17:00"}, headers=headers
    )
    assert naive.status_code == 422

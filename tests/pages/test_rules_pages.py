"""The rule pages: the catalogue keeps its filters, a rule shows its YAML, a lead disables
it and adds an exception (a refused form comes back filled in), /rules/new is filled from
?draft= and previews without alerting, saving keeps the rule disabled, and the noisy view
ranks rules with the share dismissed. Analysts read without the forms."""

import json
from urllib.parse import quote

import pytest

from api.app import create_app
from collectors.ingest import Ingestor
from collectors.records import RawRecord
from core.access import Role
from core.settings import Settings
from tests.data.events import winlogbeat
from tests.factories import logged_in, make_user

RULE = "16728b4d-9edc-5348-8e53-1b9b8cb7b78c"
UPLOAD = """title: Local Group Enumerated
id: 7d1f2a0e-8c55-4d8e-9d0a-2f1c5b8e9a11
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4798}
  condition: selection
level: low
"""


@pytest.fixture
def app(soc):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    make_user(soc, "lee", Role.LEAD)
    make_user(soc, "amy", Role.ANALYST)
    make_user(soc, "xitun", Role.REPORTER, agency="district-xitun")
    return create_app(soc, api_token="operator-token-rules-pages")


def _ingest(soc, *docs) -> None:
    ingestor = Ingestor(soc.store, soc.registry, clock=soc.clock)
    for doc in docs:
        ingestor.submit(RawRecord("t", json.dumps(doc).encode(), soc.clock.now()), "jsonl")
    ingestor.flush()


def test_the_catalogue_filters_and_keeps_them(app):
    browser, _csrf = logged_in(app, "amy")
    page = browser.get("/rules?level=high&q=rdp")
    assert page.status_code == 200
    assert 'id="nav-rules"' in page.text
    assert '<option value="high" selected>' in page.text and 'value="rdp"' in page.text
    assert "Inbound RDP From the Internet" in page.text
    assert "Local or Domain User Account Created" not in page.text
    assert 'id="rules-read-only"' in page.text  # an analyst reads
    empty = browser.get("/rules?q=no-such-words-anywhere")
    assert 'id="rules-empty"' in empty.text
    assert browser.get("/rules?level=huge").status_code == 422
    assert 'id="noisy-empty"' in browser.get("/rules/noisy").text  # no alerts yet
    reporter, _ = logged_in(app, "xitun")
    assert reporter.get("/rules").status_code == 403
    assert 'id="nav-rules"' not in reporter.get("/").text


def test_a_lead_disables_a_rule_and_adds_an_exception(app, soc):
    browser, csrf = logged_in(app, "lee", follow_redirects=False)
    shown = browser.get(f"/rules/{RULE}")
    assert "EventID: 4720" in shown.text and 'id="disable-rule"' in shown.text
    off = browser.post(f"/rules/{RULE}/disable", data={"csrf_token": csrf})
    assert off.status_code == 303 and off.headers["location"].startswith(f"/rules/{RULE}?")
    after = browser.get(off.headers["location"])
    assert 'id="enable-rule"' in after.text and 'id="rule-notice"' in after.text
    refused = browser.post(
        f"/rules/{RULE}/exceptions",
        data={"csrf_token": csrf, "host": "D-XITUN-FS01", "reason": "廠商備份帳號"},
    )
    assert refused.status_code == 422 and 'id="rule-error"' in refused.text
    assert 'value="D-XITUN-FS01"' in refused.text and "廠商備份帳號" in refused.text
    added = browser.post(
        f"/rules/{RULE}/exceptions",
        data={
            "csrf_token": csrf,
            "host": "D-XITUN-FS01",
            "reason": "廠商備份帳號",
            "expires_at": "2026-06-30T17:00",
        },
    )
    assert added.status_code == 303
    page = browser.get(added.headers["location"]).text
    assert 'id="exceptions"' in page and "D-XITUN-FS01" in page
    [made] = [json.loads(d) for d in soc.store.rule_settings.list("exception")]
    gone = browser.post(f"/rules/{RULE}/exceptions/{made['id']}/remove", data={"csrf_token": csrf})
    assert gone.status_code == 303 and soc.store.rule_settings.list("exception") == []


def test_new_rule_is_drafted_previewed_and_saved_disabled(app, soc):
    _ingest(soc, winlogbeat("Security", 4798, {"TargetUserName": "Administrators"}))
    browser, csrf = logged_in(app, "lee", follow_redirects=False)
    drafted = browser.get(f"/rules/new?draft={quote(UPLOAD)}")
    assert drafted.status_code == 200 and "EventID: 4798" in drafted.text
    previewed = browser.post("/rules/preview", data={"csrf_token": csrf, "yaml": UPLOAD})
    assert previewed.status_code == 200 and 'id="preview-events"' in previewed.text
    assert 'href="/events/' in previewed.text and soc.store.alerts.count() == 0
    bad = browser.post("/rules/preview", data={"csrf_token": csrf, "yaml": "title: x\n"})
    assert bad.status_code == 422 and "title: x" in bad.text  # the text comes back
    saved = browser.post("/rules/save", data={"csrf_token": csrf, "yaml": UPLOAD})
    assert saved.status_code == 303
    page = browser.get(saved.headers["location"]).text
    assert 'id="enable-rule"' in page and "Local Group Enumerated" in page


def test_noisy_rules_rank_with_the_share_dismissed(app, soc):
    _ingest(
        soc,
        winlogbeat("Security", 4720, {"TargetUserName": "a"}),
        winlogbeat("Security", 4720, {"TargetUserName": "b"}),
    )
    soc.process()
    browser, _ = logged_in(app, "amy")
    page = browser.get("/rules/noisy?days=1")
    assert page.status_code == 200 and 'id="noisy-chart"' in page.text
    assert f'data-rule="{RULE}"' in page.text and "<svg" in page.text
    assert browser.get("/rules/noisy?days=0").status_code == 422

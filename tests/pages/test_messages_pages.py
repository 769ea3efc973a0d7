"""The profile page (/profile: contact details and message opt-ins, the form back filled
in with the API's message on bad input) and the SOC's outbox page (/messages: paged,
status filter, retry)."""

import json
from datetime import timedelta

import pytest

from api.app import create_app
from core.access import Role
from core.i18n import labels
from core.settings import Settings
from incidents.messages.run import run_messages
from tests.factories import make_user, open_incident
from tests.pages.test_pages import Browser


@pytest.fixture
def app(soc):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    make_user(soc, "amy", Role.ANALYST)
    make_user(soc, "xitun", Role.REPORTER, agency="district-xitun")
    return create_app(soc, api_token="operator-token-pages")


def test_a_person_sets_contacts_and_opt_ins_on_the_profile_page(app, soc):
    browser = Browser(app, "xitun")
    form = browser.get("/profile")
    assert form.status_code == 200 and 'id="p-kind-clock_80"' in form.text
    assert 'href="/profile"' in form.text and 'id="nav-messages"' not in form.text
    bad = browser.post(
        "/profile",
        [("display_name", "林小明"), ("email", "lin@"), ("phone", "04-2228-9111")],
    )
    assert bad.status_code == 422 and 'id="profile-error"' in bad.text
    said = labels("zh")["err_email_form"]  # in the page's language
    assert said in bad.text and 'value="04-2228-9111"' in bad.text  # filled in again
    saved = browser.post(
        "/profile",
        [
            ("display_name", "林小明"),
            ("email", "lin@xitun.gov.tw"),
            ("phone", "04-2228-9111#123"),
            ("language", "en"),
            ("message_kinds", "clock_50"),
            ("message_kinds", "clock_overdue"),
        ],
    )
    page = browser.follow(saved)
    assert 'id="profile-saved"' in page.text and 'value="lin@xitun.gov.tw"' in page.text
    assert 'id="p-kind-clock_50" checked' in page.text
    assert 'id="p-kind-clock_80" checked' not in page.text
    none = browser.post("/profile", [("display_name", "林小明")])  # every box unticked
    assert none.status_code == 303
    assert "checked" not in browser.follow(none).text.split("<fieldset>", 1)[1]


def test_the_outbox_page_shows_attempts_and_errors_and_retries(app, soc):
    analyst = Browser(app, "amy")
    analyst.post(
        "/profile",
        [("display_name", "Amy"), ("email", "amy@city.example"), ("message_kinds", "clock_50")],
    )
    open_incident(soc.store, soc.clock, title="<script>x</script>")
    soc.clock.advance(timedelta(minutes=31))
    run_messages(soc.store, registry=soc.registry, settings=soc.settings, clock=soc.clock)
    page = analyst.get("/messages")
    assert page.status_code == 200 and 'id="nav-messages"' in page.text
    assert "the email channel is not configured" in page.text
    assert "<script>x</script>" not in page.text  # the subject is escaped
    [message] = soc.store.messages.list()
    message_id = json.loads(message)["id"]
    assert analyst.get("/messages", status="sent").text.count('<tr id="message-') == 0
    again = analyst.post(f"/messages/{message_id}/retry", {})
    assert again.status_code == 303
    assert json.loads(soc.store.messages.get(message_id))["attempts"] == 0
    assert Browser(app, "xitun").get("/messages").status_code == 403

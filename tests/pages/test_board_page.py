"""The incident board's filters as a browser without JavaScript uses them: the choices stay
in the URL and stay selected, the pager keeps them, an empty result says so with a way back,
and bad input is refused naming the field; GET /api/v1/incidents takes the same filters."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.access import Role
from core.settings import Settings
from incidents import casework
from tests.factories import ADMIN, logged_in, make_user, open_incident, token_for


@pytest.fixture
def app(soc):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    amy = make_user(soc, "amy", Role.ANALYST)
    make_user(soc, "xitun", Role.REPORTER, agency="district-xitun")
    now = soc.clock.now()
    late = open_incident(soc.store, soc.clock, title="勒索軟體", aware_at=now - timedelta(hours=3))
    mine = open_incident(soc.store, soc.clock, organization_id="police", title="網頁置換")
    casework.assign(
        store=soc.store, actor=ADMIN, incident_id=mine.id, assignee="amy", clock=soc.clock
    )
    app = create_app(soc, api_token="t-board")
    app.state.ids = {"late": late.id, "mine": mine.id}
    app.state.amy_token = token_for(soc, amy)
    return app


def ids_on(html: str) -> list[str]:
    return re.findall(r'<td><a href="/incidents/(INC-[^"]+)">', html)


def test_filters_stay_in_the_url_and_selected(app):
    browser, _ = logged_in(app, "amy")
    ids = app.state.ids
    html = browser.get("/", params={"overdue": "true", "sort": "deadline"}).text
    assert ids_on(html) == [ids["late"]]
    assert 'id="b-overdue" checked' in html
    assert re.search(r'<option value="deadline" selected', html)
    assert 'id="b-clear"' in html
    html = browser.get("/", params={"assignee": "mine", "q": "網頁"}).text
    assert ids_on(html) == [ids["mine"]]
    assert re.search(r'<option value="mine" selected', html)
    assert 'value="網頁"' in html
    html = browser.get("/", params={"q": "nothing like it"}).text
    assert ids_on(html) == [] and 'id="board-empty"' in html and "沒有符合" in html
    html = browser.get("/", params={"agency": "police", "state": "open"}).text
    assert ids_on(html) == [ids["mine"]]
    assert re.search(r'<option value="police" selected', html)
    assert re.search(r'<option value="open" selected', html)


def test_the_pager_keeps_the_filters(app, monkeypatch):
    import api.pages.board

    monkeypatch.setattr(api.pages.board, "BOARD_PAGE", 1)
    browser, _ = logged_in(app, "amy")
    html = browser.get("/", params={"sort": "awareness", "state": "open"}).text
    assert len(ids_on(html)) == 1
    assert 'href="/?sort=awareness&amp;state=open&amp;offset=1" id="next"' in html
    second = browser.get("/", params={"sort": "awareness", "state": "open", "offset": 1}).text
    assert ids_on(second) != ids_on(html) and len(ids_on(second)) == 1


def test_a_reporter_has_no_agency_choice_and_bad_input_is_refused(app):
    browser, _ = logged_in(app, "xitun")
    html = browser.get("/", params={"agency": "police"}).text
    assert ids_on(html) == [app.state.ids["late"]] and 'id="b-agency"' not in html
    assert browser.get("/", params={"level": "9"}).status_code == 422
    blank = dict.fromkeys(("state", "level", "agency", "assignee", "overdue", "q", "sort"), "")
    assert ids_on(browser.get("/", params=blank).text) == [app.state.ids["late"]]  # a blank form
    assert browser.get("/", params={"sort": "random"}).status_code == 422


def test_the_api_takes_the_same_filters(app):
    with TestClient(app) as client:
        heads = {"Authorization": f"Bearer {app.state.amy_token}"}
        body = client.get(
            "/api/v1/incidents", params={"assignee": "mine", "limit": 10}, headers=heads
        ).json()
        assert body["total"] == 1
        assert [i["incident"]["id"] for i in body["items"]] == [app.state.ids["mine"]]
        late = client.get("/api/v1/incidents", params={"overdue": "true"}, headers=heads).json()
        assert [i["incident"]["id"] for i in late["items"]] == [app.state.ids["late"]]
        bad = client.get("/api/v1/incidents", params={"level": "0"}, headers=heads)
        assert bad.status_code == 422 and "level" in bad.text

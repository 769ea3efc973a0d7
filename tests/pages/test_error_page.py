"""Pages answer errors with an HTML page in the visitor's language (same status code as the
API's, the service's message, a link back); the JSON API and TAXII keep the JSON envelope."""

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.sessions import LANG_COOKIE
from core import accounts
from core.access import Actor, Role
from core.i18n import labels
from core.settings import Settings

PASSWORD = "correct horse battery staple"
TOKEN = "operator-token-error-page"


@pytest.fixture
def app(soc):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)  # http in tests
    for username, role, agency in [
        ("xitun", Role.REPORTER, "district-xitun"),
        ("analyst", Role.ANALYST, None),
    ]:
        accounts.create_user(
            store=soc.store,
            actor=Actor("root-admin", Role.ADMIN),
            registry=soc.registry,
            username=username,
            password=PASSWORD,
            role=role,
            agency=agency,
            clock=soc.clock,
        )
    return create_app(soc, api_token=TOKEN)


def browser(app, username: str, lang: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    login = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert login.status_code == 200, login.text
    client.cookies.set(LANG_COOKIE, lang)
    return client


def assert_error_page(response, status: int, lang: str) -> None:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    t = labels(lang)
    assert t["error_title"] in response.text
    assert t[f"error_{status}"] in response.text
    assert 'href="/" id="error-back"' in response.text
    assert ('lang="zh-Hant-TW"' if lang == "zh" else 'lang="en"') in response.text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_forbidden_page_is_an_html_page_in_the_visitors_language(app, lang):
    response = browser(app, "xitun", lang).get("/reviews")
    assert_error_page(response, 403, lang)
    said = {  # the catalogue's words, escaped; the API keeps the service's English
        "zh": "「機關通報人員」不能查看審核佇列（上級機關之工作）。",
        "en": "The role agency reporter may not see the review queue (the superior agency&#39;s",
    }
    assert said[lang] in response.text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_mistyped_incident_id_is_an_html_not_found_page(app, lang):
    response = browser(app, "analyst", lang).get("/incidents/INC-x")
    assert_error_page(response, 404, lang)


def test_a_page_form_with_a_forged_token_is_an_html_forbidden_page(app):
    response = browser(app, "analyst", "en").post(
        "/incidents/INC-x/progress", data={"text": "t", "csrf_token": "forged"}
    )
    assert_error_page(response, 403, "en")


def test_an_invalid_page_query_is_an_html_page(app):
    response = browser(app, "analyst", "zh").get("/alerts", params={"n": "-1"})
    assert_error_page(response, 422, "zh")


def test_a_page_without_a_session_still_sends_the_browser_to_log_in(app):
    response = TestClient(app, follow_redirects=False).get("/incidents/INC-x")
    assert (response.status_code, response.headers["location"]) == (303, "/login")


def test_the_api_keeps_its_json_envelope(app):
    client = TestClient(app)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    missing = client.get("/api/v1/incidents/INC-x", headers=auth)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/json"
    assert set(missing.json()["error"]) == {"code", "message", "location"}
    assert missing.json()["error"]["code"] == "not_found"
    invalid = client.get("/api/v1/alerts", params={"limit": "-1"}, headers=auth)
    assert invalid.status_code == 422
    assert invalid.json()["error"]["code"] == "invalid_input"
    assert client.get("/api/v1/incidents").json()["error"]["code"] == "unauthenticated"
    for path in ("/api/v1/incidents", "/metrics", "/taxii2/"):
        anonymous = client.get(path)
        assert anonymous.status_code == 401, path
        assert "json" in anonymous.headers["content-type"], path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_unknown_page_address_and_a_wrong_method_are_html_pages(app, lang):
    client = browser(app, "analyst", lang)
    assert_error_page(client.get("/no-such-page"), 404, lang)
    assert_error_page(client.delete("/alerts"), 405, lang)


def test_unknown_api_addresses_keep_fastapis_json(app):
    client = TestClient(app)
    response = client.get("/api/v1/no-such-route", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}

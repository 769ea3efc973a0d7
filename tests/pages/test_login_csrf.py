"""Login cannot be forged from another site: the login POSTs check Origin (Referer when
there is no Origin), and the login form carries a pre-session double-submit token."""

import re

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core import accounts
from core.access import Role
from core.i18n import labels
from core.settings import Settings
from tests.factories import PASSWORD, make_user

FORM = {"username": "amy", "password": PASSWORD}
EVIL = "https://evil.example"


@pytest.fixture
def client(soc):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    make_user(soc, "amy", Role.ANALYST)
    return TestClient(create_app(soc, api_token="operator-token-csrf"), follow_redirects=False)


def login_token(client) -> str:
    """What a browser gets from GET /login: the cookie, and the same token in the form."""
    page = client.get("/login")
    assert page.status_code == 200
    [token] = re.findall(r'name="login_csrf" value="([^"]+)"', page.text)
    assert client.cookies.get("citysoc_login_csrf") == token
    return token


def signed_in(response) -> bool:
    return accounts.SESSION_COOKIE in response.headers.get("set-cookie", "")


def test_the_login_form_works_from_its_own_page(client):
    response = client.post(
        "/login",
        data={**FORM, "login_csrf": login_token(client)},
        headers={"Origin": "http://testserver"},
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert signed_in(response)


@pytest.mark.parametrize(
    "headers",
    [{"Origin": EVIL}, {"Origin": "null"}, {"Referer": f"{EVIL}/phish"}],
    ids=["origin", "null-origin", "referer"],
)
def test_a_cross_site_login_post_is_refused(client, headers):
    token = login_token(client)  # even with a valid token pair
    page = client.post("/login", data={**FORM, "login_csrf": token}, headers=headers)
    assert page.status_code == 403 and not signed_in(page)
    assert labels("zh")["login_cross_site"] in page.text  # the page's language
    api = client.post("/api/v1/auth/login", json=FORM, headers=headers)
    assert api.status_code == 403 and not signed_in(api)
    assert "another site" in api.json()["error"]["message"]


def test_the_login_form_needs_its_token(client):
    missing = client.post("/login", data=FORM)
    assert missing.status_code == 403 and not signed_in(missing)
    assert labels("zh")["login_expired"] in missing.text
    login_token(client)
    forged = client.post("/login", data={**FORM, "login_csrf": "attacker-chosen"})
    assert forged.status_code == 403 and not signed_in(forged)
    client.cookies.clear()
    no_cookie = client.post("/login", data={**FORM, "login_csrf": "attacker-chosen"})
    assert no_cookie.status_code == 403


def test_a_refused_form_comes_back_with_a_fresh_token(client):
    refused = client.post("/login", data=FORM)
    [token] = re.findall(r'name="login_csrf" value="([^"]+)"', refused.text)
    assert client.cookies.get("citysoc_login_csrf") == token
    retried = client.post("/login", data={**FORM, "login_csrf": token})
    assert retried.status_code == 303


def test_programs_without_origin_or_referer_still_log_in(client):
    response = client.post("/api/v1/auth/login", json=FORM)
    assert response.status_code == 200 and signed_in(response)

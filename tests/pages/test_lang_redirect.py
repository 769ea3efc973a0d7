"""/lang/{lang} sends the browser back where it came from, on this site only; before a
choice, the first visit follows the browser's Accept-Language."""

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.sessions import LANG_COOKIE, preferred
from core.i18n import labels
from tests.factories import make_user

HOME = "http://testserver"  # TestClient's origin
TRICKY = [
    "https://evil.example///evil.example/path",
    "https://evil.example/alerts",
    "http://evil.example/",
    "//evil.example/path",
    "///evil.example/path",
    "/\\evil.example/path",
    "\\\\evil.example/path",
    "/\t/evil.example/",
    "/\n/evil.example/",
    " //evil.example/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example/path",
    f"{HOME}//evil.example/path",
    f"{HOME}///evil.example/path",
    f"{HOME}/\\evil.example/path",
    f"{HOME}/%0a/evil.example",  # fine as a path, but only if kept encoded (checked below)
    "https://testserver/alerts",  # same host, another scheme: another origin
    "http://testserver:8443/alerts",
    "http://testserver.evil.example/alerts",
    "http://evil.example@testserver/alerts",
    "http://testserver@evil.example/alerts",
    "http://[::1/alerts",
    "http://testserver/\u2215\u2215evil.example",  # division slashes
    "",
]
GOOD = {
    f"{HOME}/alerts?status=new&severity=high": "/alerts?status=new&severity=high",
    f"{HOME}/incidents/INC-20260302-ABCDEF#notify": "/incidents/INC-20260302-ABCDEF",
    f"{HOME}/": "/",
    "HTTP://TESTSERVER/dashboard": "/dashboard",
}


@pytest.fixture
def client(soc):
    make_user(soc)  # an empty store would send /login to the first-run page
    return TestClient(create_app(soc, api_token="t"), follow_redirects=False)


@pytest.mark.parametrize("referer", TRICKY)
def test_language_switch_never_redirects_off_site(client, referer):
    response = client.get("/lang/en", headers={"Referer": referer.encode()})
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/") and location[1:2] not in ("/", "\\"), location
    if referer != f"{HOME}/%0a/evil.example":
        assert location == "/", referer
    else:
        assert location == "/%0a/evil.example"
    assert "citysoc_lang=en" in response.headers["set-cookie"]


@pytest.mark.parametrize(("referer", "back"), GOOD.items())
def test_language_switch_returns_to_the_page_of_this_site(client, referer, back):
    response = client.get("/lang/zh", headers={"Referer": referer})
    assert response.headers["location"] == back


def test_language_switch_without_referer_goes_home(client):
    assert client.get("/lang/en").headers["location"] == "/"


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("en-US,en;q=0.9", "en"),
        ("zh-TW,zh;q=0.9,en-US;q=0.8,en;q=0.7", "zh"),
        ("en;q=0.5, zh-Hant-TW", "zh"),  # weight first
        ("fr-FR, en;q=0.1", "en"),  # the first of ours, whatever comes before
        ("fr-FR, de", "zh"),  # neither of ours: the default
        ("en;q=0, zh;q=0.1", "zh"),  # q=0: not acceptable
        ("en;q=abc", "zh"),  # a malformed weight is not acceptable
        ("", "zh"),
        ("*", "zh"),
    ],
)
def test_accept_language_picks_the_first_visits_language(header, lang):
    assert preferred(header) == lang


def test_an_english_browser_gets_english_pages_until_it_chooses(client):
    english = {"Accept-Language": "en-US,en;q=0.9"}
    login = client.get("/login", headers=english)
    assert 'lang="en"' in login.text and labels("en")["login"] in login.text
    missing = client.get("/no-such-page", headers=english)
    assert missing.status_code == 404 and labels("en")["error_404"] in missing.text
    client.cookies.set(LANG_COOKIE, "zh")  # the visitor chose Chinese: the choice wins
    chosen = client.get("/login", headers=english)
    assert 'lang="zh-Hant-TW"' in chosen.text and labels("zh")["login"] in chosen.text


def test_a_chinese_browser_or_none_gets_chinese(client):
    for headers in ({"Accept-Language": "zh-TW,zh;q=0.9,en;q=0.8"}, {}):
        assert 'lang="zh-Hant-TW"' in client.get("/login", headers=headers).text

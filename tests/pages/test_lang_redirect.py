"""/lang/{lang} sends the browser back where it came from, on this site only."""

import pytest
from fastapi.testclient import TestClient

from api.app import create_app

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

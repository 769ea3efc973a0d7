"""The first run in the pages: on an empty store /login sends a visitor to /setup, where the
one-time code `serve` printed creates the first administrator, once; a wrong, reused,
expired or late code is refused (and audited), guesses count against the login limit."""

import json
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.server import welcome
from core import audit, first_run
from core.access import Role
from core.errors import UnauthenticatedError
from core.first_run import FirstRunCode
from core.i18n import labels
from core.settings import Settings
from tests.factories import ADMIN, PASSWORD, make_user


@pytest.fixture
def code(soc) -> FirstRunCode:
    return FirstRunCode.issue(soc.clock)


@pytest.fixture
def browser(soc, code):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    app = create_app(soc, api_token="operator-token-first-run", first_run=code)
    return TestClient(app, follow_redirects=False)


def form_token(browser) -> str:
    page = browser.get("/setup")
    assert page.status_code == 200
    [token] = re.findall(r'name="login_csrf" value="([^"]+)"', page.text)
    return token


ZH = labels("zh")  # the pages speak Chinese: a refusal is said by its err_<key> entry
TOKEN = "t" * 32  # a double-submit pair a browser holds after GET /setup


def setup(browser, code: str, token: str | None = None, **changes: str):
    """The form posted from the page: with the token the page gave, or a fixed token pair
    (the page itself may by now send the visitor on to /login)."""
    if token is None:
        browser.cookies.set("citysoc_login_csrf", TOKEN, path="/setup")
    form = {
        "code": code,
        "username": "root",
        "display_name": "王小明",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "login_csrf": token or TOKEN,
        **changes,
    }
    return browser.post("/setup", data=form, headers={"Origin": "http://testserver"})


def entries(soc):
    return audit.trail(soc.store, actor=ADMIN, subject=None, limit=1000, offset=0)[1]


def failures(soc) -> list[str]:
    return [
        json.loads(e.detail)["first_run"]
        for e in entries(soc)
        if e.action == "auth.failure" and e.subject == "first-run"
    ]


def test_an_empty_store_guides_from_login_to_the_first_administrator(browser, code, soc):
    arrival = browser.get("/login")
    assert (arrival.status_code, arrival.headers["location"]) == (303, "/setup")
    page = browser.get("/setup")
    assert labels("zh")["first_run_title"] in page.text and "citysoc serve" in page.text
    typed = code.shown().lower().replace("-", " ")  # as a person might copy it
    created = setup(browser, typed, form_token(browser))
    assert (created.status_code, created.headers["location"]) == (303, "/login?welcome=1")
    [user] = soc.store.accounts.users()
    assert '"role":"admin"' in user and '"display_name":"王小明"' in user
    [entry] = [e for e in entries(soc) if e.action == "user.create"]
    assert entry.actor.startswith("first-run") and entry.subject == "root"
    recorded = " ".join(f"{e.actor} {e.subject} {e.detail}" for e in entries(soc))
    assert code.shown() not in recorded and code.shown().replace("-", "") not in recorded
    welcome_page = browser.get("/login?welcome=1")
    assert welcome_page.status_code == 200
    assert labels("zh")["login_first_admin_created"] in welcome_page.text
    assert labels("zh")["login_accounts"] in welcome_page.text
    assert 'href="/setup"' not in welcome_page.text
    assert (browser.get("/setup").headers["location"]) == "/login"  # the first run is over
    login = browser.post("/api/v1/auth/login", json={"username": "root", "password": PASSWORD})
    assert login.status_code == 200


def test_a_refused_login_on_an_empty_store_links_to_the_first_run(browser):
    browser.cookies.set("citysoc_login_csrf", TOKEN, path="/login")
    refused = browser.post(
        "/login",
        data={"username": "root", "password": PASSWORD, "login_csrf": TOKEN},
        headers={"Origin": "http://testserver"},
    )
    assert refused.status_code == 401 and 'href="/setup"' in refused.text


def test_the_code_works_once(browser, code, soc):
    assert setup(browser, code.shown()).status_code == 303
    again = setup(browser, code.shown(), username="second")
    assert again.status_code == 409 and ZH["err_first_run_used"] in again.text
    assert len(soc.store.accounts.users()) == 1
    assert failures(soc) and "used already" in failures(soc)[-1]


def test_the_code_is_refused_once_an_account_exists(browser, code, soc):
    make_user(soc, "amy", Role.ANALYST)  # e.g. made with `citysoc users create`
    assert browser.get("/setup").headers["location"] == "/login"
    late = setup(browser, code.shown())
    assert late.status_code == 409 and ZH["err_first_run_over"] in late.text
    assert [u for u in soc.store.accounts.users() if '"role":"admin"' in u] == []


def test_a_wrong_code_is_refused_and_audited(browser, code, soc):
    wrong = setup(browser, "0000-0000-0000")
    assert wrong.status_code == 401 and ZH["err_first_run_wrong"] in wrong.text
    assert 'value="root"' in wrong.text  # the form comes back filled in (not the password)
    assert PASSWORD not in wrong.text
    assert soc.store.accounts.users() == []
    assert failures(soc) == [
        "wrong one-time code: copy it from the console where `citysoc serve` started"
    ]
    assert setup(browser, code.shown()).status_code == 303  # a wrong guess does not spend it


def test_too_many_wrong_codes_void_it(browser, code, soc):
    for _ in range(first_run.MAX_WRONG):  # from many clients: no per-client limit applies
        with (
            pytest.raises(UnauthenticatedError),
            code.redeem("1111-1111-1111", now=soc.clock.now()),
        ):
            pass
    void = setup(browser, code.shown())
    said = ZH["err_first_run_void"].format(max=first_run.MAX_WRONG)
    assert void.status_code == 401 and said in void.text


def test_an_expired_code_is_refused(browser, code, soc):
    soc.clock.advance(first_run.CODE_LIFETIME + timedelta(seconds=1))
    late = setup(browser, code.shown())
    assert late.status_code == 401 and ZH["err_first_run_expired"] in late.text
    assert soc.store.accounts.users() == []


def test_a_weak_password_is_refused_and_leaves_the_code_usable(browser, code):
    weak = setup(browser, code.shown(), password="password1234", password_again="password1234")
    assert weak.status_code == 422 and ZH["err_password_weak"] in weak.text
    differ = setup(browser, code.shown(), password_again=PASSWORD + "!")
    assert differ.status_code == 422 and labels("zh")["first_run_mismatch"] in differ.text
    assert setup(browser, code.shown()).status_code == 303


def test_guesses_count_against_the_login_limit(soc, code):
    soc.settings = Settings(
        store=soc.settings.store, cookie_secure=False, login_attempts_per_minute=3
    )
    browser = TestClient(create_app(soc, api_token="t", first_run=code), follow_redirects=False)
    statuses = [setup(browser, "0000-0000-0000").status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    limited = setup(browser, code.shown())  # even the right code waits
    assert limited.status_code == 429
    login = browser.post("/api/v1/auth/login", json={"username": "a", "password": PASSWORD})
    assert login.status_code == 429  # one count per client, as for the login forms


def test_a_cross_site_or_tokenless_post_is_refused(browser, code, soc):
    token = form_token(browser)
    form = {"code": code.shown(), "username": "root", "password": PASSWORD}
    forged = browser.post(
        "/setup",
        data={**form, "password_again": PASSWORD, "login_csrf": token},
        headers={"Origin": "https://evil.example"},
    )
    assert forged.status_code == 403 and labels("zh")["login_cross_site"] in forged.text
    tokenless = browser.post("/setup", data={**form, "password_again": PASSWORD})
    assert tokenless.status_code == 403 and labels("zh")["login_expired"] in tokenless.text
    assert soc.store.accounts.users() == []


def test_without_a_printed_code_the_page_points_to_the_command_line(soc):
    browser = TestClient(create_app(soc, api_token="t"), follow_redirects=False)
    page = browser.get("/setup")
    assert labels("zh")["first_run_no_code"] in page.text
    assert ".venv/bin/citysoc users create" in page.text
    refused = setup(browser, "ABCD-EFGH-JKMN")
    assert refused.status_code == 401 and ZH["err_first_run_no_code"] in refused.text


def test_the_banner_shows_the_web_address_token_and_first_run(soc, code, tmp_path):
    settings = Settings(store=soc.settings.store, api_host="0.0.0.0", api_port=8000)  # noqa: S104
    lines = welcome(settings, tmp_path / "api-token", code)
    text = "\n".join(lines)
    assert "web pages: http://127.0.0.1:8000/ " in text
    assert f"operator API token (Authorization: Bearer): {tmp_path / 'api-token'}" in lines
    assert "http://127.0.0.1:8000/setup" in text and code.shown() in text
    assert ".venv/bin/citysoc users create NAME --role admin" in text
    assert "from another machine open http://<this machine's address>:8000/" in text
    later = welcome(settings, tmp_path / "api-token", None)
    assert code.shown() not in "\n".join(later) and "users create" in later[-1]
    here = welcome(settings.model_copy(update={"api_host": "127.0.0.1"}), tmp_path / "t", None)
    assert "another machine" not in "\n".join(here)  # bound to this host only

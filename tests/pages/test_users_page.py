"""The accounts page (/users): an administrator creates accounts (typed or generated
initial password), disables, enables and unlocks them without the command line; leads and
auditors read the list; others are refused. Refusals come back filled in, in Chinese."""

import re

import pytest

from api.app import create_app
from core import accounts
from core.access import Role
from core.errors import UnauthenticatedError
from core.i18n import labels
from core.settings import Settings
from tests.factories import PASSWORD, logged_in, make_user
from tests.pages.test_pages import Browser
from tests.pages.test_zh_everywhere import english_words

ZH = labels("zh")


@pytest.fixture
def app(soc):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    make_user(soc, "root", Role.ADMIN, display_name="王管理")
    make_user(soc, "lee", Role.LEAD)
    make_user(soc, "audra", Role.AUDITOR)
    make_user(soc, "amy", Role.ANALYST)
    make_user(soc, "xitun", Role.REPORTER, agency="district-xitun")
    return create_app(soc, api_token="operator-token-users")


def _zh(browser: Browser) -> Browser:
    browser.client.cookies.set("citysoc_lang", "zh")
    return browser


NEW_REPORTER = {
    "username": "xitun-lin",
    "display_name": "林小明",
    "role": "reporter",
    "agency": "district-xitun",
    "email": "lin@xitun.taichung.gov.tw",
    "phone": "04-2251-3131#21",
    "password": PASSWORD,
    "password_again": PASSWORD,
}


def test_an_administrator_creates_a_reporter_who_can_sign_in(app, soc):
    admin = _zh(Browser(app, "root"))
    listing = admin.get("/users")
    assert listing.status_code == 200 and 'id="create-user"' in listing.text
    assert 'id="nav-users"' in listing.text and "西屯區公所" in listing.text
    assert not english_words(listing.text), english_words(listing.text)
    created = admin.post("/users", NEW_REPORTER)
    assert created.status_code == 200, created.text[-500:]
    assert 'id="users-notice"' in created.text and 'id="generated-password"' not in created.text
    assert not english_words(created.text)
    user = accounts.find_user(soc.store, "xitun-lin")
    assert user is not None and user.agency == "district-xitun" and user.phone == "04-2251-3131#21"
    assert user.display_name == "林小明" and user.email == NEW_REPORTER["email"]
    Browser(app, "xitun-lin")  # signs in with the typed password
    actions = [row.action for row in soc.store.audit.rows()]
    assert actions[-3:-1] == ["user.create", "user.update"]  # then the new person's login


def test_a_generated_password_is_shown_once_and_works(app, soc):
    admin = _zh(Browser(app, "root"))
    form = {**NEW_REPORTER, "username": "audit-wu", "role": "auditor", "agency": ""}
    form |= {"password": "", "password_again": ""}
    created = admin.post("/users", form)
    assert created.status_code == 200
    [password] = re.findall(r'id="generated-password">([^<]+)<', created.text)
    logged_in(app, "audit-wu", password)
    again = admin.get("/users")
    assert password not in again.text


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"password_again": "something else entirely"}, ZH["users_mismatch"]),
        ({"password": "short", "password_again": "short"}, "12"),
        ({"password": "password1234", "password_again": "password1234"}, ZH["err_password_weak"]),
        ({"username": "Bad Name"}, ZH["err_username_form"]),
        ({"username": "xitun"}, ZH["err_user_exists"]),
        ({"agency": ""}, ZH["err_account_agency"].format(role=ZH["role_reporter"])),
        ({"phone": "call me"}, ZH["field_phone"]),
        ({"role": "system"}, ZH["field_role"]),
    ],
)
def test_a_refused_account_comes_back_filled_in_and_in_chinese(app, soc, change, said):
    admin = _zh(Browser(app, "root"))
    refused = admin.post("/users", {**NEW_REPORTER, **change})
    assert refused.status_code in (409, 422), refused.text[-300:]
    assert refused.headers["content-type"].startswith("text/html")
    error = refused.text.split('id="users-error"', 1)[1].split("</p>", 1)[0]
    assert said in error, error
    assert not english_words(refused.text), english_words(refused.text)
    assert 'value="林小明"' in refused.text and PASSWORD not in refused.text
    if change.get("username") != "xitun":
        assert accounts.find_user(soc.store, NEW_REPORTER["username"]) is None


def test_disable_enable_and_unlock_on_the_page(app, soc):
    admin = _zh(Browser(app, "root"))
    for _ in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(UnauthenticatedError):
            accounts.authenticate(
                store=soc.store, username="amy", password="wrong", clock=soc.clock
            )
    listing = admin.get("/users")
    assert 'id="unlock-amy"' in listing.text and 'id="disable-root"' not in listing.text
    unlocked = admin.follow(admin.post("/users/amy/unlock"))
    assert 'id="unlock-amy"' not in unlocked.text and 'id="users-notice"' in unlocked.text
    assert not english_words(unlocked.text)
    Browser(app, "amy")  # signs in again before the fifteen minutes
    disabled = admin.follow(admin.post("/users/amy/disable"))
    assert 'id="enable-amy"' in disabled.text
    assert accounts.find_user(soc.store, "amy").disabled
    login = admin.client.post("/api/v1/auth/login", json={"username": "amy", "password": PASSWORD})
    assert login.status_code == 401
    admin.follow(admin.post("/users/amy/enable"))
    Browser(app, "amy")
    actions = [row.action for row in soc.store.audit.rows()]
    assert {"user.unlock", "user.disable", "user.enable"} <= set(actions)
    mine = admin.post("/users/root/disable")
    assert mine.status_code == 422 and ZH["err_disable_self"] in mine.text


@pytest.mark.parametrize("username", ["lee", "audra"])
def test_leads_and_auditors_read_the_list_only(app, username):
    reader = _zh(Browser(app, username))
    listing = reader.get("/users")
    assert listing.status_code == 200 and 'id="users-read-only"' in listing.text
    assert 'id="create-user"' not in listing.text and 'id="disable-amy"' not in listing.text
    assert 'id="nav-users"' in listing.text
    assert reader.post("/users", NEW_REPORTER).status_code == 403
    assert reader.post("/users/amy/disable").status_code == 403


@pytest.mark.parametrize("username", ["amy", "xitun"])
def test_analysts_and_reporters_see_no_accounts(app, username):
    browser = _zh(Browser(app, username))
    assert browser.get("/users").status_code in (403, 404)
    assert 'id="nav-users"' not in browser.get("/profile").text
    # the right is checked before any lookup: a real and a made-up account answer alike
    for action in ("disable", "enable", "unlock"):
        real = browser.post(f"/users/lee/{action}").status_code
        assert real == browser.post(f"/users/nobody-here/{action}").status_code == 403


def test_the_list_pages(app, soc):
    for n in range(55):
        make_user(soc, f"person{n:02d}", Role.ANALYST)
    admin = _zh(Browser(app, "root"))
    first = admin.get("/users")
    assert first.text.count('<tr id="user-') == 50 and 'id="next"' in first.text
    second = admin.get("/users", offset=50)
    assert second.text.count('<tr id="user-') == 10  # 60 accounts in all


def test_the_page_speaks_english_when_asked(app):
    admin = Browser(app, "root")
    admin.client.cookies.set("citysoc_lang", "en")
    listing = admin.get("/users")
    assert listing.status_code == 200 and labels("en")["users_create_title"] in listing.text
    refused = admin.post("/users", {**NEW_REPORTER, "agency": ""})
    en = labels("en")
    assert en["err_account_agency"].format(role=en["role_reporter"]) in refused.text

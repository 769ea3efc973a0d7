"""Reset, change of role and API tokens on the accounts page and the API (issue 16 item 7):
administrators only, each audited, the one-time password and the token shown once."""

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
    make_user(soc, "root", Role.ADMIN)
    make_user(soc, "lee", Role.LEAD)
    make_user(soc, "amy", Role.ANALYST)
    return create_app(soc, api_token="operator-token-users-admin")


def _zh(browser: Browser) -> Browser:
    browser.client.cookies.set("citysoc_lang", "zh")
    return browser


def _actions(soc) -> list[str]:
    return [r.action for r in soc.store.audit.rows()]


def test_a_reset_password_is_shown_once_works_and_ends_a_lockout(app, soc):
    for _ in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(UnauthenticatedError):
            accounts.authenticate(store=soc.store, username="amy", password="x", clock=soc.clock)
    admin = _zh(Browser(app, "root"))
    reset = admin.post("/users/amy/reset")
    assert reset.status_code == 200 and not english_words(reset.text)
    [password] = re.findall(r'id="generated-password">([^<]+)<', reset.text)
    logged_in(app, "amy", password)
    with pytest.raises(AssertionError):
        logged_in(app, "amy", PASSWORD)  # the old password no longer works
    assert password not in admin.get("/users").text
    assert "user.reset" in _actions(soc) and password not in str(list(soc.store.audit.rows()))


def test_an_administrator_changes_a_role_and_a_reporter_needs_an_agency(app, soc):
    admin = _zh(Browser(app, "root"))
    changed = admin.post("/users/role", {"username": "amy", "role": "reporter", "agency": "police"})
    assert changed.status_code == 303
    user = accounts.find_user(soc.store, "amy")
    assert user is not None and (user.role, user.agency) == (Role.REPORTER, "police")
    assert "user.role" in _actions(soc)
    refused = admin.post("/users/role", {"username": "lee", "role": "reporter", "agency": ""})
    assert refused.status_code == 422
    assert ZH["err_account_agency"].format(role=ZH["role_reporter"]) in refused.text
    own = admin.post("/users/role", {"username": "root", "role": "analyst"})
    assert own.status_code == 422 and ZH["err_ops_role_self"] in own.text
    assert not english_words(own.text)
    back = admin.post("/users/role", {"username": "amy", "role": "analyst", "agency": "police"})
    assert back.status_code == 303
    user = accounts.find_user(soc.store, "amy")
    assert user is not None and (user.role, user.agency) == (Role.ANALYST, None)


def test_tokens_are_issued_once_listed_and_revoked(app, soc):
    admin = _zh(Browser(app, "root"))
    issued = admin.post("/users/tokens", {"username": "amy", "name": "siem-export"})
    assert issued.status_code == 200 and not english_words(issued.text)
    [token] = re.findall(r'id="issued-token"[^>]*>([^<]+)<', issued.text)
    client = admin.client
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["name"] == "amy"
    [row] = [t for t in soc.store.accounts.tokens(None) if '"siem-export"' in t]
    row_id = row.split('"id":"')[1].split('"')[0]
    listing = admin.get("/users")
    assert f'id="revoke-{row_id}"' in listing.text and token not in listing.text
    admin.follow(admin.post(f"/users/tokens/{row_id}/revoke"))
    refused = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    assert {"token.issue", "token.grant", "token.revoke"} <= set(_actions(soc))
    nameless = admin.post("/users/tokens", {"username": "amy", "name": " "})
    assert nameless.status_code == 422


def test_only_administrators_change_accounts(app):
    lee = Browser(app, "lee")
    assert lee.post("/users/amy/reset").status_code == 403
    assert lee.post("/users/role", {"username": "amy", "role": "x"}).status_code == 403
    assert lee.post("/users/tokens", {"username": "amy", "name": "n"}).status_code == 403
    assert lee.post("/users/tokens/tok_000000000000/revoke").status_code == 403
    listing = lee.get("/users")
    assert 'id="reset-amy"' not in listing.text and 'id="issue-token"' not in listing.text


def test_the_api_resets_changes_roles_and_issues_tokens(app, soc):
    client = Browser(app, "root").client
    admin = {"Authorization": f"Bearer {_token(soc, 'root')}"}
    reset = client.post("/api/v1/users/amy/reset", headers=admin).json()
    logged_in(app, "amy", reset["password"])
    role = client.post("/api/v1/users/amy/role", json={"role": "lead"}, headers=admin)
    assert role.status_code == 200 and role.json()["role"] == "lead"
    made = client.post("/api/v1/users/amy/tokens", json={"name": "ci"}, headers=admin)
    assert made.status_code == 201 and made.json()["token"].startswith("csoc_")
    lee = {"Authorization": f"Bearer {_token(soc, 'lee')}"}
    assert client.post("/api/v1/users/amy/reset", headers=lee).status_code == 403
    missing = client.post("/api/v1/users/nobody/reset", headers=admin)
    assert missing.status_code == 404


def _token(soc, username: str) -> str:
    user = accounts.find_user(soc.store, username)
    assert user is not None
    plain, _ = accounts.issue_token(store=soc.store, actor=user.actor(), name="t", clock=soc.clock)
    return plain

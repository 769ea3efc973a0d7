"""The accounts API: GET/POST /api/v1/users and disable, enable, unlock; administrators
change, leads and auditors list, every change is audited, bad input names its field."""

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core import accounts
from core.access import Role
from core.errors import UnauthenticatedError
from core.settings import Settings
from tests.factories import PASSWORD, logged_in, make_user, token_for


@pytest.fixture
def api(soc):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    root = make_user(soc, "root", Role.ADMIN)
    lead = make_user(soc, "lee", Role.LEAD)
    make_user(soc, "amy", Role.ANALYST, display_name="王小美")
    client = TestClient(create_app(soc, api_token="operator-token-users-api"))
    bearer = {"Authorization": f"Bearer {token_for(soc, root)}"}
    return client, bearer, {"Authorization": f"Bearer {token_for(soc, lead)}"}


def test_an_administrator_opens_an_account_with_its_profile(api, soc):
    client, admin, _lead = api
    body = {
        "username": "xitun-lin",
        "role": "reporter",
        "agency": "district-xitun",
        "display_name": "林小明",
        "email": "lin@xitun.taichung.gov.tw",
        "phone": "04-2251-3131",
        "password": PASSWORD,
    }
    created = client.post("/api/v1/users", json=body, headers=admin)
    assert created.status_code == 201, created.text
    answer = created.json()
    assert answer["password"] is None and answer["account"]["agency"] == "district-xitun"
    assert answer["account"]["phone"] == "04-2251-3131" and "password_hash" not in created.text
    logged_in(client.app, "xitun-lin")
    again = client.post("/api/v1/users", json=body, headers=admin)
    assert again.status_code == 409


def test_a_generated_password_is_returned_once(api, soc):
    client, admin, _lead = api
    created = client.post(
        "/api/v1/users", json={"username": "wu", "role": "auditor"}, headers=admin
    )
    password = created.json()["password"]
    assert created.status_code == 201 and len(password) >= 12
    logged_in(client.app, "wu", password)
    listed = client.get("/api/v1/users", headers=admin).text
    assert password not in listed


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "x y", "role": "analyst", "password": PASSWORD}, "username"),
        ({"username": "weak", "role": "analyst", "password": "password1234"}, "password"),
        ({"username": "rep", "role": "reporter", "password": PASSWORD}, "agency"),
        ({"username": "rep", "role": "analyst", "phone": "call me"}, "phone"),
        ({"username": "rep", "role": "wizard"}, "role"),
        ({"username": "rep", "role": "reporter", "agency": "atlantis"}, "agency"),
    ],
)
def test_bad_input_names_its_field_and_makes_no_account(api, soc, body, field):
    client, admin, _lead = api
    refused = client.post("/api/v1/users", json=body, headers=admin)
    assert refused.status_code in (404, 422), refused.text
    assert field in refused.text
    assert accounts.find_user(soc.store, body["username"]) is None


def test_list_pages_and_leads_only_read(api, soc):
    client, admin, lead = api
    listed = client.get("/api/v1/users?limit=2&offset=1", headers=lead).json()
    assert listed["total"] == 3 and [u["username"] for u in listed["items"]] == ["lee", "root"]
    assert "password_hash" not in str(listed) and listed["items"][0]["disabled"] is False
    assert client.post("/api/v1/users/amy/disable", headers=lead).status_code == 403
    assert (
        client.post(
            "/api/v1/users", json={"username": "z1", "role": "analyst"}, headers=lead
        ).status_code
        == 403
    )


def test_disable_enable_unlock_are_audited_and_take_effect(api, soc):
    client, admin, _lead = api
    for _ in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(UnauthenticatedError):
            accounts.authenticate(store=soc.store, username="amy", password="x", clock=soc.clock)
    amy = client.get("/api/v1/users", headers=admin).json()["items"][0]
    assert amy["username"] == "amy" and amy["locked_until"]
    unlocked = client.post("/api/v1/users/amy/unlock", headers=admin).json()
    assert unlocked["locked_until"] is None
    browser, _csrf = logged_in(client.app, "amy")
    assert browser.get("/api/v1/profile").status_code == 200
    assert client.post("/api/v1/users/amy/disable", headers=admin).json()["disabled"] is True
    assert browser.get("/api/v1/profile").status_code == 401  # the session ends with it
    assert client.post("/api/v1/users/amy/enable", headers=admin).json()["disabled"] is False
    logged_in(client.app, "amy")
    assert client.post("/api/v1/users/root/disable", headers=admin).status_code == 422
    assert client.post("/api/v1/users/nobody/unlock", headers=admin).status_code == 404
    actions = [r.action for r in soc.store.audit.rows(subject="amy")]
    assert [a for a in actions if a in ("user.unlock", "user.disable", "user.enable")] == [
        "user.unlock",
        "user.disable",
        "user.enable",
    ]

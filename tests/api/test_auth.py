"""Accounts, sessions with CSRF, API tokens, lockout and login rate limiting."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core import accounts
from core.access import Actor, Role
from core.errors import ConflictError, ForbiddenError, InputError, UnauthenticatedError
from core.settings import Settings
from tests.factories import ADMIN, PASSWORD, make_user


@pytest.fixture
def client(soc, tmp_path):
    soc.settings = Settings(
        store=soc.settings.store, cookie_secure=False, login_attempts_per_minute=100
    )
    with TestClient(create_app(soc, api_token="operator-token-xyz")) as c:
        yield c


def login(client, username="amy", password=PASSWORD):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_passwords_are_hashed_and_never_audited(soc):
    user = make_user(soc)
    assert user.password_hash.startswith("$argon2")
    assert PASSWORD not in soc.store.accounts.get_user("amy")
    assert all(PASSWORD not in row.detail for row in soc.store.audit.rows())


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"password": "short"}, InputError, "at least 12"),
        ({"password": "password1234"}, InputError, "too easy to guess.*very common password"),
        ({"password": "Password1234!"}, InputError, "too easy to guess.*commonly used"),
        ({"password": "qwertyuiop123"}, InputError, "too easy to guess"),
        ({"password": "amy-is-my-password"}, InputError, "must not contain the username"),
        ({"role": Role.REPORTER}, InputError, "belongs to one agency"),
        ({"username": "Bad Name"}, InputError, "username must be"),
    ],
)
def test_account_rules(soc, kwargs, error, message):
    args = {"username": "amy", "password": PASSWORD, "role": Role.ANALYST, **kwargs}
    with pytest.raises(error, match=message):
        accounts.create_user(
            store=soc.store, actor=ADMIN, registry=soc.registry, clock=soc.clock, **args
        )


def test_only_admins_create_accounts_and_names_are_unique(soc):
    make_user(soc)
    with pytest.raises(ConflictError):
        make_user(soc)
    with pytest.raises(ForbiddenError):
        accounts.create_user(
            store=soc.store,
            actor=Actor("amy", Role.ANALYST),
            registry=soc.registry,
            username="bob",
            password=PASSWORD,
            role=Role.ADMIN,
            clock=soc.clock,
        )


def test_five_failures_lock_the_account_and_the_message_does_not_reveal_users(soc):
    make_user(soc)
    for _ in range(5):
        with pytest.raises(UnauthenticatedError, match="wrong username or password"):
            accounts.authenticate(store=soc.store, username="amy", password="nope", clock=soc.clock)
    with pytest.raises(UnauthenticatedError, match="wrong username or password"):
        accounts.authenticate(store=soc.store, username="amy", password=PASSWORD, clock=soc.clock)
    with pytest.raises(UnauthenticatedError, match="wrong username or password"):
        accounts.authenticate(store=soc.store, username="ghost", password=PASSWORD, clock=soc.clock)
    soc.clock.advance(timedelta(minutes=16))
    assert (
        accounts.authenticate(
            store=soc.store, username="amy", password=PASSWORD, clock=soc.clock
        ).username
        == "amy"
    )


def test_session_cookie_with_csrf(client, soc):
    make_user(soc)
    response = login(client)
    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    csrf = response.json()["csrf_token"]
    assert client.get("/api/v1/me").json() == {"name": "amy", "role": "analyst", "agency": None}
    body = {"organization_id": "police", "title": "t", "aware_at": "2026-03-02T08:00:00+08:00"}
    refused = client.post("/api/v1/incidents", json=body)
    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]["message"]
    created = client.post("/api/v1/incidents", json=body, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201, created.text
    client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert client.get("/api/v1/me").status_code == 401


def test_sessions_expire(client, soc):
    make_user(soc)
    login(client)
    soc.clock.advance(accounts.SESSION_LIFETIME + timedelta(seconds=1))
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and "expired" in response.json()["error"]["message"]


def test_a_fresh_session_on_every_login(client, soc):
    make_user(soc)
    first = login(client).cookies.get(accounts.SESSION_COOKIE)
    second = login(client).cookies.get(accounts.SESSION_COOKIE)
    assert first and second and first != second  # no session fixation


def test_api_tokens_are_shown_once_and_revocable(client, soc):
    make_user(soc)
    csrf = login(client).json()["csrf_token"]
    issued = client.post(
        "/api/v1/tokens", json={"name": "siem-export"}, headers={"X-CSRF-Token": csrf}
    ).json()
    token = issued["token"]
    assert token.startswith("csoc_")
    listed = client.get("/api/v1/tokens").json()
    assert token not in str(listed) and "token_hash" not in listed[0]
    client.cookies.clear()
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=bearer).json()["name"] == "amy"
    client.delete(f"/api/v1/tokens/{issued['id']}", headers=bearer)
    assert client.get("/api/v1/me", headers=bearer).status_code == 401


def test_login_is_rate_limited_per_client(soc):
    soc.settings = Settings(store=soc.settings.store, login_attempts_per_minute=3)
    with TestClient(create_app(soc, api_token="operator-token-xyz")) as c:
        codes = [login(c, password="wrong").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]


def _cli(tmp_path, *args, **kwargs):
    from typer.testing import CliRunner

    from api.cli import app

    store = f"sqlite:///{tmp_path / 'c.db'}"
    return CliRunner().invoke(app, [*args, "--store", store], **kwargs)


def test_users_command_creates_an_account_with_a_hidden_prompt(tmp_path):
    result = _cli(
        tmp_path, "users", "create", "lee", "--role", "lead", input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "created lee (lead)" in result.output and PASSWORD not in result.output
    token = _cli(tmp_path, "users", "token", "lee", "--name", "cli")
    assert token.stdout.strip().splitlines()[-1].startswith("csoc_")


def test_users_command_reads_the_password_from_stdin(tmp_path):
    """For scripts: the password never appears in the process list (``ps``)."""
    created = _cli(
        tmp_path,
        "users",
        "create",
        "lee",
        "--role",
        "lead",
        "--password-stdin",
        input=f"{PASSWORD}\n",
    )
    assert created.exit_code == 0, created.output
    assert PASSWORD not in created.output
    with _store(tmp_path) as store:
        user = accounts.find_user(store, "lee")
    assert user is not None and user.password_hash.startswith("$argon2")


def test_users_command_takes_no_password_on_the_command_line(tmp_path):
    refused = _cli(tmp_path, "users", "create", "lee", "--role", "lead", "--password", PASSWORD)
    assert refused.exit_code != 0
    assert "--password-stdin" in refused.output
    with _store(tmp_path) as store:
        assert accounts.find_user(store, "lee") is None


def test_users_command_explains_a_common_password(tmp_path):
    weak = _cli(
        tmp_path,
        "users",
        "create",
        "lee",
        "--role",
        "lead",
        "--password-stdin",
        input="password1234\n",
    )
    assert weak.exit_code != 0
    assert "too easy to guess" in str(weak.exception)


def _store(tmp_path):
    from core.storage import open_store

    return open_store(Settings(store=f"sqlite:///{tmp_path / 'c.db'}"))

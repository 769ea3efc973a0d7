"""What tests build over and over: accounts (with a token, or a browser session), the
administrator who creates them, an agency's reporter, and incidents. Everything goes through the services or
the API, as a person would, so no test depends on how a store lays out its documents; the
defaults are the values most tests used, so a call names only what matters to its test."""

from datetime import datetime
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.context import CitySoc
from core import accounts
from core.access import Actor, Role
from core.clock import Clock
from core.storage import Store
from incidents import service
from incidents.models import Incident

__all__ = ["ADMIN", "PASSWORD", "logged_in", "make_user", "open_incident", "token_for", "XITUN"]

ADMIN = Actor("root-admin", Role.ADMIN)  # the administrator who creates the accounts
XITUN = Actor("xitun", Role.REPORTER, agency="district-xitun")  # one agency's reporter
PASSWORD = "correct horse battery staple"  # noqa: S105 - passes the strength check; a test's


def make_user(
    soc: CitySoc,
    username: str = "amy",
    role: Role = Role.ANALYST,
    *,
    agency: str | None = None,
    display_name: str = "",
    password: str = PASSWORD,
) -> accounts.User:
    """A person's account, created by ``ADMIN`` as ``citysoc users create`` does."""
    return accounts.create_user(
        store=soc.store,
        actor=ADMIN,
        registry=soc.registry,
        username=username,
        password=password,
        role=role,
        agency=agency,
        display_name=display_name,
        clock=soc.clock,
    )


def token_for(soc: CitySoc, user: accounts.User, name: str = "t") -> str:
    """A bearer token of ``user`` (the plain text, shown once)."""
    token, _ = accounts.issue_token(store=soc.store, actor=user.actor(), name=name, clock=soc.clock)
    return token


def logged_in(
    app: FastAPI, username: str, password: str = PASSWORD, **options: Any
) -> tuple[TestClient, str]:
    """A browser with a session: logged in through the API as a person would, holding the
    session cookie; returns it with the session's CSRF token. ``options`` go to TestClient."""
    browser = TestClient(app, **options)
    login = browser.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert login.status_code == 200, login.text
    return browser, str(login.json()["csrf_token"])


def open_incident(
    store: Store,
    clock: Clock,
    *,
    actor: Actor = ADMIN,
    organization_id: str = "district-xitun",
    title: str = "t",
    aware_at: datetime | None = None,
    occurred_at: datetime | None = None,
) -> Incident:
    """An incident opened by hand (not from alerts), aware now unless told otherwise."""
    return service.open_incident(
        store=store,
        actor=actor,
        organization_id=organization_id,
        title=title,
        aware_at=clock.now() if aware_at is None else aware_at,
        occurred_at=occurred_at,
        clock=clock,
    )

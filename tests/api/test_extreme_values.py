"""Extreme times and numbers in filters, forms and commands: a 422 (or a usage error) that
names the parameter, never a 500. Both engines: the alert filters reach the store."""

import html

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from core.access import Role
from core.i18n.messages import field_label
from tests.factories import make_user

TOKEN = "extreme-values-token"
EXTREME_TIMES = [
    "0001-01-01",
    "0001-01-01T00:00:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31",
    "9999-12-31T23:59:59",
    "9999-12-31T23:59:59-14:00",
    "1899-12-31T23:59:59+00:00",
]
EXTREME_DAYS = ["0001-01-01", "9999-12-31", "1899-12-31"]
NOT_TIMES = ["2026-01-01T00:00:00+99:00", "99999-01-01", "1e400", "9" * 5000, "2026-13-01"]
NUMBERS = ["-1", "1e400", "9" * 40, "1000000000001", "NaN"]


@pytest.fixture
def engine(both_engines: str) -> str:
    return both_engines


@pytest.fixture
def client(soc):
    with TestClient(create_app(soc, api_token=TOKEN), raise_server_exceptions=False) as c:
        c.headers["Authorization"] = f"Bearer {TOKEN}"
        yield c


def _refused(response, name: str) -> None:
    assert response.status_code in (400, 422), f"{response.status_code} {response.text[:300]}"
    assert name in response.json()["error"]["message"], response.text[:300]


def _page_refused(response, name: str) -> None:
    """A page refuses as the API does, on the HTML error page instead of the JSON envelope,
    naming the field by its label in the page's language (Chinese here)."""
    assert response.status_code in (400, 422), f"{response.status_code} {response.text[:300]}"
    assert response.headers["content-type"].startswith("text/html")
    label = field_label(name, "zh")
    assert label is not None, f"no label for {name} in the catalogue"
    assert f"「{label}」" in html.unescape(response.text), response.text[:300]


@pytest.mark.parametrize("value", EXTREME_TIMES + NOT_TIMES)
def test_alert_time_filters_refuse_extreme_times_naming_them(client, value):
    for name in ("since", "until"):
        _refused(client.get("/api/v1/alerts", params={name: value}), f"query.{name}")


@pytest.mark.parametrize("value", EXTREME_DAYS + NOT_TIMES)
def test_compliance_period_refuses_extreme_days_naming_them(client, value):
    for name, other in (("from", "to"), ("to", "from")):
        params = {name: value, other: "2026-01-01"}
        _refused(client.get("/api/v1/reports/compliance", params=params), f"query.{name}")


@pytest.mark.parametrize("value", NUMBERS)
def test_paging_numbers_out_of_range_are_refused(client, value):
    for path in ("/api/v1/alerts", "/api/v1/incidents", "/api/v1/audit", "/api/v1/dead-letters"):
        for name in ("limit", "offset"):
            _refused(client.get(path, params={name: value}), f"query.{name}")


def test_filters_at_the_edges_of_the_range_still_answer(client):
    edges = {"since": "1900-01-01T00:00:00+00:00", "until": "9998-12-31T00:00:00+14:00"}
    assert client.get("/api/v1/alerts", params=edges).status_code == 200
    period = {"from": "1900-01-01", "to": "9998-12-31"}
    assert client.get("/api/v1/reports/compliance", params=period).status_code == 200


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_incident_times_in_bodies_are_refused_naming_them(client, value):
    base = {
        "organization_id": "district-xitun",
        "title": "t",
        "aware_at": "2026-03-02T08:00:00+08:00",
    }
    for name in ("aware_at", "occurred_at"):
        _refused(client.post("/api/v1/incidents", json=base | {name: value}), f"body.{name}")


def test_pages_refuse_extreme_filters_naming_them(client, soc):
    soc.settings = soc.settings.model_copy(update={"cookie_secure": False})
    make_user(soc, "analyst", Role.ANALYST)
    browser = TestClient(client.app, follow_redirects=False, raise_server_exceptions=False)
    login = browser.post(
        "/api/v1/auth/login",
        json={"username": "analyst", "password": "correct horse battery staple"},
    )
    assert browser.get("/alerts").status_code == 200, login.text
    for value in EXTREME_TIMES:
        for name in ("since", "until"):
            _page_refused(browser.get("/alerts", params={name: value}), f"query.{name}")
    for value in EXTREME_DAYS:
        for name in ("from", "to"):
            _page_refused(browser.get("/dashboard", params={name: value}), f"query.{name}")
    for value in NUMBERS:
        for path, name in (
            ("/alerts", "offset"),
            ("/alerts", "n"),
            ("/", "offset"),
            ("/audit", "offset"),
        ):
            _page_refused(browser.get(path, params={name: value}), f"query.{name}")
    assert (
        browser.get("/dashboard", params={"from": "1900-01-01", "to": "9998-12-31"}).status_code
        == 200
    )


def test_cli_refuses_extreme_days_and_numbers_naming_them(settings, tmp_path):
    store = ["--store", settings.store]
    runner = CliRunner()
    for flag in ("--from", "--to"):
        days = {"--from": "2026-01-01", "--to": "2026-12-31"} | {flag: "9999-12-31"}
        args = ["report", "compliance", *[x for kv in days.items() for x in kv]]
        result = runner.invoke(cli, [*args, "--out", str(tmp_path / "r.json"), *store])
        assert result.exit_code == 2 and flag in result.output, result.output
    for args in (["alerts", "list", "--limit", "-1"], ["incidents", "list", "--offset", "-5"]):
        result = runner.invoke(cli, [*args, *store])
        assert result.exit_code == 2 and args[2] in result.output, result.output

"""Merging duplicates through the API, the incident page's form and the command line, on a
real SQLite store: the same service answers each (tests/incidents/test_merging.py holds
what a merge keeps); refusals name the field (422) in the caller's language."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from core.access import Role
from core.errors import InputError
from core.settings import Settings
from tests.factories import logged_in, make_user, open_incident, token_for


@pytest.fixture
def cases(soc):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    user = make_user(soc, "xitun", Role.REPORTER, agency="district-xitun")
    now = soc.clock.now()
    dup = open_incident(soc.store, soc.clock, title="A", aware_at=now - timedelta(hours=2))
    keep = open_incident(soc.store, soc.clock, title="B", aware_at=now - timedelta(hours=1))
    app = create_app(soc, api_token="t-merge")
    return app, token_for(soc, user), dup.id, keep.id


def test_the_api_merges_and_refuses_naming_the_field(cases):
    app, token, dup, keep = cases
    with TestClient(app) as client:
        heads = {"Authorization": f"Bearer {token}"}
        blank = client.post(
            f"/api/v1/incidents/{dup}/merge", json={"into": keep, "reason": " "}, headers=heads
        )
        assert blank.status_code == 422 and blank.json()["error"]["location"] == "reason"
        done = client.post(
            f"/api/v1/incidents/{dup}/merge",
            json={"into": keep, "reason": "同一事件"},
            headers=heads,
        )
        assert done.status_code == 200, done.text
        merged = done.json()["incident"]
        assert merged["id"] == keep and merged["merged_from"] == [dup]
        ended = client.get(f"/api/v1/incidents/{dup}", headers=heads).json()["incident"]
        assert (ended["state"], ended["merged_into"]) == ("closed", keep)


def test_the_page_form_merges_and_comes_back_filled_in_when_refused(cases):
    app, _, dup, keep = cases
    browser, csrf = logged_in(app, "xitun", follow_redirects=False)
    page = browser.get(f"/incidents/{dup}").text
    assert 'id="merge-into"' in page
    refused = browser.post(
        f"/incidents/{dup}/merge", data={"csrf_token": csrf, "into": dup, "reason": "重複"}
    )
    assert refused.status_code == 422
    assert "案件不能併入自己" in refused.text and 'value="' + dup + '"' in refused.text
    done = browser.post(
        f"/incidents/{dup}/merge", data={"csrf_token": csrf, "into": keep, "reason": "重複"}
    )
    assert done.status_code == 303
    after = browser.get(f"/incidents/{dup}").text
    assert 'id="merged-into"' in after and f'href="/incidents/{keep}"' in after
    assert 'id="merge-into"' not in after  # an ended case offers no merge
    assert f'href="/incidents/{dup}"' in browser.get(f"/incidents/{keep}").text


def test_the_command_line_merges(soc, cases):
    _, _, dup, keep = cases
    runner = CliRunner()
    store = soc.settings.store
    done = runner.invoke(
        cli, ["incidents", "merge", dup, "--into", keep, "--reason", "重複", "--store", store]
    )
    assert done.exit_code == 0, done.output
    assert f"merged {dup} into {keep}" in done.output
    again = runner.invoke(
        cli, ["incidents", "merge", keep, "--into", keep, "--reason", "x", "--store", store]
    )
    assert isinstance(again.exception, InputError) and again.exception.key == "merge_itself"

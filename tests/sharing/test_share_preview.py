"""Sharing is two steps on every interface: the analyst sees exactly what will leave (the
sanitized summary, the indicators, what was withheld or removed) and publishes that preview,
by its digest; when what would leave has changed since, nothing is published and the new
preview is shown."""

import html
import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from core.access import Role
from core.settings import Settings
from tests.factories import PASSWORD, make_user, open_incident

SUMMARY = "聯絡人王小明回報：fs01.taichung.gov.tw 連線 evil.example，電話 0912 345 678"


@pytest.fixture
def world(soc):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    make_user(soc, "analyst", Role.ANALYST)
    incident = open_incident(soc.store, soc.clock, title="phishing")
    return soc, create_app(soc, api_token="operator-token"), incident.id


def published(soc) -> list[str]:
    collection = soc.partners.collection("city-indicators").id
    return [o.id for o in soc.store.sharing.objects(collection, limit=1000)]


def api_client(app):
    return TestClient(app, headers={"Authorization": "Bearer operator-token"})


def test_the_api_previews_then_publishes_the_confirmed_preview(world):
    soc, app, incident_id = world
    client = api_client(app)
    url = f"/api/v1/incidents/{incident_id}/share"
    body = {"iocs": [{"value": "evil.example"}, {"value": "10.20.1.5"}], "summary": SUMMARY}
    preview = client.post(url, json=body)
    assert preview.status_code == 200, preview.text
    shown = preview.json()
    assert shown["preview"] is True and re.fullmatch(r"[0-9a-f]{64}", shown["digest"])
    assert [i["value"] for i in shown["shared"]] == ["evil.example"]
    assert [w["ioc"]["value"] for w in shown["withheld"]] == ["10.20.1.5"]
    for secret in ("王小明", "fs01", "0912 345 678"):
        assert secret not in shown["summary"]
    assert {r["kind"] for r in shown["removed"]} == {"personal_name", "internal_host", "phone"}
    assert published(soc) == []  # a preview changes nothing
    assert not [r for r in soc.store.audit.rows(subject=incident_id) if r.action == "share.publish"]

    done = client.post(url, json=body | {"confirm": shown["digest"]})
    assert done.status_code == 201, done.text
    assert done.json()["summary"] == shown["summary"]
    stored = published(soc)
    assert any(i.startswith("report--") for i in stored)


def test_the_api_refuses_a_confirmation_of_a_preview_that_no_longer_matches(world):
    soc, app, incident_id = world
    client = api_client(app)
    url = f"/api/v1/incidents/{incident_id}/share"
    body = {"iocs": [{"value": "evil.example"}], "summary": "可疑連線 evil.example"}
    digest = client.post(url, json=body).json()["digest"]
    changed = client.post(
        url, json=body | {"summary": "可疑連線 陳美華 evil.example", "confirm": digest}
    )
    assert changed.status_code == 409, changed.text
    assert "new preview" in changed.json()["error"]["message"]
    # The incident's world changed, not the request: a user's name now counts as a person's.
    make_user(soc, "mei", Role.ANALYST, display_name="陳美華")
    named = {"iocs": [{"value": "evil.example"}], "summary": "可疑連線 陳美華 evil.example"}
    stale = "0" * 64
    assert client.post(url, json=named | {"confirm": stale}).status_code == 409
    fresh = client.post(url, json=named).json()
    assert "陳美華" not in fresh["summary"]
    assert published(soc) == []
    assert client.post(url, json=named | {"confirm": fresh["digest"]}).status_code == 201


def form_client(app) -> tuple[TestClient, str]:
    client = TestClient(app, follow_redirects=False)
    login = client.post("/api/v1/auth/login", json={"username": "analyst", "password": PASSWORD})
    return client, login.json()["csrf_token"]


def test_the_page_shows_the_preview_and_publishes_on_confirm(world):
    soc, app, incident_id = world
    client, csrf = form_client(app)
    url = f"/incidents/{incident_id}/share"
    form = {
        "csrf_token": csrf,
        "iocs": "evil.example\n10.20.1.5",
        "summary": SUMMARY,
        "tlp": "amber",
    }
    page = client.post(url, data=form)
    assert page.status_code == 200, page.text[:500]
    text = html.unescape(page.text)
    preview = text[
        text.index('id="share-preview"') : text.index("</div>", text.index('id="share-preview"'))
    ]
    assert "TLP:AMBER" in preview and "evil.example" in preview
    summary = re.search(r'<pre id="share-preview-summary">(.*?)</pre>', text, re.S).group(1)
    assert "王小明" not in summary and "0912 345 678" not in summary
    digest = re.search(r'name="confirm" value="([0-9a-f]{64})" id="share-confirm"', text).group(1)
    assert published(soc) == [] and 'id="share-result"' not in text

    edited = client.post(url, data=form | {"summary": SUMMARY + "（補充）", "confirm": digest})
    assert edited.status_code == 409
    assert "nothing was published" in html.unescape(edited.text) or "尚未發布" in edited.text
    assert 'id="share-preview"' in edited.text and published(soc) == []

    done = client.post(url, data=form | {"confirm": digest})
    assert done.status_code == 201 and 'id="share-result"' in done.text
    assert published(soc)


def test_the_preview_shows_script_in_the_summary_as_text(world):
    _soc, app, incident_id = world
    client, csrf = form_client(app)
    xss = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
    page = client.post(
        f"/incidents/{incident_id}/share",
        data={"csrf_token": csrf, "iocs": "evil.example", "summary": xss, "tlp": "green"},
    )
    assert page.status_code == 200
    assert "<script>window.__pwned" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page.text


def test_the_cli_prints_the_preview_and_publishes_only_when_confirmed(world, tmp_path):
    soc, _app, incident_id = world
    runner = CliRunner()
    args = [
        "share",
        "publish",
        incident_id,
        "--ioc",
        "evil.example",
        "--summary",
        SUMMARY,
        "--store",
        soc.settings.store,
    ]
    declined = runner.invoke(cli, args, input="n\n")
    assert declined.exit_code == 1, declined.output
    assert "summary as it will be sent" in declined.output and "not published" in declined.output
    assert "0912 345 678" not in declined.output.split("summary as it will be sent", 1)[1]
    assert published(soc) == []
    confirmed = runner.invoke(cli, args, input="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert "published bundle" in confirmed.output and published(soc)

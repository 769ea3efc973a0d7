"""The ATT&CK view at the edges (issue 16 item 4): `GET /api/v1/attack`, the /attack page
(heat map and table, links to attack.mitre.org only, nothing loaded from outside) and
`citysoc attack`, from the city rules' real tags."""

import json
import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from collectors.records import RawRecord
from core.access import Role
from tests.data.events import winlogbeat
from tests.factories import logged_in, make_user, token_for

TOKEN = "t" * 32
PERIOD = "from=2026-03-01&to=2026-03-02"


@pytest.fixture
def alerted(soc):
    """Two accounts created and one added to the administrators on a Xitun server."""
    ingestor = soc.ingestor()
    for doc in (
        winlogbeat("Security", 4720, {"TargetUserName": "tmp1"}),
        winlogbeat("Security", 4720, {"TargetUserName": "tmp2"}),
        winlogbeat("Security", 4732, {"TargetSid": "S-1-5-32-544", "MemberName": "tmp1"}),
    ):
        ingestor.submit(RawRecord("t", json.dumps(doc).encode(), soc.clock.now()), "jsonl")
    ingestor.flush()
    soc.process(min_severity="high")
    return soc


def test_the_api_counts_by_tactic_and_technique_for_whom_may_see(alerted):
    other = token_for(alerted, make_user(alerted, "police", Role.REPORTER, agency="police"))
    with TestClient(create_app(alerted, api_token=TOKEN)) as client:
        body = client.get(
            f"/api/v1/attack?{PERIOD}", headers={"Authorization": f"Bearer {TOKEN}"}
        ).json()
        assert body["alerts"] == 3 and body["incidents"] == 1
        techniques = {r["technique"]: r for r in body["techniques"]}
        assert techniques["T1136"]["name"] == "Create Account"
        assert techniques["T1136"]["url"] == "https://attack.mitre.org/techniques/T1136"
        default = client.get("/api/v1/attack", headers={"Authorization": f"Bearer {TOKEN}"})
        assert default.json()["alerts"] == 3  # the last 30 days hold the fixture's day
        hidden = client.get(
            f"/api/v1/attack?{PERIOD}&agency=district-xitun",
            headers={"Authorization": f"Bearer {other}"},
        ).json()
        assert hidden["alerts"] == 0 and hidden["techniques"] == []
        bad = client.get(
            "/api/v1/attack?from=yesterday", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert bad.status_code == 422 and "from" in bad.text


def _browser(soc) -> TestClient:
    soc.settings = soc.settings.model_copy(update={"cookie_secure": False})
    make_user(soc, "amy", Role.ANALYST)
    return logged_in(create_app(soc, api_token=TOKEN), "amy")[0]


def test_the_page_draws_a_heat_map_and_a_table_with_links_only(alerted):
    with _browser(alerted) as browser:
        html = browser.get(f"/attack?{PERIOD}", headers={"Accept-Language": "en"}).text
        zh = browser.get(f"/attack?{PERIOD}", headers={"Accept-Language": "zh-TW"}).text
    heatmap = html[html.index('id="attack-heatmap"') : html.index('id="attack-techniques"')]
    assert "Persistence" in heatmap and "Privilege Escalation" in heatmap
    assert "持續性" in zh and "權限提升" in zh  # tactics named in the page's language
    assert 'class="heat-5"' in heatmap  # the peak: account creations, two alerts
    assert re.search(r'class="heat-3"[^>]*>.*?T1098', heatmap)  # one of two: half as dark
    assert 'href="https://attack.mitre.org/techniques/T1098"' in html
    # links only: nothing on the page is loaded from elsewhere
    assert not re.search(r'(src|href)="https?://(?!attack\.mitre\.org/techniques/)', html)
    assert not re.search(r"<(img|script|link|iframe)[^>]*https?://", html)


def test_the_page_explains_an_empty_period(alerted):
    with _browser(alerted) as browser:
        html = browser.get("/attack?from=2025-01-01&to=2025-01-31").text
    assert 'id="attack-empty"' in html and 'id="attack-heatmap"' not in html


def test_the_cli_lists_techniques(alerted, settings):
    result = CliRunner().invoke(
        cli,
        [
            "attack",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-02",
            "--format",
            "json",
            "--store",
            settings.store,
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert [r["technique"] for r in body["techniques"]] == ["T1136", "T1098"]
    table = CliRunner().invoke(cli, ["attack", "--from", "2026-03-01", "--store", settings.store])
    assert table.exit_code == 0 and "T1136" in table.output

"""Source health at the edges (issue 16 item 3): `GET /api/v1/sources` and the /sources
page (a reporter sees their agency's sources only), the gauges on /metrics, the worker of
`serve` that raises the silent sources' alerts, and `citysoc sources list|silent`."""

import json
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from api.server import SourceWatch
from core.access import Role
from core.alerts import AlertQuery
from core.events import Event
from core.source_health import RULE_ID, raise_silent
from tests.factories import logged_in, make_user, token_for

TOKEN = "t" * 32


@pytest.fixture
def fed(soc):
    """A Xitun firewall that sent every ten minutes for a day and stopped three hours
    ago; a Beitun host that sent a minute ago."""
    now = soc.clock.now()
    stop = now - timedelta(hours=3)
    events = [
        Event(
            event_id=f"fw{n}",
            timestamp=stop - timedelta(minutes=10 * n),
            dataset="syslog",
            organization_id="district-xitun",
            original=f"fw {n}",
            fields={"log.source.address": "10.30.6.1"},
        )
        for n in range(144)
    ]
    events.append(
        Event(
            event_id="bt",
            timestamp=now - timedelta(minutes=1),
            dataset="winlog",
            organization_id="district-beitun",
            original="bt",
            fields={"host.name": "BT-WS01"},
        )
    )
    soc.store.events.append(events)
    return soc


def test_the_api_lists_sources_silent_first_and_a_reporter_only_their_own(fed):
    app = create_app(fed, api_token=TOKEN)
    reporter = token_for(fed, make_user(fed, "xitun", Role.REPORTER, agency="district-xitun"))
    with TestClient(app) as client:
        everyone = client.get("/api/v1/sources", headers={"Authorization": f"Bearer {TOKEN}"})
        assert everyone.status_code == 200
        body = everyone.json()
        assert body["total"] == 2 and body["silent"] == 1
        first = body["items"][0]
        assert first["source"] == "syslog:10.30.6.1" and first["silent"] is True
        assert first["age_seconds"] == 3 * 3600 and len(first["hourly"]) == 24
        assert first["interval_basis"] == "learned"
        own = client.get(
            "/api/v1/sources?agency=district-beitun",
            headers={"Authorization": f"Bearer {reporter}"},
        ).json()
        assert [i["organization_id"] for i in own["items"]] == ["district-xitun"]


def test_metrics_carry_a_gauge_per_source(fed):
    with TestClient(create_app(fed, api_token=TOKEN)) as client:
        text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert 'citysoc_source_silent{agency="district-xitun",source="syslog:10.30.6.1"} 1' in text
    assert 'citysoc_source_silent{agency="district-beitun",source="host:bt-ws01"} 0' in text
    assert (
        'citysoc_source_last_event_age_seconds{agency="district-xitun",source="syslog:10.30.6.1"} 10800.0'
        in text
    )
    assert "# TYPE citysoc_source_events_per_hour gauge" in text


def _browser(soc) -> TestClient:
    """An analyst's browser (cookies over plain HTTP, as the page tests run them)."""
    soc.settings = soc.settings.model_copy(update={"cookie_secure": False})
    make_user(soc, "amy", Role.ANALYST)
    return logged_in(create_app(soc, api_token=TOKEN), "amy")[0]


def test_the_page_shows_silent_sources_first_with_a_sparkline_and_sorts(fed):
    with _browser(fed) as browser:
        html = browser.get("/sources", headers={"Accept-Language": "en"}).text
        assert html.index("10.30.6.1") < html.index("bt-ws01")
        assert "1 silent of 2 sources" in html
        assert html.count('class="sparkline"') == 2
        assert "Events per hour over the last 24 hours: 0, 0," in html  # its accessible name
        busiest = browser.get("/sources?sort=events", headers={"Accept-Language": "en"}).text
        assert busiest.index("10.30.6.1") < busiest.index("bt-ws01")
        quiet = browser.get("/sources?sort=source", headers={"Accept-Language": "en"}).text
        assert quiet.index("bt-ws01") < quiet.index("10.30.6.1")
        assert browser.get("/sources?sort=nonsense").status_code == 422


def test_the_queue_links_a_silence_to_its_sources_not_to_an_event(fed):
    """A silence has no event (nothing arrived): its alert leads to the agency's sources."""
    raise_silent(fed.store, settings=fed.settings, clock=fed.clock)
    with _browser(fed) as browser:
        queue = browser.get("/alerts").text
        assert 'href="/sources?agency=district-xitun"' in queue
        assert browser.get("/sources?agency=district-xitun").status_code == 200


def test_the_page_explains_an_empty_store(soc):
    with _browser(soc) as browser:
        html = browser.get("/sources", headers={"Accept-Language": "en"}).text
    assert 'id="sources-empty"' in html and "citysoc" in html.lower()


def test_the_serve_worker_raises_the_silence_once(fed):
    watch = SourceWatch(fed, interval=0.05)
    watch.start()
    try:
        deadline = time.monotonic() + 15
        while fed.store.alerts.count(AlertQuery(rule_id=RULE_ID)) == 0:
            assert time.monotonic() < deadline, "the worker raised no alert"
            time.sleep(0.02)
        time.sleep(0.3)  # several more passes
    finally:
        watch.close()
    assert fed.store.alerts.count(AlertQuery(rule_id=RULE_ID)) == 1


def test_the_cli_lists_and_raises_once(fed, settings):
    """The command runs on the system clock, months after the fixture's events: both
    sources are silent by then (the lone host past the learning window)."""
    runner = CliRunner()
    store = ["--store", settings.store]
    listed = runner.invoke(cli, ["sources", "list", "--format", "json", *store])
    assert listed.exit_code == 0, listed.output
    assert {r["source"] for r in json.loads(listed.output)} == {
        "syslog:10.30.6.1",
        "host:bt-ws01",
    }
    silent = runner.invoke(cli, ["sources", "silent", "--raise", *store])
    assert silent.exit_code == 0, silent.output
    assert "Silent sources (2)" in silent.output and "2 new alert(s) raised" in silent.output
    again = runner.invoke(cli, ["sources", "silent", "--raise", *store])
    assert "0 new alert(s) raised" in again.output
    assert fed.store.alerts.count(AlertQuery(rule_id=RULE_ID)) == 2


def test_sources_come_a_page_at_a_time(soc):
    now = soc.clock.now()
    soc.store.events.append(
        [
            Event(f"h{n}", now, "winlog", "district-xitun", f"h{n}", {"host.name": f"pc{n:03d}"})
            for n in range(105)
        ]
    )
    with TestClient(create_app(soc, api_token=TOKEN)) as client:
        page = client.get(
            "/api/v1/sources?limit=100&offset=100", headers={"Authorization": f"Bearer {TOKEN}"}
        ).json()
        assert page["total"] == 105 and len(page["items"]) == 5
        assert (
            client.get(
                "/api/v1/sources?limit=0", headers={"Authorization": f"Bearer {TOKEN}"}
            ).status_code
            == 422
        )
    with _browser(soc) as browser:
        first = browser.get("/sources?sort=source", headers={"Accept-Language": "en"}).text
        assert first.count('class="sparkline"') == 100 and "pc000" in first
        assert 'href="/sources?sort=source&amp;offset=100"' in first
        rest = browser.get("/sources?sort=source&offset=100").text
        assert rest.count('class="sparkline"') == 5 and "pc104" in rest and "pc000" not in rest

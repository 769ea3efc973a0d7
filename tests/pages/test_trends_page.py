"""The trends page as a browser without JavaScript sees it: line charts with a legend and
their figures in a table, top rules and hosts, the form keeping its selection, a reporter
limited to their own agency, and a refused period said in the page's language."""

import json
import re

import pytest

from api.app import create_app
from collectors.records import RawRecord
from core.access import Role
from core.settings import Settings
from tests.data.events import winlogbeat
from tests.factories import logged_in, make_user


@pytest.fixture
def app(soc):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    make_user(soc, "amy", Role.ANALYST)
    make_user(soc, "xitun", Role.REPORTER, agency="district-xitun")
    make_user(soc, "police", Role.REPORTER, agency="police")
    ingestor = soc.ingestor()
    for n, host in enumerate(["D-XITUN-FS01", "D-XITUN-FS01", "D-XITUN-PC07"]):
        doc = winlogbeat("Security", 4720, {"TargetUserName": f"u{n}"}, host=host)
        ingestor.submit(RawRecord("t", json.dumps(doc).encode(), soc.clock.now()), "jsonl")
    ingestor.flush()
    soc.process(min_severity="critical")  # alerts only
    return create_app(soc, api_token="t-trends")


def test_charts_tables_and_the_kept_selection(app):
    browser, _ = logged_in(app, "amy")
    html = browser.get("/trends", params={"by": "rule", "bucket": "hour"}).text
    assert '<figure id="chart-alerts">' in html and "<polyline" in html
    assert 'id="alerts-table"' in html and 'id="events-table"' in html  # the figures, as text
    assert re.search(r'<option value="rule" selected', html)
    assert re.search(r'<option value="hour" selected', html)
    top_hosts = html.split('id="top-hosts"')[1].split("</table>")[0]
    assert "D-XITUN-FS01" in top_hosts and "D-XITUN-PC07" in top_hosts
    assert top_hosts.index("D-XITUN-FS01") < top_hosts.index("D-XITUN-PC07")  # most first
    assert 'id="t-agency"' in html  # the city's staff choose an agency


def test_a_reporter_sees_their_agency_only(app):
    own, _ = logged_in(app, "xitun")
    assert "D-XITUN-FS01" in own.get("/trends").text
    other, _ = logged_in(app, "police")
    html = other.get("/trends", params={"agency": "district-xitun"}).text
    assert "D-XITUN-FS01" not in html
    assert 'id="alerts-empty"' in html and 'id="t-agency"' not in html


def test_a_refused_period_is_said_in_the_page_language(app):
    browser, _ = logged_in(app, "amy")
    refused = browser.get(
        "/trends", params={"from": "2026-01-01", "to": "2026-03-01", "bucket": "hour"}
    )
    assert refused.status_code == 422
    assert "趨勢最多顯示 800 個" in refused.text

"""Source health in real chromium (issue 16 item 3): the analyst finds /sources in the
navigation, the silent source first with its sparkline drawn, sorts by a column, and finds
the silence's alert in the queue; the district reporter sees their agency's sources only."""

from datetime import timedelta

import pytest

from core.events import Event
from core.source_health import raise_silent
from tests.e2e.test_browser import log_in, page, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def _sending(soc) -> None:
    """A police firewall that sends every five minutes, up to now (the system clock)."""
    now = soc.clock.now()
    soc.store.events.append(
        [
            Event(
                event_id=f"police-fw-{n}",
                timestamp=now - timedelta(minutes=5 * n),
                dataset="syslog",
                organization_id="police",
                original=f"fw {n}",
                fields={"log.source.address": "10.40.0.1"},
            )
            for n in range(200)
        ]
    )


def test_the_analyst_sees_silent_sources_first_sorts_and_finds_the_alert(server, page):  # noqa: F811
    base, _incident, soc = server
    _sending(soc)
    log_in(page, base, "soc-analyst")
    page.click("#nav-sources")
    page.wait_for_url(f"{base}/sources")
    rows = page.locator("#sources tbody tr")
    assert rows.count() == 2
    # the Xitun file server's three events are months old: silent, and listed first
    assert rows.nth(0).get_attribute("class") == "silent"
    assert "d-xitun-fs01" in rows.nth(0).inner_text() and "停止傳送" in rows.nth(0).inner_text()
    assert "10.40.0.1" in rows.nth(1).inner_text()
    spark = rows.nth(1).locator("svg.sparkline")
    box = spark.bounding_box()
    assert box is not None and box["width"] > 50  # drawn, not just present
    assert spark.locator("rect").count() == 24
    assert "過去 24 小時每小時事件數" in (spark.get_attribute("aria-label") or "")
    page.click("#sort-events")  # busiest first
    assert "10.40.0.1" in page.locator("#sources tbody tr").nth(0).inner_text()
    assert (
        page.locator("#sort-events").locator("xpath=..").get_attribute("aria-sort") == "descending"
    )

    assert len(raise_silent(soc.store, settings=soc.settings, clock=soc.clock)) == 1
    page.goto(f"{base}/alerts")
    assert "Log source silent" in page.inner_text("#alerts")


def test_the_reporter_sees_their_agency_only(server, page):  # noqa: F811
    base, _incident, soc = server
    _sending(soc)
    log_in(page, base, "xitun-contact")
    page.goto(f"{base}/sources?agency=police")
    rows = page.locator("#sources tbody tr")
    assert rows.count() == 1 and "d-xitun-fs01" in rows.nth(0).inner_text()
    assert page.locator("#s-agency").count() == 0  # no agency to choose

"""The incident board's filters and the trends page in real chromium: choices go into the
URL and stay selected, an empty result offers the way back, and the trends form draws the
chosen period's charts with their figures table and the top hosts."""

import pytest

from tests.e2e.test_browser import log_in, page, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_board_filters_stay_in_the_url_and_the_form(server, page):  # noqa: F811
    base, incident_id, _soc = server
    log_in(page, base, "soc-analyst")
    page.goto(f"{base}/")
    page.fill("#b-q", "檔案伺服器")
    page.select_option("#b-state", "open")
    page.select_option("#b-sort", "deadline")
    page.click("#b-apply")
    assert "state=open" in page.url and "sort=deadline" in page.url
    assert page.locator(f"#board a[href='/incidents/{incident_id}']").count() == 1
    assert page.input_value("#b-state") == "open" and page.input_value("#b-sort") == "deadline"
    assert page.input_value("#b-q") == "檔案伺服器"
    page.fill("#b-q", "沒有這種事件")
    page.click("#b-apply")
    assert page.locator("#board-empty").is_visible()
    page.click("#b-clear")
    assert page.url.rstrip("/") == base
    assert page.locator(f"#board a[href='/incidents/{incident_id}']").count() == 1


def test_trends_draw_the_chosen_period(server, page):  # noqa: F811
    base, _incident_id, _soc = server
    log_in(page, base, "soc-analyst")
    page.goto(f"{base}/trends")
    page.fill("#t-from", "2026-03-02")  # the day the fixture's events happened
    page.fill("#t-to", "2026-03-02")
    page.select_option("#t-by", "rule")
    page.select_option("#t-bucket", "hour")
    page.click("#t-apply")
    assert "by=rule" in page.url and "bucket=hour" in page.url
    assert page.input_value("#t-by") == "rule"
    assert page.locator("#chart-alerts svg polyline").count() >= 1
    assert page.locator("#chart-events svg polyline").count() >= 1
    page.click("#alerts-figures summary")
    assert page.locator("#alerts-table tr").count() == 24 + 2  # header, 24 hours, total
    assert "D-XITUN-FS01" in page.inner_text("#top-hosts")

"""Event search in real chromium: an analyst types a query and a time range, sees the
histogram and the events, clicks a top value (which adds field:"value" to the query and
narrows the results), opens an event, and saves the search; a reporter's page shows their
agency's events only. No script runs on the page (the page fixture fails on any dialog)."""

import pytest

from tests.e2e.test_browser import log_in, page, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_typing_a_query_and_clicking_a_top_value(server, page):  # noqa: F811
    base, _incident_id, _soc = server
    log_in(page, base, "soc-analyst")
    page.click("#nav-search")
    page.fill("#s-q", "winlog.event_id:4720")
    page.fill("#s-from", "2026-03-01T00:00")  # the test events are of 2026-03-02 09:00 Taipei
    page.fill("#s-to", "2026-03-03T00:00")
    page.click("#s-run")
    assert "共 3 筆事件" in page.inner_text("#search-total")
    assert page.locator("#search-histogram svg rect").count() > 1
    assert page.locator("#search-events a[href^='/events/']").count() == 3
    page.fill("#s-field", "winlog.event_data.TargetUserName")
    page.click("#s-top")
    values = page.locator("a.top-value")
    assert values.count() == 3
    values.first.click()
    assert (
        page.input_value("#s-q") == 'winlog.event_id:4720 winlog.event_data.TargetUserName:"tmp0"'
    )
    assert "共 1 筆事件" in page.inner_text("#search-total")
    assert "EventID: '4720'" in page.inner_text("#sigma-draft")
    page.fill("#save-name", "新帳號 tmp0")
    page.click("#save-run")
    assert "已儲存搜尋" in page.inner_text("#search-notice")
    page.click("text=新帳號 tmp0")
    assert (
        page.input_value("#s-q") == 'winlog.event_id:4720 winlog.event_data.TargetUserName:"tmp0"'
    )
    page.fill("#s-from", "2026-03-01T00:00")
    page.fill("#s-to", "2026-03-03T00:00")
    page.click("#s-run")
    page.locator("#search-events a[href^='/events/']").first.click()
    assert "/events/" in page.url and "tmp0" in page.content()


def test_a_reporter_sees_their_agency_and_a_mistake_is_explained(server, page):  # noqa: F811
    base, _incident_id, _soc = server
    log_in(page, base, "xitun-contact")
    page.goto(f"{base}/search?from=2026-03-01T00:00&to=2026-03-03T00:00&field=organization.id")
    shown = page.locator("a.top-value").all_inner_texts()
    assert shown in ([], ["district-xitun"])
    page.fill("#s-q", "host.name:(x")
    page.click("#s-run")
    assert "查詢語法第 11 字" in page.inner_text("#search-error")

"""The rules page in real chromium: a lead filters the catalogue, opens a rule, disables it
and adds an exception with its reason and expiry; what was typed stays text (the page
fixture fails on any dialog); at 390 px the page does not scroll sideways."""

import pytest

from tests.e2e.test_browser import XSS, log_in, page, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
RULE = "16728b4d-9edc-5348-8e53-1b9b8cb7b78c"  # win_user_account_created.yml


def test_filter_disable_and_add_an_exception(server, page):  # noqa: F811
    base, _incident_id, soc = server
    log_in(page, base, "soc-lead")
    page.click("#nav-rules")
    page.select_option("#f-level", "medium")
    page.fill("#f-q", "account")
    page.fill("#f-technique", "T1136")
    page.click("#apply-filters")
    assert "level=medium" in page.url and "technique=T1136" in page.url
    rows = page.locator("#rules tr[data-rule]")
    assert rows.count() == 1 and rows.first.get_attribute("data-rule") == RULE
    assert rows.first.locator("td.num").first.inner_text() == "3"  # the server's 3 alerts
    rows.first.locator("a").first.click()
    page.click("#disable-rule")
    assert "已停用" in page.inner_text("#rule-state")
    page.fill("#x-host", "D-XITUN-FS01")
    page.fill("#x-reason", f"廠商備份帳號 {XSS}")
    page.fill("#x-expires", "2099-06-30T17:00")
    page.click("#x-add")
    listed = page.inner_text("#exceptions")
    assert "D-XITUN-FS01" in listed and "廠商備份帳號" in listed
    assert page.evaluate("window.__pwned") is None
    actions = [r.action for r in soc.store.audit.rows(subject=f"rule:{RULE}")]
    assert actions == ["rules.disable", "rules.exception_add"]
    page.set_viewport_size({"width": 390, "height": 900})
    for path in ("/rules", f"/rules/{RULE}"):
        page.goto(f"{base}{path}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path

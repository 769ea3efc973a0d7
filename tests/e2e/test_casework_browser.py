"""Case work in real chromium: the reporter ticks a checklist task (a checkbox and its
form, no script), comments mentioning an analyst, and the one timeline shows both; what
was typed is text, never script (the page fixture fails on any dialog)."""

import pytest

from tests.e2e.test_browser import XSS, log_in, page, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_ticking_a_task_and_mentioning_someone(server, page):  # noqa: F811
    base, incident_id, _soc = server
    log_in(page, base, "xitun-contact")
    page.goto(f"{base}/incidents/{incident_id}")
    task = page.locator("#task-preserve-evidence")
    task.locator("input[type=checkbox]").check()
    task.locator("button").click()
    assert page.locator("#task-preserve-evidence input[type=checkbox]").is_checked()
    assert "xitun-contact 於" in page.inner_text("#task-preserve-evidence")
    page.fill("#progress-text", f"@soc-analyst 請協助鑑識 {XSS}")
    page.click("#progress-submit")
    assert "soc-analyst" in page.inner_text("#case-watchers")
    timeline = page.inner_text("#case-timeline")
    assert "完成工作項目" in timeline and "請協助鑑識" in timeline  # the action by its term
    assert page.evaluate("window.__pwned") is None

"""The alert queue in real chromium (issue 16 item 6): an analyst filters on one agency,
ticks "select all" (the page's one script), hands the alerts to a colleague, and downloads
the filtered queue as CSV; the other agencies' alerts stay as they were. Then the event
page on a 390 px phone: its alerts link back, and a long record wraps instead of
widening the page."""

import csv
import io
import json

import pytest

from collectors.records import RawRecord
from tests.data.events import winlogbeat
from tests.e2e.test_browser import log_in, page, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

LONG = "x" * 600  # a user name no phone can show on one line


def _add_beitun_alerts(soc) -> None:
    ingestor = soc.ingestor()
    for n, host in enumerate(["D-BEITUN-PC01", "D-BEITUN-PC02"]):
        doc = winlogbeat("Security", 4720, {"TargetUserName": f"b{n}{LONG}"}, host=host)
        ingestor.submit(RawRecord("e2e", json.dumps(doc).encode(), soc.clock.now()), "jsonl")
    ingestor.flush()
    soc.process(min_severity="critical")


def test_filter_by_agency_assign_to_a_colleague_and_export(server, page):  # noqa: F811
    base, _incident, soc = server
    _add_beitun_alerts(soc)
    before = {a.id: a.organization_id for a in soc.store.alerts.list(limit=100)}
    assert set(before.values()) == {"district-xitun", "district-beitun"}
    log_in(page, base, "soc-analyst")
    page.goto(f"{base}/alerts")
    page.select_option("#f-agency", "district-beitun")
    page.click("#apply-filters")
    page.wait_for_url("**agency=district-beitun**")
    assert page.locator("input[name=alert_ids]").count() == 2

    page.check("#select-all")
    page.select_option("#assign-to-who", "soc-lead")
    page.click("#assign-to")
    page.wait_for_selector("#done")
    assert "已指派給同仁的告警數：2" in page.inner_text("#done")
    assert page.eval_on_selector("#f-agency", "s => s.value") == "district-beitun"  # kept
    after = {a.id: a.assignee for a in soc.store.alerts.list(limit=100)}
    assert {after[i] for i, org in before.items() if org == "district-beitun"} == {"soc-lead"}
    assert {after[i] for i, org in before.items() if org != "district-beitun"} == {None}

    with page.expect_download() as caught:
        page.click("#alerts-export-csv")
    path = caught.value.path()
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    header = rows[0]
    assert header[0] == "告警編號" and len(rows) == 1 + 2
    assert {r[header.index("機關名稱")] for r in rows[1:]} == {"北屯區公所"}
    assert {r[header.index("處理人")] for r in rows[1:]} == {"soc-lead"}


def test_the_event_page_links_back_and_wraps_on_a_phone(server, page):  # noqa: F811
    base, _incident, soc = server
    _add_beitun_alerts(soc)
    alert = next(
        a for a in soc.store.alerts.list(limit=100) if a.organization_id == "district-beitun"
    )
    log_in(page, base, "soc-analyst")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/events/{alert.event.event_id}")
    assert alert.rule_title in page.inner_text("#event-alerts")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sideways
    # ... nor inside: the fields' table wraps its values rather than scroll in its box
    fits = "t => t.getBoundingClientRect().width <= t.parentElement.clientWidth + 1"
    assert page.eval_on_selector("#event-fields", fits)
    assert LONG[:50] in page.inner_text("#event-fields")
    page.click("#event-alerts a[href^='/alerts?rule=']")
    page.wait_for_url("**/alerts?rule=**")
    assert page.locator("input[name=alert_ids]").count() == 5  # the rule's alerts, every agency

"""Case work on the incident page, driven as a browser would: the owner, watching, a comment
with a mention, the checklist's checkboxes and the one timeline, in Chinese and English; a
refused form says why (422) and another agency's reporter is not let in."""

import pytest

from incidents import service
from tests.factories import ADMIN, open_incident
from tests.pages.test_pages import Browser, app  # noqa: F401 - the pages' app fixture


@pytest.fixture
def page(soc):
    return f"/incidents/{open_incident(soc.store, soc.clock, title='勒索軟體').id}"


def test_owner_watchers_tasks_and_timeline_on_the_page(app, soc, page):  # noqa: F811
    reporter, lead = Browser(app, "xitun"), Browser(app, "lead")
    shown = reporter.get(page).text
    assert 'id="task-scope"' in shown and "確認受影響之系統" in shown
    assert 'id="case-timeline"' in shown and 'data-action="incident.open">開立事件<' in shown
    assert 'id="watcher-add"' not in shown  # only a lead names others

    owned = reporter.follow(reporter.post(f"{page}/assign", {"assignee": "analyst"}))
    assert 'id="case-owner" translate="no">analyst<' in owned.text
    refused = reporter.post(f"{page}/assign", {"assignee": "police"})
    assert refused.status_code == 422 and 'id="casework-error"' in refused.text
    assert "police" in refused.text

    reporter.follow(reporter.post(f"{page}/tasks/scope", {"done": "1"}))
    ticked = reporter.get(page).text
    assert 'value="1" checked> 確認受影響之系統' in ticked and ">xitun</span> 於" in ticked
    assert "工作項目：確認受影響之系統" in ticked  # the timeline names the task, not its id
    reporter.follow(reporter.post(f"{page}/tasks/scope", {}))  # unticked: open again
    assert 'value="1" checked>' not in reporter.get(page).text
    missing = reporter.post(f"{page}/tasks/nope", {"done": "1"})
    assert missing.status_code == 422 and 'id="tasks-error"' in missing.text

    commented = reporter.follow(reporter.post(f"{page}/progress", {"text": "@lead 請協助"}))
    assert "請協助" in commented.text
    lead_view = lead.get(page).text
    assert 'id="watcher-add"' in lead_view and "停止" not in lead_view
    assert "取消關注" in lead_view  # the mention made the lead a watcher
    lead.follow(lead.post(f"{page}/watch", {"stop": "1"}))
    lead.follow(lead.post(f"{page}/watch", {"username": "auditor"}))
    stored = service.get_incident(store=soc.store, actor=ADMIN, incident_id=page.split("/")[-1])
    assert stored.watchers == ["analyst", "auditor"]
    assert [c.mentions for c in stored.comments] == [["lead"]]

    english = Browser(app, "auditor")
    english.client.get("/lang/en")
    view = english.get(page).text
    assert "Task checklist" in view and "Timeline" in view and "Identify" not in view
    assert "Establish which systems" in view and 'type="checkbox"' not in view  # read-only


def test_another_agency_sees_no_case_work(app, page):  # noqa: F811
    police = Browser(app, "police")
    assert police.post(f"{page}/assign", {"assignee": "police"}).status_code == 404
    assert police.post(f"{page}/watch", {}).status_code == 404
    assert police.post(f"{page}/tasks/scope", {"done": "1"}).status_code == 404

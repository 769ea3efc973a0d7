"""The incident page's statutory documents (issue 15 item 3): the notify form's event type,
event name and IoCs; the list of documents with what each still lacks; HTML and PDF
downloads in the page's language, each notice (初次通報, 續行通報) its own document, and the
incident's agency isolation on every download."""

import re

import pytest

from api.app import create_app
from core.access import Role
from core.profiles import ProfileChange, update_profile
from core.settings import Settings
from incidents import service
from tests.factories import ADMIN, logged_in, make_user, open_incident

NOTIFY = {
    "info_class": "none",
    "leak": "none",
    "tamper": "none",
    "system_class": "core_non_ci",
    "availability": "within_mtd",
    "intent": "file",
    "description": "網站首頁遭置換",
    "response_measures": "下線並自備份還原",
    "event_name": "西屯區公所網站遭置換事件",
    "category": "web_attack",
    "iocs": "ipv4 203.0.113.45\n\nevil.example\nsha256 " + "a" * 64,
}


@pytest.fixture
def app(soc):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    make_user(soc, "xitun", Role.REPORTER, agency="district-xitun", display_name="林美玲")
    update_profile(
        store=soc.store,
        actor=ADMIN,
        username="xitun",
        change=ProfileChange(phone="04-2228-9111#123", email="lin@xitun.example"),
        clock=soc.clock,
    )
    make_user(soc, "police", Role.REPORTER, agency="police")
    make_user(soc, "lead", Role.LEAD)
    return create_app(soc, api_token="operator-token-documents")


@pytest.fixture
def incident_id(soc):
    # A rule's English title, as triage gives one: the form proposes a Chinese name instead.
    return open_incident(soc.store, soc.clock, title="Webshell Detected").id


def browser(app, username):
    client, csrf = logged_in(app, username, follow_redirects=False)
    return client, csrf


def rows(html: str) -> list[str]:
    table = html.split('id="document-list"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr class="document">(.*?)</tr>', table, re.S)


def test_the_notify_form_asks_type_name_and_iocs_and_files_them(app, soc, incident_id):
    client, csrf = browser(app, "xitun")
    page = client.get(f"/incidents/{incident_id}").text
    assert 'name="category"' in page and 'name="iocs"' in page
    assert 'value="西屯區公所資通安全事件"' in page  # the default name, not "Webshell Detected"
    filed = client.post(f"/incidents/{incident_id}/notify", data={**NOTIFY, "csrf_token": csrf})
    assert filed.status_code == 303, filed.text[:300]
    stored = service.get_incident(store=soc.store, actor=ADMIN, incident_id=incident_id)
    assert stored.category is not None and stored.category.value == "web_attack"
    assert stored.event_name == "西屯區公所網站遭置換事件"
    assert [(x.type.value, x.value) for x in stored.iocs] == [
        ("ipv4", "203.0.113.45"),
        ("domain", "evil.example"),
        ("sha256", "a" * 64),
    ]
    filer = stored.notifications[0].filer
    assert filer is not None and filer.name == "林美玲" and filer.phone == "04-2228-9111#123"


def test_a_bad_ioc_line_is_refused_naming_the_line_and_the_form_comes_back(app, soc, incident_id):
    client, csrf = browser(app, "xitun")
    bad = {**NOTIFY, "iocs": "ipv4 203.0.113.45\nsha1 not-a-hash", "csrf_token": csrf}
    refused = client.post(f"/incidents/{incident_id}/notify", data=bad)
    assert refused.status_code == 422
    assert "IoC 第 2 行" in refused.text and "sha1" in refused.text
    assert "西屯區公所網站遭置換事件" in refused.text  # what was typed comes back
    stored = service.get_incident(store=soc.store, actor=ADMIN, incident_id=incident_id)
    assert stored.notifications == [] and stored.iocs == []  # nothing filed


def test_the_page_lists_each_document_with_its_gaps_and_downloads(app, soc, incident_id):
    client, csrf = browser(app, "xitun")
    before = rows(client.get(f"/incidents/{incident_id}").text)
    assert len(before) == 4  # the notification (a draft), recovery, investigation, review
    assert "狀況之描述" in before[0] and "完成損害控制或復原時間" in before[1]
    client.post(f"/incidents/{incident_id}/notify", data={**NOTIFY, "csrf_token": csrf})
    lead, lead_csrf = browser(app, "lead")
    lead.post(
        f"/incidents/{incident_id}/review",
        data={"level": "3", "note": "核心系統停頓逾時", "csrf_token": lead_csrf},
    )
    listed = rows(client.get(f"/incidents/{incident_id}").text)
    assert len(listed) == 5  # 初次通報, 續行通報, recovery, investigation, review
    assert "初次通報" in listed[0] and "已齊備" in listed[0]
    assert "等級變更續行通報" in listed[1] and "第2次通報" in listed[1]
    assert "已齊備" in listed[4]  # the review was made
    pdf_links = [re.search(r'href="([^"]+format=pdf[^"]*)"', r).group(1) for r in listed]
    for link in pdf_links:
        got = client.get(link.replace("&amp;", "&"))
        assert got.status_code == 200 and got.content.startswith(b"%PDF"), link
        assert got.headers["content-disposition"].startswith("attachment; filename=")
    first = client.get(f"/incidents/{incident_id}/documents/notification?notice=1").text
    second = client.get(f"/incidents/{incident_id}/documents/notification?notice=2").text
    assert "第二級" in first and "第三級" not in first.split('id="level"')[1].split("</td>")[0]
    level = second.split('id="level"')[1].split("</td>")[0]
    assert "第三級" in level and "第二級" not in level  # the raise: the old reasons are gone
    for shown in ("林美玲", "04-2228-9111#123", "lin@xitun.example", "網頁攻擊", "203.0.113.45"):
        assert shown in first


def test_documents_follow_the_pages_language(app, incident_id):
    client, _ = browser(app, "xitun")
    client.get("/lang/en")
    english = client.get(f"/incidents/{incident_id}/documents/recovery")
    assert "Xitun District Office" in english.text and "西屯區公所" not in english.text


def test_another_agency_and_bad_requests_get_clear_answers(app, incident_id):
    police, _ = browser(app, "police")
    assert police.get(f"/incidents/{incident_id}/documents/notification").status_code == 404
    client, _ = browser(app, "xitun")
    missing = client.get(f"/incidents/{incident_id}/documents/notification?notice=3")
    assert missing.status_code == 422 and "沒有第 3 次通報" in missing.text
    assert client.get(f"/incidents/{incident_id}/documents/memo").status_code == 422

"""The people's pages, driven as a browser would (forms, redirects, cookies) but without
one: the alert queue with bulk triage, the incident lifecycle from notification to the
investigation report with evidence, the review queue, the auditor's dashboard and the
audit-trail viewer. (tests/e2e drives the same pages in real chromium.)"""

import json
import re
from datetime import timedelta

import pytest

from api.app import create_app
from api.headers import CSP
from collectors.records import RawRecord
from core.access import Actor, Role
from core.clock import TAIPEI
from core.i18n import labels
from core.settings import Settings
from incidents import service
from tests.data.events import winlogbeat
from tests.factories import ADMIN, logged_in, make_user, open_incident

USERS = {
    "xitun": (Role.REPORTER, "district-xitun"),
    "police": (Role.REPORTER, "police"),
    "analyst": (Role.ANALYST, None),
    "lead": (Role.LEAD, None),
    "auditor": (Role.AUDITOR, None),
}


@pytest.fixture
def app(soc, tmp_path):
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False, max_evidence_bytes=4096)
    for username, (role, agency) in USERS.items():
        make_user(soc, username, role, agency=agency)
    ingestor = soc.ingestor()
    for n, host in enumerate(["D-XITUN-FS01", "D-XITUN-FS01", "D-XITUN-PC07", "D-XITUN-PC08"]):
        doc = winlogbeat("Security", 4720, {"TargetUserName": f"u{n}"}, host=host)
        ingestor.submit(RawRecord("t", json.dumps(doc).encode(), soc.clock.now()), "jsonl")
    ingestor.flush()
    soc.process(min_severity="critical")  # alerts only: they wait in the queue
    return create_app(soc, api_token="operator-token-pages")


class Browser:
    """A logged-in user agent: cookies, CSRF token from the session, no JavaScript."""

    def __init__(self, app, username: str) -> None:
        self.client, self.csrf = logged_in(app, username, follow_redirects=False)

    def get(self, path: str, **params):
        return self.client.get(path, params=params)

    def post(self, path: str, data: dict | list | None = None, **kwargs):
        """``data``: a dict, or (name, value) pairs where a name may repeat (checkboxes)."""
        pairs = list(data.items()) if isinstance(data, dict) else list(data or [])
        form: dict[str, list[str]] = {"csrf_token": [self.csrf]}
        for name, value in pairs:
            form.setdefault(name, []).append(value)
        return self.client.post(path, data=form, **kwargs)

    def follow(self, response):
        assert response.status_code == 303, f"{response.status_code} {response.text[:300]}"
        return self.client.get(response.headers["location"])


def alert_ids(html: str) -> list[str]:
    return re.findall(r'name="alert_ids" value="([^"]+)"', html)


def test_alert_queue_filters_pages_and_counts(app):
    analyst = Browser(app, "analyst")
    page = analyst.get("/alerts")
    assert page.status_code == 200 and len(alert_ids(page.text)) == 4
    assert "<svg" in page.text  # alerts by severity, for the filtered set
    one_host = analyst.get("/alerts", host="D-XITUN-PC07", status="", severity="", since="")
    assert len(alert_ids(one_host.text)) == 1
    later = analyst.get("/alerts", since="2026-03-02T10:00")  # Taipei; events at 09:00
    assert len(alert_ids(later.text)) == 0 and "2026-03-02T10:00" in later.text
    assert len(alert_ids(analyst.get("/alerts", until="2026-03-02T10:00").text)) == 4
    blank = analyst.get("/alerts", agency="", rule="", host="", assignee="", until="")
    assert blank.status_code == 200 and len(alert_ids(blank.text)) == 4  # blank: any
    assert analyst.get("/alerts", rule="x" * 301).status_code == 422
    bad = analyst.get("/alerts", severity="catastrophic")
    assert bad.status_code == 422 and "「嚴重度」" in bad.text  # the field, in the page's words
    # the other agency's reporter sees an empty queue; the own reporter sees but cannot act
    assert 'name="alert_ids"' not in Browser(app, "police").get("/alerts").text
    own = Browser(app, "xitun").get("/alerts")
    assert own.status_code == 200 and "D-XITUN-FS01" in own.text and "alert_ids" not in own.text


def test_the_alert_queues_agency_filter_offers_agency_codes(app):
    """Its options carried an undefined ``a.id`` (all empty, so choosing an agency filtered
    nothing); they carry the agency's code, and the chosen one stays selected."""
    analyst = Browser(app, "analyst")
    page = analyst.get("/alerts", agency="district-xitun").text
    assert '<option value="district-xitun" selected>' in page
    assert '<option value="" >' not in page
    assert len(alert_ids(page)) == 4
    assert len(alert_ids(analyst.get("/alerts", agency="police").text)) == 0


def test_bulk_triage_assigns_suppresses_and_escalates(app, soc):
    analyst = Browser(app, "analyst")
    ids = alert_ids(analyst.get("/alerts").text)
    mine = analyst.follow(
        analyst.post(
            "/alerts/triage", [("action", "assign_me"), *(("alert_ids", i) for i in ids[:2])]
        )
    )
    assert 'id="done"' in mine.text and "：2" in mine.text
    assert len(alert_ids(analyst.get("/alerts", assignee="analyst").text)) == 2

    no_reason = analyst.follow(
        analyst.post("/alerts/triage", {"action": "suppress", "alert_ids": ids[3]})
    )
    assert "請說明這些告警為誤判的原因" in no_reason.text
    analyst.follow(
        analyst.post(
            "/alerts/triage",
            {"action": "suppress", "alert_ids": ids[3], "reason": "IT 新進人員帳號"},
        )
    )
    assert soc.store.alerts.get(ids[3]).status_reason == "IT 新進人員帳號"

    escalated = analyst.post(
        "/alerts/triage", [("action", "escalate"), ("alert_ids", ids[0]), ("alert_ids", ids[1])]
    )
    incident_id = re.search(r"incident=(INC-[0-9A-F-]+)", escalated.headers["location"]).group(1)
    into = analyst.follow(
        analyst.post(
            "/alerts/triage",
            {"action": "escalate", "alert_ids": ids[2], "incident_id": incident_id},
        )
    )
    assert incident_id in into.text
    incident = service.get_incident(store=soc.store, actor=ADMIN, incident_id=incident_id)
    assert sorted(incident.alert_ids) == sorted(ids[:3]) and incident.alert_count == 3
    taken = analyst.follow(
        analyst.post("/alerts/triage", {"action": "suppress", "alert_ids": ids[0], "reason": "x"})
    )
    assert f"已屬於事件 {incident_id}" in taken.text
    page = analyst.get(f"/incidents/{incident_id}")
    assert page.text.count("<tr><td>") >= 3 and 'id="related-alerts"' in page.text
    # every bulk action is in the audit trail
    actions = [r.action for r in soc.store.audit.rows()]
    assert {"alerts.assign", "alerts.false_positive", "incident.open", "incident.edit"} <= set(
        actions
    )


def test_a_reporter_may_not_triage_and_forged_forms_fail(app, soc):
    ids = alert_ids(Browser(app, "analyst").get("/alerts").text)
    reporter = Browser(app, "xitun")
    refused = reporter.post("/alerts/triage", {"action": "assign_me", "alert_ids": ids[0]})
    assert refused.status_code == 403
    other = Browser(app, "police")
    assert (
        other.post("/alerts/triage", {"action": "escalate", "alert_ids": ids[0]}).status_code == 404
    )
    assert soc.store.alerts.get(ids[0]).incident_id is None
    forged = Browser(app, "analyst")
    forged.csrf = "forged"
    assert (
        forged.post("/alerts/triage", {"action": "assign_me", "alert_ids": ids[0]}).status_code
        == 403
    )
    offsite = Browser(app, "analyst").post(
        "/alerts/triage", {"action": "x", "back": "//evil.example/"}
    )
    assert offsite.headers["location"].startswith("/alerts?")


NOTIFY = {
    "info_class": "none",
    "leak": "none",
    "tamper": "none",
    "system_class": "core_non_ci",
    "availability": "within_mtd",
    "intent": "file",
    "description": "檔案伺服器遭加密",
    "response_measures": "隔離主機",
}
REPORT = {
    "scope_and_damage": "一台檔案伺服器",
    "containment_process": "隔離、還原備份",
    "investigation_process": "分析 EVTX",
    "root_cause": "弱密碼",
    "preventive_measures": "多因素驗證",
    "schedule_and_tracking": "三個月內完成，每月追蹤",
}


@pytest.fixture
def incident_id(soc):
    return open_incident(soc.store, soc.clock, title="檔案伺服器異常").id


def test_incident_lifecycle_through_the_pages(app, soc, incident_id):
    reporter, lead = Browser(app, "xitun"), Browser(app, "lead")
    page = f"/incidents/{incident_id}"
    assert 'id="contained-submit"' not in reporter.get(page).text  # not before notifying
    reporter.follow(reporter.post(f"{page}/notify", NOTIFY))
    queue = lead.get("/reviews")
    assert incident_id in queue.text and 'class="countdown"' in queue.text
    lead.follow(lead.post(f"{page}/review", {"level": "3", "note": "超過可容忍中斷時間"}))
    assert incident_id not in lead.get("/reviews").text

    shown = reporter.follow(reporter.post(f"{page}/progress", {"text": "已隔離，正在還原"}))
    assert "已隔離，正在還原" in shown.text
    assert reporter.post(f"{page}/progress", {"text": "  "}).status_code == 422
    reporter.follow(reporter.post(f"{page}/contained", {"note": "已自備份還原"}))

    partial = reporter.post(f"{page}/report", {**REPORT, "root_cause": ""})
    assert partial.status_code == 422 and "root_cause" in partial.text
    assert "多因素驗證" in partial.text  # what was typed comes back
    done = reporter.follow(reporter.post(f"{page}/report", REPORT))
    assert 'id="report-items"' in done.text and "弱密碼" in done.text
    stored = service.get_incident(store=soc.store, actor=ADMIN, incident_id=incident_id)
    assert stored.state.value == "reported" and stored.level == 3
    assert stored.comments[0].text == "已隔離，正在還原"


def test_evidence_is_checked_stored_outside_and_served_only_to_who_may_see(app, soc, incident_id):
    reporter = Browser(app, "xitun")
    page = f"/incidents/{incident_id}"
    log = b"2026-03-02 09:00 deny tcp 203.0.113.9 -> 10.1.2.3:445\n"
    shown = reporter.follow(
        reporter.post(f"{page}/evidence", {"note": "防火牆紀錄"}, files={"file": ("fw.log", log)})
    )
    assert "fw.log" in shown.text
    [record] = service.get_incident(store=soc.store, actor=ADMIN, incident_id=incident_id).evidence
    stored = soc.settings.evidence_path / incident_id / record.sha256
    assert stored.read_bytes() == log and record.kind == "text"
    for name, data, message in (
        ("page.html", b"<html><script>x</script>", "與副檔名 .html 不符"),
        ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00", "不是可接受的證據檔案類型"),
        ("big.log", b"x" * 5000, "證據檔案上限為 4,096 位元組"),
        ("fw2.log", log, "此檔案已附於事件"),
    ):
        refused = reporter.post(f"{page}/evidence", {}, files={"file": (name, data)})
        assert refused.status_code == 422 and message in refused.text, name
    download = reporter.get(f"{page}/evidence/{record.sha256}")
    assert download.status_code == 200 and download.content == log
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert Browser(app, "police").get(f"{page}/evidence/{record.sha256}").status_code == 404
    auditor = Browser(app, "auditor")
    assert auditor.get(f"{page}/evidence/{record.sha256}").status_code == 200
    refused = auditor.post(f"{page}/evidence", {}, files={"file": ("a.txt", b"a")})
    assert refused.status_code == 403


def test_dashboard_and_audit_trail_for_the_auditor(app, soc, incident_id):
    Browser(app, "xitun").post(f"/incidents/{incident_id}/notify", NOTIFY)
    auditor = Browser(app, "auditor")
    board = auditor.get("/dashboard", **{"from": "2026-01-01", "to": "2026-12-31"})
    assert board.status_code == 200
    assert re.search(r'id="incident-count">1<', board.text)
    assert board.text.count("<svg") == 3
    assert "/api/v1/reports/compliance?from=2026-01-01&amp;to=2026-12-31" in board.text
    export = auditor.get(
        "/api/v1/reports/compliance", **{"from": "2026-01-01", "to": "2026-12-31", "format": "csv"}
    )
    assert export.status_code == 200 and incident_id in export.text
    trail = auditor.get("/audit")
    assert trail.status_code == 200 and 'id="verification" class="met"' in trail.text
    one = auditor.get("/audit", subject=incident_id)
    assert "incident.notify" in one.text and "alerts.assign" not in one.text
    assert Browser(app, "xitun").get("/audit").status_code == 403
    reporter_board = Browser(app, "xitun").get("/dashboard")
    assert reporter_board.status_code == 200 and 'id="d-agency"' not in reporter_board.text


def test_pages_carry_a_script_blocking_policy(app):
    response = Browser(app, "analyst").get("/alerts")
    assert response.headers["content-security-policy"] == CSP
    assert (
        "script-src 'self'" in CSP
        and "unsafe-inline" not in CSP.split("script-src")[1].split(";")[0]
    )
    assert response.headers["x-frame-options"] == "DENY"
    clock = Browser(app, "analyst").get("/static/clock.js")
    assert clock.status_code == 200 and "countdown" in clock.text
    assert Browser(app, "analyst").get("/static/../web.py").status_code == 404


def test_the_board_pages_through_incidents_newest_first(app, soc):
    for n in range(103):
        open_incident(soc.store, soc.clock, title=f"board {n}")
    analyst = Browser(app, "analyst")
    first = analyst.get("/")
    assert first.text.count('<td><a href="/incidents/') == 100 and 'id="next"' in first.text
    second = analyst.get("/", offset=100)
    assert second.text.count('<td><a href="/incidents/') == 3 and 'id="next"' not in second.text
    assert 'class="countdown"' in second.text  # the notification clock, live


def test_an_alerts_event_shows_the_original_record_to_who_may_see_it(app):
    queue = Browser(app, "analyst").get("/alerts").text
    event_id = re.search(r'href="/events/([0-9a-f]+)"', queue).group(1)
    shown = Browser(app, "xitun").get(f"/events/{event_id}")
    assert shown.status_code == 200
    original = re.search(r'<pre class="pre" id="event-original">(.*?)</pre>', shown.text, re.S)
    assert "TargetUserName" in original.group(1)  # verbatim (escaped) JSON line
    assert "winlog.event_data.TargetUserName" in shown.text  # and its ECS fields
    assert Browser(app, "police").get(f"/events/{event_id}").status_code == 404


def test_the_audit_export_lets_an_auditor_recompute_the_chain_offline(app, soc, incident_id):
    import csv
    import io

    from core.storage.base import GENESIS_HASH, audit_hash

    Browser(app, "xitun").post(f"/incidents/{incident_id}/notify", NOTIFY)
    auditor = Browser(app, "auditor")
    assert 'id="audit-export"' in auditor.get("/audit").text
    export = auditor.get("/api/v1/audit/export")
    assert export.status_code == 200 and export.headers["content-disposition"].startswith(
        "attachment"
    )
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert len(rows) == soc.store.audit.count() > 5
    prev = GENESIS_HASH
    for row in rows:  # (headers in the page language: Chinese)
        assert row["前一筆雜湊"] == prev
        hashed = row["雜湊所含時間（UTC，原值）"]
        digest = audit_hash(prev, hashed, row["執行者"], row["動作"], row["對象"], row["內容"])
        assert digest == row["雜湊"], row["序號"]
        prev = row["雜湊"]
    one = auditor.get("/api/v1/audit/export", subject=incident_id).text
    assert incident_id in one and "alerts.assign" not in one
    assert Browser(app, "xitun").get("/api/v1/audit/export").status_code == 403


LEVEL_FORM = {k: v for k, v in NOTIFY.items() if k not in ("intent", "description")}
LEVEL_FORM = {k: v for k, v in LEVEL_FORM.items() if k != "response_measures"}
LEVEL_FORM["availability"] = "beyond_mtd"  # level 3


def forms_on(html: str) -> set[str]:
    return set(re.findall(r'<form method="post" action="([^"]+)"', html))


def test_the_page_offers_exactly_the_available_steps_to_the_end(app, soc, incident_id):
    """Change the level, forward the review, close with the report: every form the page shows
    is one of workflow.available_steps, and each step after the notification works."""
    from api.pages.incidents import STEP_FORMS
    from incidents import workflow

    reporter, lead = Browser(app, "xitun"), Browser(app, "lead")
    page = f"/incidents/{incident_id}"

    def offered(browser: Browser, username: str) -> set[str]:
        role, agency = USERS[username]
        actor = Actor(username, role, agency=agency)
        stored = service.get_incident(store=soc.store, actor=ADMIN, incident_id=incident_id)
        steps = workflow.available_steps(actor, stored)
        expected = {STEP_FORMS[s].format(incident_id=incident_id) for s in steps}
        shown = forms_on(browser.get(page).text) & {
            f.format(incident_id=incident_id) for f in STEP_FORMS.values()
        }
        assert shown == expected, username
        return shown

    assert f"{page}/level" not in offered(reporter, "xitun")  # nothing to re-notify yet
    reporter.follow(reporter.post(f"{page}/notify", NOTIFY))
    assert f"{page}/level" in offered(reporter, "xitun")
    raised = reporter.post(f"{page}/level", {**LEVEL_FORM, "reason": " "})
    assert raised.status_code == 422 and 'id="level-error"' in raised.text
    reporter.follow(reporter.post(f"{page}/level", {**LEVEL_FORM, "reason": "停機逾時"}))
    lead.follow(lead.post(f"{page}/review", {"level": "3"}))
    assert f"{page}/forward" in offered(lead, "lead")
    assert f"{page}/forward" not in offered(reporter, "xitun")  # the superior forwards
    future = lead.post(
        f"{page}/forward", {"to": "資安署", "reference": "R-1", "at": "2099-01-01T09:00"}
    )
    assert future.status_code == 422 and "R-1" in future.text  # typed values come back
    shown = lead.follow(lead.post(f"{page}/forward", {"to": "資安署", "reference": "R-1"}))
    assert 'id="forwarded"' in shown.text and "R-1" in shown.text
    reporter.follow(reporter.post(f"{page}/contained", {"note": "已還原"}))
    assert f"{page}/close" not in offered(reporter, "xitun")  # not before the report
    reporter.follow(reporter.post(f"{page}/report", REPORT))
    assert f"{page}/close" in offered(reporter, "xitun")
    reporter.follow(reporter.post(f"{page}/close", {"reason": "改善措施已排程"}))
    # an ended incident offers only reopening
    assert offered(reporter, "xitun") == offered(lead, "lead") == {f"{page}/reopen"}
    stored = service.get_incident(store=soc.store, actor=ADMIN, incident_id=incident_id)
    assert (stored.state.value, stored.level, stored.forward_reference) == ("closed", 3, "R-1")
    blank = reporter.post(f"{page}/reopen", {"reason": " "})
    assert blank.status_code == 422 and 'id="reopen-error"' in blank.text
    reopened = reporter.follow(reporter.post(f"{page}/reopen", {"reason": "復原後再次異常"}))
    assert 'data-state="reported"' in reopened.text and 'id="reopenings"' in reopened.text
    assert "復原後再次異常" in reopened.text
    assert f"{page}/close" in offered(reporter, "xitun")  # the report is still on file


def test_an_analyst_dismisses_a_false_positive_and_reopens_it_from_the_page(app, soc, incident_id):
    analyst = Browser(app, "analyst")
    page = f"/incidents/{incident_id}"
    assert f"{page}/dismiss" in forms_on(analyst.get(page).text)
    assert 'id="dismiss-error"' in analyst.post(f"{page}/dismiss", {"reason": ""}).text
    shown = analyst.follow(analyst.post(f"{page}/dismiss", {"reason": "弱掃誤報"}))
    assert 'data-state="false_positive"' in shown.text
    # no step is offered but reopening, and only to who may triage
    assert forms_on(shown.text) <= {f"{page}/share", "/logout", f"{page}/reopen"}
    assert f"{page}/reopen" in forms_on(shown.text)
    reporter = Browser(app, "xitun")
    assert f"{page}/reopen" not in forms_on(reporter.get(page).text)
    assert reporter.post(f"{page}/reopen", {"reason": "r"}).status_code == 403
    reopened = analyst.follow(analyst.post(f"{page}/reopen", {"reason": "主機再次告警"}))
    assert 'data-state="open"' in reopened.text and f"{page}/dismiss" in forms_on(reopened.text)


def test_a_suspected_case_shows_its_triage_target_and_is_confirmed_from_the_page(app, soc):
    """Escalated alerts make a suspected case: the board shows its triage target, not a
    statutory clock; the reporter confirms it on the page (a future awareness is refused,
    the typed values come back) and the notification clock starts."""
    analyst, reporter = Browser(app, "analyst"), Browser(app, "xitun")
    ids = alert_ids(analyst.get("/alerts").text)
    escalated = analyst.post("/alerts/triage", {"action": "escalate", "alert_ids": ids[0]})
    incident_id = re.search(r"incident=(INC-[0-9A-F-]+)", escalated.headers["location"]).group(1)
    board = reporter.get("/").text
    assert f'id="triage-{incident_id}"' in board
    page = f"/incidents/{incident_id}"
    shown = reporter.get(page).text
    assert 'id="suspected"' in shown and f"{page}/confirm" in forms_on(shown)
    assert f"{page}/notify" not in forms_on(shown)
    future = reporter.post(f"{page}/confirm", {"aware_at": "2099-01-01T09:00", "reason": "r"})
    assert future.status_code == 422 and 'id="confirm-error"' in future.text
    assert "2099-01-01T09:00" in future.text
    confirmed = reporter.follow(reporter.post(f"{page}/confirm", {"reason": ""}))
    assert 'data-state="open"' in confirmed.text and f"{page}/notify" in forms_on(confirmed.text)
    assert f"{page}/confirm" not in forms_on(confirmed.text)
    assert f'id="triage-{incident_id}"' not in reporter.get("/").text


def test_the_recorded_times_are_corrected_from_the_page_by_who_may_file(app, soc, incident_id):
    """The corrections form (知悉 / 發生時間 in Taipei time, a reason once notified) is offered
    to who may file the agency's notification, posts to awareness.correct_time, and the
    correction is listed with old, new and the reason."""
    reporter, auditor, police = (
        Browser(app, "xitun"),
        Browser(app, "auditor"),
        Browser(app, "police"),
    )
    page = f"/incidents/{incident_id}"
    assert f"{page}/corrections" in forms_on(reporter.get(page).text)
    assert f"{page}/corrections" not in forms_on(auditor.get(page).text)
    occurred = {"field": "occurred_at", "value": "2026-03-02T08:00", "reason": "r"}
    assert auditor.post(f"{page}/corrections", occurred).status_code == 403
    assert police.post(f"{page}/corrections", occurred).status_code == 404
    assert police.post(f"{page}/corrections", {"field": "x"}).status_code == 404
    reporter.follow(reporter.post(f"{page}/notify", NOTIFY))
    stored = service.get_incident(store=soc.store, actor=ADMIN, incident_id=incident_id)
    earlier = (stored.aware_at - timedelta(minutes=20)).astimezone(TAIPEI)
    typed = {"field": "aware_at", "value": earlier.strftime("%Y-%m-%dT%H:%M"), "reason": ""}
    silent = reporter.post(f"{page}/corrections", typed)
    assert silent.status_code == 422 and 'id="correct-error"' in silent.text
    said = labels("zh")["err_correction_reason"].format(field=labels("zh")["field_aware_at"])
    assert said in silent.text and typed["value"] in silent.text  # the page's language
    blank = reporter.post(f"{page}/corrections", {**typed, "value": ""})
    assert blank.status_code == 422 and 'id="correct-error"' in blank.text
    shown = reporter.follow(reporter.post(f"{page}/corrections", {**typed, "reason": "防火牆紀錄"}))
    assert 'id="corrections"' in shown.text and "防火牆紀錄" in shown.text
    stored = service.get_incident(store=soc.store, actor=ADMIN, incident_id=incident_id)
    assert stored.aware_at == earlier.replace(second=0, microsecond=0)
    [correction] = stored.corrections
    assert (correction.field.value, correction.reason) == ("aware_at", "防火牆紀錄")

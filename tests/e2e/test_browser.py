"""One incident from notification to the auditor's dashboard, in a real browser (Debian's
chromium driven by Playwright) against a real server on loopback: the district office
files, the SOC lead raises the level from the review queue, the analyst links alerts from
the queue, the office records recovery, evidence and the report, the auditor sees it."""

import json
import socket
import threading
import time

import pytest
import uvicorn

from api.app import create_app
from api.context import CitySoc
from collectors.records import RawRecord
from core.access import Actor, Role
from core.settings import DEFAULT_RULES, Settings
from incidents import service
from tests.conftest import REPO, require_binary
from tests.data.events import winlogbeat
from tests.factories import PASSWORD, make_user, open_incident

pytestmark = pytest.mark.browser
ARTIFACTS = REPO / "test-artifacts"
XSS = "<script>window.__pwned = 1</script>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path):
    settings = Settings(
        store=f"sqlite:///{tmp_path / 'citysoc.db'}", rule_dirs=[DEFAULT_RULES], cookie_secure=False
    )
    with CitySoc(settings) as soc:
        for username, role, agency in (
            ("xitun-contact", Role.REPORTER, "district-xitun"),
            ("soc-lead", Role.LEAD, None),
            ("soc-analyst", Role.ANALYST, None),
            ("city-auditor", Role.AUDITOR, None),
        ):
            make_user(soc, username, role, agency=agency)
        ingestor = soc.ingestor()
        for n in range(3):
            doc = winlogbeat("Security", 4720, {"TargetUserName": f"tmp{n}"})
            ingestor.submit(RawRecord("e2e", json.dumps(doc).encode(), soc.clock.now()), "jsonl")
        ingestor.flush()
        soc.process(min_severity="critical")  # alerts wait in the queue for the analyst
        incident = open_incident(soc.store, soc.clock, title=f"檔案伺服器異常 {XSS}")
        port = free_port()
        config = uvicorn.Config(
            create_app(soc, api_token="operator-token-e2e"),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
        web = uvicorn.Server(config)
        thread = threading.Thread(target=web.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not web.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}", incident.id, soc
        web.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def page():
    chromium = require_binary("chromium", "apt-get install chromium (scripts/setup does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-sync",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        context = browser.new_context(locale="zh-TW", viewport={"width": 1200, "height": 1600})
        tab = context.new_page()
        dialogs: list[str] = []
        tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        yield tab
        assert dialogs == [], f"a script ran: {dialogs}"
        browser.close()


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_url(f"{base}/")


def test_one_incident_from_notification_to_the_auditors_dashboard(server, page, tmp_path):
    base, incident_id, soc = server
    ARTIFACTS.mkdir(exist_ok=True)
    log_in(page, base, "xitun-contact")
    assert "機關通報" in page.inner_text("table")  # the board shows the notification clock
    page.click(f"text={incident_id}")
    page.select_option("#system_class", "core_non_ci")
    page.select_option("#availability", "within_mtd")
    page.click("#propose")
    assert "依填答試算之等級：2" in page.inner_text("#proposal")
    assert "核心資通系統" in page.inner_text("#proposal")
    page.fill("#description", f"共用檔案遭加密 {XSS}")
    page.fill("#response_measures", "已隔離主機")
    page.click("#file")
    page.wait_for_selector("#notifications")
    assert page.get_attribute("#state", "data-state") == "notified"
    assert page.inner_text("#state") == "已通報"  # the state by its label
    assert page.inner_text("#level").startswith("2")
    assert page.evaluate("window.__pwned") is None  # the <script> in the title is inert
    page.screenshot(path=str(ARTIFACTS / "e2e-1-notified.png"), full_page=True)
    page.click("#logout")

    # The SOC lead works from the review queue; its clock is live (clock.js, under the CSP).
    log_in(page, base, "soc-lead")
    page.click("#nav-reviews")
    page.wait_for_function(
        "document.querySelector('#reviews time.countdown').textContent.includes(':')"
    )
    page.click(f"#reviews >> text={incident_id}")
    page.select_option("#review-level", "3")
    page.fill("#review-note", "核心系統停頓時間超過可容忍中斷時間")
    page.click("#review")
    page.wait_for_selector("#notifications")
    assert page.inner_text("#level").startswith("3")
    assert "等級變更續行通報" in page.inner_text("#notifications")
    page.screenshot(path=str(ARTIFACTS / "e2e-2-reviewed.png"), full_page=True)
    page.click("#logout")

    # The analyst links the office's alerts from the queue into the incident.
    log_in(page, base, "soc-analyst")
    page.click("#nav-alerts")
    # the browser asks for zh-TW; beside its picker the page says the day in the ROC calendar
    page.fill("#f-until", "2026-12-31T18:30")
    assert page.inner_text("#f-until + .roc") == "民國115年12月31日 18:30（臺北時間）"
    page.fill("#f-host", "D-XITUN-FS01")
    page.click("#apply-filters")
    boxes = page.locator("input[name=alert_ids]")
    assert boxes.count() == 3
    page.check("#select-all")  # queue.js, allowed by the CSP as a same-origin script
    assert all(boxes.nth(n).is_checked() for n in range(3))
    page.fill("#into-incident", incident_id)
    page.click("#escalate")
    assert incident_id in page.inner_text("#done")
    page.screenshot(path=str(ARTIFACTS / "e2e-3-alerts-linked.png"), full_page=True)
    page.click(f"#done >> text={incident_id}")
    assert page.locator("#related-alerts tr").count() == 4  # header + the three alerts
    page.click("#logout")

    # The office records progress, evidence, recovery and the investigation report.
    log_in(page, base, "xitun-contact")
    page.goto(f"{base}/incidents/{incident_id}")
    page.fill("#progress-text", f"已自備份還原 {XSS}")
    page.click("#progress-submit")
    evidence = tmp_path / "防火牆紀錄.log"
    evidence.write_text("2026-03-02 09:00 deny tcp 203.0.113.9 -> 10.1.2.3:445\n")
    page.set_input_files("#evidence-file", str(evidence))
    page.fill("#evidence-note", XSS)
    page.click("#evidence-submit")
    assert "防火牆紀錄.log" in page.inner_text("#evidence-files")
    page.fill("#contained-note", "服務恢復")
    page.click("#contained-submit")
    for name, text in {
        "scope_and_damage": "一台檔案伺服器",
        "containment_process": "隔離、還原",
        "investigation_process": "分析事件紀錄",
        "root_cause": f"弱密碼 {XSS}",
        "preventive_measures": "多因素驗證",
        "schedule_and_tracking": "三個月內完成",
    }.items():
        page.fill(f"#report-{name}", text)
    page.click("#report-submit")
    page.wait_for_selector("#report-items")
    assert page.get_attribute("#state", "data-state") == "reported"
    assert page.evaluate("window.__pwned") is None
    page.screenshot(path=str(ARTIFACTS / "e2e-4-reported.png"), full_page=True)
    page.click("#logout")

    # The auditor sees it on the dashboard and the trail verifies.
    log_in(page, base, "city-auditor")
    page.click("#nav-dashboard")
    assert page.inner_text("#incident-count") == "1"
    assert page.locator("#chart-levels svg").count() == 1
    page.screenshot(path=str(ARTIFACTS / "e2e-5-dashboard.png"), full_page=True)
    page.click("#nav-audit")
    assert page.get_attribute("#verification", "class") == "met"
    assert page.locator('#audit-rows [data-action="incident.report"]').count() == 1
    assert "送出調查、處理及改善報告" in page.inner_text("#audit-rows")  # the action's label
    page.screenshot(path=str(ARTIFACTS / "e2e-6-audit.png"), full_page=True)
    stored = service.get_incident(
        store=soc.store, actor=Actor("a", Role.AUDITOR), incident_id=incident_id
    )
    assert (stored.level, stored.alert_count, len(stored.evidence)) == (3, 3, 1)
    assert stored.state.value == "reported"


def test_a_wrong_password_shows_a_message_and_no_session(server, page):
    base, _incident_id, _soc = server
    page.goto(f"{base}/login")
    page.fill("#username", "xitun-contact")
    page.fill("#password", "not the password")
    page.click("#login")
    assert "帳號或密碼錯誤" in page.inner_text("[role=alert]")
    page.goto(f"{base}/")
    assert page.url.endswith("/login")


def test_the_lead_shares_from_the_incident_page_and_sees_the_intelligence_page(server, page):
    base, incident_id, soc = server
    log_in(page, base, "soc-lead")
    page.goto(f"{base}/incidents/{incident_id}")
    page.fill("#share-iocs", f"evil-update.example\n10.20.1.5\n{XSS}")
    page.click("#share-submit")
    assert "不是 IP 位址" in page.inner_text("#share-error")  # the bad line, said plainly
    assert page.evaluate("window.__pwned") is None
    page.fill("#share-iocs", "evil-update.example\n10.20.1.5")
    page.fill("#share-summary", "聯絡人 0912-345-678 回報釣魚信")
    page.select_option("#share-tlp", "amber")
    page.click("#share-submit")
    # First the preview of exactly what will leave; nothing is published yet.
    preview = page.inner_text("#share-preview")
    assert "TLP:AMBER" in preview and "evil-update.example" in preview
    assert "0912-345-678" not in page.inner_text("#share-preview-summary")
    assert page.locator("#share-result").count() == 0
    page.screenshot(path=str(ARTIFACTS / "e2e-7-share-preview.png"), full_page=True)
    page.click("#share-confirm")
    result = page.inner_text("#share-result")
    assert "TLP:AMBER" in result and "evil-update.example" in result
    withheld = page.inner_text("#share-result .withheld")
    assert "10.20.1.5" in withheld and "本市機關的位址" in withheld  # why, in the page's language
    assert "電話號碼" in result
    page.screenshot(path=str(ARTIFACTS / "e2e-7-shared.png"), full_page=True)
    page.click("#nav-intel")
    assert "苗栗縣政府" in page.inner_text("#partners")
    page.screenshot(path=str(ARTIFACTS / "e2e-8-intel.png"), full_page=True)

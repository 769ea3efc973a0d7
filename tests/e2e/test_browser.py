"""A district office files its notification and the city SOC lead reviews it, in a real
browser (Debian's chromium driven by Playwright) against a real server on loopback."""

import socket
import threading
import time

import pytest
import uvicorn

from api.app import create_app
from api.context import CitySoc
from core import accounts
from core.access import Actor, Role
from core.settings import DEFAULT_RULES, Settings
from incidents import service
from tests.conftest import REPO, require_binary

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"
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
        admin = Actor("root-admin", Role.ADMIN)
        for username, role, agency in (
            ("xitun-contact", Role.REPORTER, "district-xitun"),
            ("soc-lead", Role.LEAD, None),
        ):
            accounts.create_user(
                store=soc.store,
                actor=admin,
                registry=soc.registry,
                username=username,
                password=PASSWORD,
                role=role,
                agency=agency,
                clock=soc.clock,
            )
        incident = service.open_incident(
            store=soc.store,
            actor=admin,
            organization_id="district-xitun",
            title=f"檔案伺服器異常 {XSS}",
            aware_at=soc.clock.now(),
            clock=soc.clock,
        )
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


def test_reporter_files_and_the_lead_raises_the_level(server, page):
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
    assert page.inner_text("#state") == "notified"
    assert page.inner_text("#level").startswith("2")
    assert page.evaluate("window.__pwned") is None  # the <script> in the title is inert
    page.screenshot(path=str(ARTIFACTS / "e2e-1-notified.png"), full_page=True)
    page.click("#logout")

    log_in(page, base, "soc-lead")
    page.goto(f"{base}/incidents/{incident_id}")
    page.select_option("#review-level", "3")
    page.fill("#review-note", "核心系統停頓時間超過可容忍中斷時間")
    page.click("#review")
    page.wait_for_selector("#notifications")
    assert page.inner_text("#level").startswith("3")
    assert "等級變更續行通報" in page.inner_text("#notifications")
    page.screenshot(path=str(ARTIFACTS / "e2e-2-reviewed.png"), full_page=True)
    stored = service.get_incident(
        store=soc.store, actor=Actor("a", Role.AUDITOR), incident_id=incident_id
    )
    assert (stored.level, stored.reviewed_at is not None) == (3, True)


def test_a_wrong_password_shows_a_message_and_no_session(server, page):
    base, _incident_id, _soc = server
    page.goto(f"{base}/login")
    page.fill("#username", "xitun-contact")
    page.fill("#password", "not the password")
    page.click("#login")
    assert "wrong username or password" in page.inner_text("[role=alert]")
    page.goto(f"{base}/")
    assert page.url.endswith("/login")


def test_the_lead_shares_from_the_incident_page_and_sees_the_intelligence_page(server, page):
    base, incident_id, soc = server
    log_in(page, base, "soc-lead")
    page.goto(f"{base}/incidents/{incident_id}")
    page.fill("#share-iocs", f"evil-update.example\n10.20.1.5\n{XSS}")
    page.click("#share-submit")
    assert "not an IP address" in page.inner_text("#share-error")  # the bad line, said plainly
    assert page.evaluate("window.__pwned") is None
    page.fill("#share-iocs", "evil-update.example\n10.20.1.5")
    page.fill("#share-summary", "聯絡人 0912-345-678 回報釣魚信")
    page.select_option("#share-tlp", "amber")
    page.click("#share-submit")
    result = page.inner_text("#share-result")
    assert "TLP:AMBER" in result and "evil-update.example" in result
    assert "10.20.1.5" in page.inner_text("#share-result .withheld")
    assert "phone number" in result
    page.screenshot(path=str(ARTIFACTS / "e2e-3-shared.png"), full_page=True)
    page.click("#nav-intel")
    assert "苗栗縣政府" in page.inner_text("#partners")
    page.screenshot(path=str(ARTIFACTS / "e2e-4-intel.png"), full_page=True)

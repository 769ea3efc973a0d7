"""Issue 15's "Done means": the whole first run, walked in a browser that asks for zh-TW.

A real `citysoc serve` process on an empty SQLite store prints its one-time code; /setup
creates the first administrator; the administrator creates a district reporter (typed
password) and an auditor (generated password, shown once) on /users; the operator then
loads the demo into the same store while the server runs (`citysoc demo --store …`: a
store holding only accounts is loaded beside, not replaced); the reporter confirms one of
the demo's suspected cases, files the notification on the form and downloads the 通報單
PDF; the auditor downloads the compliance XLSX, read back with openpyxl. Every page visited
has no English word outside the zh walker's allow-list, and no answer is JSON. Only
loopback is reached.
"""

import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from core.i18n import labels
from tests.conftest import require_binary
from tests.faults.serve import Serve
from tests.pages.test_zh_everywhere import english_words

pytestmark = pytest.mark.browser

ZH = labels("zh")
ADMIN_PASSWORD = "tidal marble pencil orchard"  # passes the strength check
REPORTER_PASSWORD = "copper lantern meadow whistle"
INCIDENT_LINK = re.compile(r'href="/incidents/(INC-[0-9]{8}-[A-Z0-9]+)"')


class Walk:
    """The browser tab, with every page it shows checked as it goes."""

    def __init__(self, page, base: str) -> None:
        self.page, self.base = page, base
        self.problems: list[str] = []
        page.on("response", self._answered)

    def _answered(self, response) -> None:
        kind = response.headers.get("content-type", "")
        if response.request.resource_type == "document" and "json" in kind:
            self.problems.append(f"{response.url}: answered JSON ({response.status})")

    def check(self) -> None:
        """The page now shown: no English a person reads."""
        self.page.wait_for_load_state()
        found = english_words(self.page.content())
        if found:
            self.problems.append(f"{self.page.url}: English {sorted(found)}")

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.check()

    def click(self, selector: str) -> None:
        self.page.click(selector)
        self.check()

    def log_in(self, username: str, password: str) -> None:
        self.goto("/login")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.page.click("#login")
        self.page.wait_for_url(f"{self.base}/")
        self.check()

    def download(self, selector: str) -> bytes:
        with self.page.expect_download() as started:
            self.page.click(selector)
        path = started.value.path()
        return Path(path).read_bytes()


def _one_time_code(log: Path) -> str:
    deadline = time.monotonic() + 30
    while "one-time code:" not in log.read_text():
        assert time.monotonic() < deadline, log.read_text()[-2000:]
        time.sleep(0.1)
    [code] = re.findall(r"one-time code: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}) ", log.read_text())
    return code


def _load_demo(folder: Path) -> None:
    """What an operator types while the server runs: the demo, into the served store."""
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "demo", "--store", f"sqlite:///{folder / 'c.db'}"],
        cwd=folder,
        env={**os.environ, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "loading the demo beside them" in done.stdout


def test_the_whole_first_run_in_chinese(tmp_path: Path):
    chromium = require_binary("chromium", "apt-get install chromium (scripts/setup does this)")
    from openpyxl import load_workbook
    from playwright.sync_api import sync_playwright

    server = Serve(tmp_path)
    server.start()
    refused: list[str] = []

    def only_loopback(route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    try:
        code = _one_time_code(tmp_path / "serve.log")
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            context = browser.new_context(
                locale="zh-TW",
                extra_http_headers={"Accept-Language": "zh-TW,zh;q=0.9"},
                accept_downloads=True,
            )
            context.route("**/*", only_loopback)
            walk = Walk(context.new_page(), f"http://127.0.0.1:{server.api}")
            page = walk.page

            # Empty store: / leads to the first run, which makes the administrator.
            walk.goto("/")
            assert page.url == f"{walk.base}/setup"
            page.fill("#code", code)
            page.fill("#username", "root")
            page.fill("#display_name", "王大明")
            page.fill("#password", ADMIN_PASSWORD)
            page.fill("#password_again", ADMIN_PASSWORD)
            walk.click("#create-admin")
            assert page.url == f"{walk.base}/login?welcome=1"

            # The administrator makes the district reporter and an auditor on /users.
            walk.log_in("root", ADMIN_PASSWORD)
            walk.click("#nav-users")
            page.fill("#u-username", "xitun-lin")
            page.fill("#u-display-name", "林小明")
            page.select_option("#u-role", "reporter")
            page.select_option("#u-agency", "district-xitun")
            page.fill("#u-email", "lin@xitun.taichung.gov.tw")
            page.fill("#u-phone", "04-2251-3131#21")
            page.fill("#u-password", REPORTER_PASSWORD)
            page.fill("#u-password-again", REPORTER_PASSWORD)
            walk.click("#u-create")
            assert page.locator("#users-notice").count() == 1, page.content()[-1500:]
            page.fill("#u-username", "audit-chen")
            page.fill("#u-display-name", "陳稽核")
            page.select_option("#u-role", "auditor")
            walk.click("#u-create")  # no password typed: one is generated, shown once
            auditor_password = page.inner_text("#generated-password").strip()
            assert page.locator("#user-xitun-lin").count() == 1
            walk.click("#logout")

            # Demo data, loaded into the served store beside these accounts.
            _load_demo(tmp_path)

            # The reporter confirms a suspected case of the district, files, downloads.
            walk.log_in("xitun-lin", REPORTER_PASSWORD)
            suspected = None
            for incident_id in dict.fromkeys(INCIDENT_LINK.findall(page.content())):
                walk.goto(f"/incidents/{incident_id}")
                if page.locator("#confirm-submit").count():
                    suspected = incident_id
                    break
            assert suspected, "the demo left the district no suspected case to confirm"
            walk.click("#confirm-submit")
            page.wait_for_selector("#propose")
            page.select_option("#system_class", "core_non_ci")
            page.select_option("#availability", "within_mtd")
            walk.click("#propose")
            page.select_option("#category", "intrusion")
            page.fill("#description", "區公所伺服器出現可疑之系統管理帳號建立與登入")
            page.fill("#response_measures", "已停用可疑帳號並隔離主機")
            walk.click("#file")
            page.wait_for_selector("#notifications")
            pdf = walk.download("#document-list tr.document >> nth=0 >> a[download]")
            assert pdf.startswith(b"%PDF"), pdf[:100]
            walk.click("#logout")

            # The auditor downloads the compliance report as XLSX: Chinese headers.
            walk.log_in("audit-chen", auditor_password)
            walk.click("#nav-dashboard")
            xlsx = walk.download("#export-xlsx")
            book = load_workbook(io.BytesIO(xlsx))
            headers = [
                str(cell.value)
                for sheet in book.worksheets
                for cell in sheet[1]
                if cell.value is not None
            ]
            assert headers and all(re.search(r"[\u4e00-\u9fff]", h) for h in headers), headers
            browser.close()
    finally:
        server.stop()
    assert refused == []
    assert not walk.problems, "\n".join(walk.problems)

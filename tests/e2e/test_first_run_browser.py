"""The first run in a real browser, as after `make run`: plain http on 127.0.0.1 with the
default settings (Secure cookies, which chromium keeps for loopback), an empty store. The
visitor is led from / to /setup, creates the first administrator with the console's code,
and logs in with it; nothing is fetched from beyond loopback."""

from urllib.parse import urlsplit

import pytest

from api.app import create_app
from api.server import uvicorn_config
from core.first_run import FirstRunCode
from core.i18n import labels
from core.settings import Settings
from tests.conftest import _free_port, require_binary
from tests.factories import PASSWORD
from tests.live_server import running

pytestmark = pytest.mark.browser


def test_a_new_operator_creates_the_first_administrator_and_logs_in(soc):
    chromium = require_binary("chromium", "apt-get install chromium (scripts/setup does this)")
    from playwright.sync_api import sync_playwright

    soc.settings = Settings(store=soc.settings.store, api_port=_free_port())  # cookie_secure
    code = FirstRunCode.issue(soc.clock)
    app = create_app(soc, api_token="operator-token-first-run", first_run=code)
    config = uvicorn_config(app, soc.settings)
    config.log_level = "warning"
    zh = labels("zh")
    refused: list[str] = []

    def only_loopback(route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    with running(config) as base, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_context(locale="zh-TW").new_page()
        page.route("**/*", only_loopback)
        page.goto(f"{base}/")
        assert page.url == f"{base}/setup"
        assert zh["first_run_title"] in page.inner_text("h1")
        page.fill("#code", "0000-0000-0000")
        page.fill("#username", "root")
        page.fill("#password", PASSWORD)
        page.fill("#password_again", PASSWORD)
        page.click("#create-admin")
        assert zh["err_first_run_wrong"] in page.inner_text("[role=alert]")
        assert page.input_value("#username") == "root"  # kept; the passwords are not
        page.fill("#code", code.shown())
        page.fill("#display_name", "王小明")
        page.fill("#password", PASSWORD)
        page.fill("#password_again", PASSWORD)
        page.click("#create-admin")
        assert page.url == f"{base}/login?welcome=1"
        assert zh["login_first_admin_created"] in page.inner_text("#welcome")
        assert zh["login_accounts"] in page.inner_text("#accounts-hint")
        page.fill("#username", "root")
        page.fill("#password", PASSWORD)
        page.click("#login")
        assert page.url == f"{base}/"
        page.goto(f"{base}/setup")
        assert page.url == f"{base}/login"  # the first run is over
        browser.close()
    assert refused == []

"""The API docs (Swagger UI) in a real browser, with nothing fetched from beyond loopback:
its script and styles come from a pinned package on this server, under the same strict
content security policy as every page, and it still renders the operations."""

from urllib.parse import urlsplit

import pytest

from api.app import create_app
from api.headers import CSP
from api.server import uvicorn_config
from core.settings import Settings
from tests.conftest import _free_port, require_binary
from tests.live_server import running

pytestmark = pytest.mark.browser


@pytest.fixture
def base(soc):
    soc.settings = Settings(store=soc.settings.store, api_port=_free_port())
    config = uvicorn_config(create_app(soc, api_token="operator-token-docs"), soc.settings)
    config.log_level = "warning"
    with running(config) as url:
        yield url


def test_the_docs_render_from_this_server_alone(base):
    chromium = require_binary("chromium", "apt-get install chromium (scripts/setup does this)")
    from playwright.sync_api import sync_playwright

    requested: list[str] = []
    refused: list[str] = []
    problems: list[str] = []

    def only_loopback(route) -> None:
        url = route.request.url
        requested.append(url)
        if urlsplit(url).hostname in ("127.0.0.1", "localhost") or url.startswith("data:"):
            route.continue_()
        else:
            refused.append(url)
            route.abort()  # nothing may leave loopback

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.route("**/*", only_loopback)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        response = page.goto(f"{base}/api/docs")
        assert response is not None and response.status == 200
        assert response.headers["content-security-policy"] == CSP
        page.wait_for_selector(".opblock", timeout=30_000)
        operations = page.locator(".opblock").count()
        title = page.inner_text(".title")
        browser.close()
    assert refused == [], f"requests beyond loopback: {refused}"
    assert problems == [], f"console errors (a CSP refusal shows here): {problems}"
    assert operations >= 30 and "CitySOC" in title
    assert all(urlsplit(u).hostname == "127.0.0.1" for u in requested)


def test_no_file_of_the_project_loads_anything_from_a_cdn():
    """The docs page, the pages and the reports name no CDN: everything is served from here."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    hosts = ("jsdelivr", "unpkg.com", "cdnjs", "googleapis.com", "bootstrapcdn")
    found = [
        f"{path.relative_to(root)}: {host}"
        for folder in ("api", "core", "collectors", "detections", "incidents", "reports")
        for path in (root / folder).rglob("*")
        if path.is_file() and path.suffix in {".py", ".j2", ".js", ".css", ".html"}
        for host in hosts
        if host in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert found == []

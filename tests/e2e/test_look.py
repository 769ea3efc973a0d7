"""A look people trust (issue 15 item 5), in Debian's chromium against one live server: every
main page, as the role that sees it, passes axe-core (WCAG 2.1 AA: contrast, labels,
landmarks) without serious or critical violations, fits a 390 px phone without the page
scrolling sideways (wide tables scroll inside their wrapper), and is photographed at 1280 px
and 390 px under test-artifacts/ (git-ignored). Keyboard users reach and use the login and a
form by Tab alone, seeing where they are. The stylesheet itself is checked without a browser."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from api.app import create_app
from api.context import CitySoc
from collectors.records import RawRecord
from core.access import Role
from core.settings import DEFAULT_RULES, Settings
from incidents import notification
from incidents.levels import Availability, LevelAnswers, SystemClass
from tests.conftest import require_binary
from tests.data.events import winlogbeat
from tests.e2e.test_browser import ARTIFACTS, free_port
from tests.factories import PASSWORD, XITUN, logged_in, make_user, open_incident
from tests.live_server import running

PHONE, DESK = 390, 1280
USERS = {
    "xitun-contact": (Role.REPORTER, "district-xitun"),
    "soc-analyst": (Role.ANALYST, None),
    "soc-lead": (Role.LEAD, None),
    "city-auditor": (Role.AUDITOR, None),
}
# name, who sees it (None: nobody signed in), path ({incident} and {event} are filled in).
PAGES = [
    ("login", None, "/login"),
    ("board", "xitun-contact", "/"),
    ("incident", "xitun-contact", "/incidents/{incident}"),
    ("alerts", "soc-analyst", "/alerts"),
    ("event", "soc-analyst", "/events/{event}"),
    ("reviews", "soc-lead", "/reviews"),
    ("review", "soc-lead", "/incidents/{notified}"),
    ("dashboard", "city-auditor", "/dashboard"),
    ("audit", "city-auditor", "/audit"),
    ("intel", "city-auditor", "/intel"),
    ("users", "city-auditor", "/users"),
    ("messages", "soc-lead", "/messages"),
    ("profile", "xitun-contact", "/profile"),
    ("trends", "soc-analyst", "/trends"),  # issue 16 item 5
    # rule management (issue 16 item 2)
    ("rules", "soc-lead", "/rules"),
    ("rule", "soc-lead", "/rules/16728b4d-9edc-5348-8e53-1b9b8cb7b78c"),
    ("rules-new", "soc-lead", "/rules/new"),
    ("rules-noisy", "soc-analyst", "/rules/noisy"),
    # source health and the ATT&CK view (issue 16 items 3-4)
    ("sources", "soc-analyst", "/sources"),
    ("attack", "soc-analyst", "/attack?from=2026-03-01&to=2026-03-31"),
    ("dead-letters", "soc-analyst", "/dead-letters"),  # operations pages (issue 16 item 7)
    ("assets", "xitun-contact", "/assets"),
    ("drills", "xitun-contact", "/drills"),
    # event search (issue 16 item 1): results, top values, the Sigma draft
    (
        "search",
        "soc-analyst",
        "/search?q=winlog.event_id:*&from=2026-03-01T00:00&to=2026-03-03T00:00",
    ),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple[str, dict[str, str]]]:
    """One served store for every page: alerts waiting in the queue, an incident the district
    office has still to notify, another waiting for the SOC lead's review."""
    tmp = tmp_path_factory.mktemp("look")
    settings = Settings(
        store=f"sqlite:///{tmp / 'citysoc.db'}", rule_dirs=[DEFAULT_RULES], cookie_secure=False
    )
    with CitySoc(settings) as soc:
        for username, (role, agency) in USERS.items():
            make_user(soc, username, role, agency=agency)
        ingestor = soc.ingestor()
        for n in range(3):
            doc = winlogbeat("Security", 4720, {"TargetUserName": f"tmp{n}"})
            ingestor.submit(RawRecord("look", json.dumps(doc).encode(), soc.clock.now()), "jsonl")
        ingestor.flush()
        soc.process(min_severity="critical")
        to_notify = open_incident(soc.store, soc.clock, title="檔案伺服器異常登入")
        to_review = open_incident(soc.store, soc.clock, title="公文系統遭植入網頁後門")
        notification.file_notification(
            store=soc.store,
            actor=XITUN,
            incident_id=to_review.id,
            answers=LevelAnswers(
                system_class=SystemClass.CORE_NON_CI, availability=Availability.WITHIN_MTD
            ),
            description="網頁目錄出現不明檔案",
            response_measures="已下線隔離",
            outside_support_needed=False,
            clock=soc.clock,
        )
        app = create_app(soc, api_token="operator-token-look")
        client, _ = logged_in(app, "soc-analyst")
        event_id = client.get("/api/v1/alerts").json()["items"][0]["event"]["event_id"]
        config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
        with running(config) as base:
            yield base, {"incident": to_notify.id, "notified": to_review.id, "event": event_id}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = require_binary("chromium", "apt-get install chromium (scripts/setup does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def tabs(site, browser) -> Iterator[dict[str | None, Any]]:
    """A tab per person, signed in through the login form, asking for zh-TW."""
    base, _ = site
    opened: dict[str | None, Any] = {}
    for who in [None, *USERS]:
        context = browser.new_context(locale="zh-TW", viewport={"width": DESK, "height": 900})
        tab = context.new_page()
        if who is not None:
            tab.goto(f"{base}/login")
            tab.fill("#username", who)
            tab.fill("#password", PASSWORD)
            tab.click("#login")
            tab.wait_for_url(f"{base}/")
        opened[who] = tab
    yield opened
    for tab in opened.values():
        tab.context.close()


# What sticks out of a phone's screen, outside the wrappers meant to scroll (for the message).
WIDE = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().left + e.scrollWidth > innerWidth + 2
    && !(e.parentElement && e.parentElement.closest('.table-wrap')))
  .slice(-8).map(e => `${e.tagName}#${e.id}.${e.className} ${e.scrollWidth}`)"""


def serious(tab: Any) -> list[str]:
    """axe-core's serious and critical WCAG A/AA findings on the page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    options = {
        "resultTypes": ["violations"],
        "runOnly": {
            "type": "tag",
            "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
        },
    }
    found = Axe().run(tab, options=options).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.browser
@pytest.mark.parametrize(("name", "who", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_the_page_passes_axe_fits_a_phone_and_is_photographed(site, tabs, name, who, path):
    base, ids = site
    tab = tabs[who]
    tab.set_viewport_size({"width": DESK, "height": 900})
    response = tab.goto(base + path.format(**ids))
    assert response is not None and response.status == 200, (
        f"{name}: {response and response.status}"
    )
    assert tab.get_attribute("html", "lang") == "zh-Hant-TW"
    assert tab.locator('link[rel="stylesheet"][href="/static/citysoc.css"]').count() == 1
    assert serious(tab) == [], name
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"look-{name}-{DESK}.png"), full_page=True)

    tab.set_viewport_size({"width": PHONE, "height": 844})
    tab.wait_for_function(f"innerWidth === {PHONE}")  # the resize lands before it is measured
    # Only the page's own width counts: a wide table scrolls inside its wrapper.
    width = tab.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE + 2, f"{name} is {width} px wide on a phone: {tab.evaluate(WIDE)}"
    tab.screenshot(path=str(ARTIFACTS / f"look-{name}-{PHONE}.png"), full_page=True)


@pytest.mark.browser
def test_the_main_actions_come_first(site, tabs):
    """The reporter's notification form stands above the incident's tables and other forms;
    the analyst's bulk triage above the queue it acts on (in the page and in Tab order)."""
    base, ids = site

    def top(tab: Any, selector: str) -> float:
        box = tab.locator(selector).first.bounding_box()
        assert box is not None, selector
        return float(box["y"])

    reporter = tabs["xitun-contact"]
    reporter.set_viewport_size({"width": DESK, "height": 900})
    reporter.goto(f"{base}/incidents/{ids['incident']}")
    for later in ("#related", "#progress-text", "#evidence-file"):
        assert top(reporter, "#file") < top(reporter, later), later
    analyst = tabs["soc-analyst"]
    analyst.set_viewport_size({"width": DESK, "height": 900})
    analyst.goto(f"{base}/alerts")
    assert top(analyst, "#assign-me") < top(analyst, "#alerts")


@pytest.mark.browser
def test_a_list_keeps_its_header_in_view_and_a_record_table_does_not(site, tabs):
    base, ids = site
    position = "getComputedStyle(document.querySelector(%r)).position"
    analyst = tabs["soc-analyst"]
    analyst.set_viewport_size({"width": DESK, "height": 900})
    analyst.goto(f"{base}/alerts")
    assert analyst.evaluate(position % "#alerts th") == "sticky"
    analyst.goto(f"{base}/events/{ids['event']}")
    assert analyst.evaluate(position % "#event-summary th") == "static"


def focused(tab: Any) -> str:
    return str(tab.evaluate("document.activeElement.id || document.activeElement.className"))


def tab_to(tab: Any, target: str, limit: int = 40) -> None:
    """Press Tab until ``target`` (an id) has the focus, and check the focus is drawn."""
    for _ in range(limit):
        tab.keyboard.press("Tab")
        if focused(tab) == target:
            outline = tab.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"#{target} shows no focus ring"
            return
    raise AssertionError(f"Tab never reached #{target}")


@pytest.mark.browser
def test_a_keyboard_alone_signs_in_and_filters_the_alerts(site, browser):
    base, _ = site
    context = browser.new_context(locale="zh-TW", viewport={"width": DESK, "height": 900})
    tab = context.new_page()
    try:
        tab.goto(f"{base}/login")
        tab.keyboard.press("Tab")
        assert focused(tab) == "skip"  # the first stop skips the header
        tab.keyboard.press("Enter")
        assert tab.evaluate("document.activeElement.id") == "main"
        tab_to(tab, "username")
        tab.keyboard.type("soc-analyst")
        tab_to(tab, "password")
        tab.keyboard.type(PASSWORD)
        tab_to(tab, "login")
        tab.keyboard.press("Enter")
        tab.wait_for_url(f"{base}/")

        tab.goto(f"{base}/alerts")
        tab_to(tab, "f-host")
        tab.keyboard.type("NO-SUCH-HOST")
        tab_to(tab, "apply-filters")
        tab.keyboard.press("Enter")
        tab.wait_for_url("**host=NO-SUCH-HOST**")
    finally:
        context.close()


def test_the_stylesheet_is_served_from_the_project_and_pages_carry_no_inline_style(soc):
    make_user(soc, "xitun-contact", Role.REPORTER, agency="district-xitun")
    client, _ = logged_in(create_app(soc, api_token="operator-token-look"), "xitun-contact")
    sheet = client.get("/static/citysoc.css")
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in sheet.text and "@import" not in sheet.text  # nothing fetched
    board = client.get("/").text
    assert '<link rel="stylesheet" href="/static/citysoc.css">' in board
    assert "<style" not in board and 'class="skip" href="#main"' in board

"""The whole life of an incident through the pages only (issue 14 item 7), in Debian's
chromium against a real server on loopback: the demo's agency logs become suspected cases;
the SOC analyst dismisses one; the district office's reporter confirms another and files the
notification; the SOC lead reviews it from the review queue and forwards the result; the
reporter records recovery and the investigation report and closes it; the auditor's
dashboard and its JSON export show every clock met, none overdue, one case dismissed.

States are checked in the store, not in the page's words (those follow the language)."""

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import uvicorn

from api.app import create_app
from api.cli.demo_inputs import write_demo_inputs
from api.context import CitySoc, local_operator
from collectors.files import expand_paths, ingest_paths
from core.access import Role
from core.clock import TAIPEI
from core.settings import DEFAULT_RULES, Settings
from incidents import service
from incidents.models import Incident, IncidentState
from tests.e2e.test_browser import free_port, log_in, page  # noqa: F401 - page is a fixture
from tests.factories import make_user
from tests.live_server import running

pytestmark = pytest.mark.browser


@pytest.fixture
def city(tmp_path) -> Iterator[tuple[str, CitySoc, Incident, Incident]]:
    """A served store holding the demo's suspected cases; yields the base URL, the soc, the
    case to carry through its life and the case to dismiss."""
    settings = Settings(
        store=f"sqlite:///{tmp_path / 'citysoc.db'}", rule_dirs=[DEFAULT_RULES], cookie_secure=False
    )
    with CitySoc(settings) as soc:
        for username, role, agency in (
            ("xitun-contact", Role.REPORTER, "district-xitun"),
            ("soc-analyst", Role.ANALYST, None),
            ("soc-lead", Role.LEAD, None),
            ("city-auditor", Role.AUDITOR, None),
        ):
            make_user(soc, username, role, agency=agency)
        files = write_demo_inputs(tmp_path / "logs", now=soc.clock.now())
        ingest_paths(expand_paths(files.all()), soc.ingestor())
        soc.process()  # high and critical groups become suspected cases
        cases = service.list_incidents(store=soc.store, actor=local_operator())
        [life] = [i for i in cases if i.title.startswith("Windows Security Event Log Cleared")]
        [school] = [i for i in cases if "EDUCATION-PC12" in i.affected_assets]
        config = uvicorn.Config(
            create_app(soc, api_token="operator-token-e2e"),
            host="127.0.0.1",
            port=free_port(),
            log_level="warning",
        )
        with running(config) as base:
            yield base, soc, life, school


def state(soc: CitySoc, incident: Incident) -> IncidentState:
    return service.get_incident(
        store=soc.store, actor=local_operator(), incident_id=incident.id
    ).state


def test_an_incident_from_suspicion_to_closure_through_the_pages(city, page):  # noqa: F811
    base, soc, life, school = city
    today = datetime.now(TAIPEI).date()

    # The SOC analyst dismisses the school's case: a teacher's approved remote lesson.
    log_in(page, base, "soc-analyst")
    page.click(f"text={school.id}")
    page.fill("#dismiss-reason", "教師經核准之遠端教學連線，非資安事件")
    page.click("#dismiss-submit")
    page.wait_for_load_state()
    assert state(soc, school) is IncidentState.FALSE_POSITIVE
    assert page.locator("#dismiss-submit, #confirm-submit").count() == 0
    page.click("#logout")

    # The district office's reporter confirms its case (知悉) and files the notification.
    log_in(page, base, "xitun-contact")
    page.click(f"text={life.id}")
    assert page.locator("#file").count() == 0  # no notification before a person confirms
    page.click("#confirm-submit")
    page.wait_for_selector("#propose")
    assert state(soc, life) is IncidentState.OPEN
    page.select_option("#system_class", "core_non_ci")
    page.select_option("#availability", "within_mtd")
    page.click("#propose")
    page.fill("#description", "檔案伺服器遭執行編碼 PowerShell 並清除安全性日誌")
    page.fill("#response_measures", "已隔離主機，停用可疑帳號")
    page.click("#file")
    page.wait_for_selector("#notifications")
    assert state(soc, life) is IncidentState.NOTIFIED
    page.click("#logout")

    # The SOC lead, as the superior agency, reviews from the queue and forwards the result.
    log_in(page, base, "soc-lead")
    page.click("#nav-reviews")
    page.click(f"#reviews >> text={life.id}")
    page.fill("#review-note", "等級判定無誤")
    page.click("#review")
    page.wait_for_selector("#forward-submit")
    assert state(soc, life) is IncidentState.REVIEWED
    page.fill("#forward-to", "數位發展部資通安全署")
    page.fill("#forward-reference", "TW-2026-0042")
    page.click("#forward-submit")
    page.wait_for_selector("#forwarded")
    assert "TW-2026-0042" in page.inner_text("#forwarded")
    page.click("#logout")

    # The reporter records recovery and the investigation report, then closes the incident.
    log_in(page, base, "xitun-contact")
    page.goto(f"{base}/incidents/{life.id}")
    assert page.locator("#close-submit").count() == 0  # not without the report
    page.fill("#contained-note", "服務恢復")
    page.click("#contained-submit")
    page.wait_for_selector("#report-submit")
    for name, text in {
        "scope_and_damage": "一台檔案伺服器",
        "containment_process": "隔離、還原",
        "investigation_process": "分析事件紀錄",
        "root_cause": "服務帳號弱密碼",
        "preventive_measures": "多因素驗證",
        "schedule_and_tracking": "一個月內完成",
    }.items():
        page.fill(f"#report-{name}", text)
    page.click("#report-submit")
    page.wait_for_selector("#report-items")
    page.fill("#close-reason", "改善措施已排定追蹤")
    page.click("#close-submit")
    page.wait_for_load_state()
    assert state(soc, life) is IncidentState.CLOSED
    steps = "#contained-submit, #report-submit, #close-submit, #progress-submit, #dismiss-submit"
    assert page.locator(steps).count() == 0  # nothing left to do
    page.click("#logout")

    # The auditor's dashboard for the period, and its JSON export.
    log_in(page, base, "city-auditor")
    page.goto(f"{base}/dashboard?from={today - timedelta(days=1)}&to={today}")
    assert page.inner_text("#incident-count") == "1"
    assert page.inner_text("#dismissed-suspected") == "1"
    assert page.inner_text("#overdue-count") == "0"
    exported = page.request.get(base + (page.get_attribute("#export-json", "href") or ""))
    report = json.loads(exported.text())
    assert report["incidents"] == 1 and report["dismissed_suspected"] == 1
    assert [row["status"] for row in report["rows"]] == ["met"] * 5
    assert report["open_overdue"] == []

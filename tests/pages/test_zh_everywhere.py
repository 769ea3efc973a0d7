"""Chinese everywhere: every page (and every HTML document) a person sees in zh, as each
role, over incidents in every state, has no English word outside the allow-list (product
names, codes, units); refused forms and error pages included, and none of them is JSON.

To cover a new page, add its path to ``PAGES`` (or a refused form to ``REFUSALS``); a new
product name or code goes to ``ALLOWED``. Text a person typed or a machine wrote (incident
titles, host names, raw records) is data, not wording: templates mark it ``translate="no"``
(or put it in ``<code>``/``<pre>``), and the walker skips it, as a translator would.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.sessions import LANG_COOKIE
from collectors.records import RawRecord
from core.access import Role
from core.settings import Settings
from incidents import awareness, closing, notification, service
from incidents.levels import Availability, LevelAnswers, SystemClass
from incidents.models import IncidentState, InvestigationReport
from reports.documents import DocumentKind
from tests.data.events import winlogbeat
from tests.factories import ADMIN, logged_in, make_user, open_incident

USERS = {  # username: (role, agency); one per role a person can hold
    "xitun": (Role.REPORTER, "district-xitun"),
    "analyst": (Role.ANALYST, None),
    "lead": (Role.LEAD, None),
    "auditor": (Role.AUDITOR, None),
    "admin": (Role.ADMIN, None),
}

# Words that stay as they are in a Chinese page: product and standard names, units, codes.
ALLOWED = frozenset(
    {
        "CitySOC",
        "STIX",
        "TAXII",
        "TLP",
        "IoC",
        "IP",
        "URL",
        "ECS",
        "MB",
        "KB",
        "CSV",
        "XLSX",
        "PDF",
        "HTML",
        "HMAC-SHA256",
        "SHA-256",
        "UTC",
        "UTC+8",
        "JSON",
        "API",
        "SVG",
        "English",  # the language switch names the other language in itself
        "CLEAR",
        "GREEN",
        "AMBER",
        "AMBER+STRICT",
        "RED",
    }
)
# Codes rather than words: ids, hashes, host names, ISO times.
CODES = re.compile(
    r"INC-[0-9]{8}-[A-Z0-9]+"
    r"|[0-9a-f]{12,}"
    r"|[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+"  # host names such as D-XITUN-FS01
    r"|\d{4}-\d\d-\d\dT[\d:.+Z-]*"
    r"|(?<![\w.])\.[a-z0-9]+\b"  # file name extensions such as .pcapng
)
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_+'.-]*[A-Za-z0-9+]|[A-Za-z]")
SKIPPED = {"script", "style", "code", "pre"}  # machine text, never translated
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


class _Words(HTMLParser):
    """The text a visitor reads (and the attributes shown as tooltips), without the parts
    a translator would leave alone (scripts, code, ``translate="no"``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[bool] = []  # per open element: is its content skipped?
        self.text: list[str] = []

    def _skipping(self) -> bool:
        return bool(self.open) and self.open[-1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        skip = self._skipping() or tag in SKIPPED or found.get("translate") == "no"
        if not skip:
            self.text.extend(v or "" for k, v in attrs if k in SHOWN_ATTRIBUTES)
            if tag == "input" and found.get("type") in ("submit", "button"):
                self.text.append(found.get("value") or "")
        if tag not in VOID:
            self.open.append(skip)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.open:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping():
            self.text.append(data)


def english_words(html: str) -> set[str]:
    """The ASCII words of ``html`` a person reads that are neither allowed nor codes."""
    parser = _Words()
    parser.feed(html)
    text = CODES.sub(" ", " ".join(parser.text))
    return {w for w in WORD.findall(text) if w not in ALLOWED}


def test_the_walker_finds_english_and_skips_code():
    page = (
        '<p title="Hint">狀態：open <code>rule_id</code> <span translate="no">D-X title</span>'
        "INC-20260302-ABCDEF <b>CitySOC</b><br>notified</p><script>var x</script>"
    )
    assert english_words(page) == {"Hint", "open", "notified"}


@dataclass(frozen=True, slots=True)
class World:
    app: object
    incidents: dict[IncidentState, str]  # one incident in each state
    event_id: str


REPORT = InvestigationReport(
    scope_and_damage="檔案伺服器一台",
    containment_process="隔離並重建",
    investigation_process="鑑識映像分析",
    root_cause="弱密碼",
    preventive_measures="多因子驗證",
    schedule_and_tracking="每月追蹤",
)


def _incidents(soc) -> dict[IncidentState, str]:
    """One incident per state, each taken there through the services as people would."""
    store, clock = soc.store, soc.clock
    xitun = USERS_ACTORS["xitun"]
    lead = USERS_ACTORS["lead"]
    made: dict[IncidentState, str] = {}

    def new(title: str, *, suspected: bool = False) -> str:
        if suspected:
            return service.open_incident(
                store=store,
                actor=ADMIN,
                organization_id="district-xitun",
                title=title,
                aware_at=None,
                clock=clock,
            ).id
        return open_incident(store, clock, actor=xitun, title=title).id

    def file(incident_id: str) -> None:
        notification.file_notification(
            store=store,
            actor=xitun,
            incident_id=incident_id,
            clock=clock,
            answers=LevelAnswers(
                system_class=SystemClass.CORE_NON_CI, availability=Availability.WITHIN_MTD
            ),
            description="共用資料夾遭加密",
            response_measures="隔離主機",
            outside_support_needed=False,
            other_matters="無",
        )

    def review(incident_id: str) -> None:
        notification.review_level(
            store=store, actor=lead, incident_id=incident_id, level=3, note="核心系統", clock=clock
        )
        notification.record_forwarded(
            store=store,
            actor=lead,
            incident_id=incident_id,
            to="數位發展部",
            reference="A-1",
            clock=clock,
        )

    made[IncidentState.SUSPECTED] = new("疑似暴力破解", suspected=True)
    dismissed = new("誤判之疑似事件", suspected=True)
    closing.dismiss(store=store, actor=ADMIN, incident_id=dismissed, reason="測試帳號", clock=clock)
    made[IncidentState.FALSE_POSITIVE] = dismissed
    confirmed = new("已確認之暴力破解", suspected=True)
    clock.advance(timedelta(minutes=5))
    awareness.confirm(store=store, actor=ADMIN, incident_id=confirmed, clock=clock)
    made[IncidentState.OPEN] = confirmed
    for state in (
        IncidentState.NOTIFIED,
        IncidentState.REVIEWED,
        IncidentState.CONTAINED,
        IncidentState.REPORTED,
        IncidentState.CLOSED,
    ):
        incident_id = new(f"勒索軟體事件（{len(made)}）")
        made[state] = incident_id
        clock.advance(timedelta(minutes=10))
        file(incident_id)
        if state == IncidentState.NOTIFIED:
            continue
        clock.advance(timedelta(minutes=10))
        review(incident_id)
        if state == IncidentState.REVIEWED:
            continue
        clock.advance(timedelta(hours=2))
        closing.mark_contained(store=store, actor=xitun, incident_id=incident_id, clock=clock)
        if state == IncidentState.CONTAINED:
            continue
        closing.submit_report(
            store=store, actor=xitun, incident_id=incident_id, report=REPORT, clock=clock
        )
        if state == IncidentState.CLOSED:
            closing.close_incident(
                store=store, actor=ADMIN, incident_id=incident_id, reason="已改善", clock=clock
            )
    return made


USERS_ACTORS = {}  # filled by the fixture: username -> Actor


@pytest.fixture
def world(soc) -> World:
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    for username, (role, agency) in USERS.items():
        USERS_ACTORS[username] = make_user(soc, username, role, agency=agency).actor()
    ingestor = soc.ingestor()
    for n, host in enumerate(["D-XITUN-FS01", "D-XITUN-PC07"]):
        doc = winlogbeat("Security", 4720, {"TargetUserName": f"u{n}"}, host=host)
        ingestor.submit(RawRecord("t", json.dumps(doc).encode(), soc.clock.now()), "jsonl")
    ingestor.flush()
    soc.process(min_severity="critical")  # alerts that wait in the queue
    alert = soc.store.alerts.list(limit=1)[0]
    incidents = _incidents(soc)
    service.attach_alerts(
        store=soc.store,
        actor=ADMIN,
        incident_id=incidents[IncidentState.NOTIFIED],
        alert_ids=[alert.id],
        group_keys=[],
        clock=soc.clock,
    )
    return World(create_app(soc, api_token="t-zh"), incidents, alert.event.event_id)


def pages(world: World) -> Iterator[str]:
    """Every page a person can open, in one list (add new pages here)."""
    yield from ("/", "/alerts", "/reviews", "/dashboard", "/audit", "/intel")
    yield f"/events/{world.event_id}"
    for incident_id in world.incidents.values():
        yield f"/incidents/{incident_id}"
    yield "/incidents/INC-20260302-NOSUCH"  # not found
    yield "/no-such-page"


def documents(world: World) -> Iterator[str]:
    """The statutory documents, as HTML, for every incident that has them."""
    for incident_id in world.incidents.values():
        for kind in DocumentKind:
            yield f"/api/v1/incidents/{incident_id}/documents/{kind.value}?format=html"
    yield "/api/v1/reports/compliance?from=2026-03-01&to=2026-03-31&format=html"


def browser(world: World, username: str) -> TestClient:
    client, _ = logged_in(world.app, username, follow_redirects=False)
    client.cookies.set(LANG_COOKIE, "zh")
    return client


def not_chinese(response) -> str:
    """What is wrong with ``response`` as a Chinese page ("" when nothing)."""
    if response.status_code >= 500:
        return f"status {response.status_code}"
    if response.status_code in (303, 307):
        return ""
    kind = response.headers["content-type"]
    if not kind.startswith("text/html"):
        return f"answers {kind}: {response.text[:200]}"
    found = english_words(response.text)
    return f"English: {sorted(found)}" if found else ""


def assert_all_chinese(answers: Iterator[tuple[str, object]]) -> None:
    """Every (where, response) checked, all findings reported at once."""
    found = {where: problem for where, response in answers if (problem := not_chinese(response))}
    assert not found, "\n".join(f"{where}: {problem}" for where, problem in found.items())


@pytest.mark.parametrize("username", sorted(USERS))
def test_every_page_is_chinese_for_every_role(world, username):
    client = browser(world, username)
    assert_all_chinese((f"{username} GET {path}", client.get(path)) for path in pages(world))


def test_the_login_page_and_the_documents_are_chinese(world):
    anonymous = TestClient(world.app, follow_redirects=False)
    client = browser(world, "analyst")
    assert_all_chinese(
        [("GET /login", anonymous.get("/login"))]
        + [(f"GET {path}", client.get(path)) for path in documents(world)]
    )

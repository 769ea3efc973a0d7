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
from core.first_run import FirstRunCode
from core.i18n import labels
from core.messages import MessageKind
from core.profiles import ProfileChange, update_profile
from core.settings import Settings
from incidents import awareness, casework, closing, drills, notification, service
from incidents.drills import DrillKind
from incidents.levels import Availability, LevelAnswers, SystemClass
from incidents.messages.run import run_messages
from incidents.models import CorrectedField, IncidentState, InvestigationReport, IoC, IoCType
from reports.documents import DocumentKind
from tests.data.events import winlogbeat
from tests.factories import ADMIN, PASSWORD, logged_in, make_user, open_incident

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
        "IPv4",
        "IPv6",
        "MD5",
        "SHA-1",
        "JSON",
        "API",
        "SVG",
        "English",  # the language switch names the other language in itself
        "CLEAR",
        "GREEN",
        "AMBER",
        "AMBER+STRICT",
        "RED",
        "Sigma",  # rule management: the rule format, its text and ATT&CK
        "YAML",
        "Syslog",  # the protocol's name (source health)
        "ATT",  # ATT&CK, which the walker reads as two words (the ATT&CK view)
        "CK",
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
# Machine text, never translated; and a textarea holds what the visitor typed (an input's
# value is not read either).
SKIPPED = {"script", "style", "code", "pre", "textarea"}
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
    drill_id: str
    reopened: str  # a closed incident worked again: its reopening on its page


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

    def review(incident_id: str, *, forward: bool = True) -> None:
        notification.review_level(
            store=store, actor=lead, incident_id=incident_id, level=3, note="核心系統", clock=clock
        )
        if not forward:
            return
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
        review(incident_id, forward=state != IncidentState.REVIEWED)
        if state == IncidentState.REVIEWED:
            continue  # the forwarding form stays on its page
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


def _case_work(soc, incident_id: str) -> None:
    """Every kind of case work on one incident, so the timeline says each of them: an
    owner, a watcher, a comment with a mention, a task done and undone, a corrected time."""
    store, clock, lead = soc.store, soc.clock, USERS_ACTORS["lead"]
    casework.assign(store=store, actor=lead, incident_id=incident_id, assignee="xitun", clock=clock)
    casework.watch(store=store, actor=lead, incident_id=incident_id, clock=clock)
    casework.watch(
        store=store, actor=lead, incident_id=incident_id, clock=clock, username="analyst"
    )
    casework.add_comment(
        store=store, actor=lead, incident_id=incident_id, text="@analyst 請協助", clock=clock
    )
    task = (
        casework.case_view(
            store, lead, service.get_incident(store=store, actor=lead, incident_id=incident_id)
        )
        .tasks[0]
        .id
    )
    for done in (True, False):
        casework.set_task(
            store=store, actor=lead, incident_id=incident_id, task_id=task, done=done, clock=clock
        )
    incident = service.get_incident(store=store, actor=ADMIN, incident_id=incident_id)
    awareness.correct_time(
        store=store,
        actor=USERS_ACTORS["xitun"],
        incident_id=incident_id,
        field=CorrectedField.AWARE_AT,
        value=incident.aware_at - timedelta(minutes=5),
        reason="防火牆紀錄",
        clock=clock,
    )


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
    ingestor.submit(RawRecord("file:/logs/x.log", b"not syslog", soc.clock.now()), "syslog")
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
    service.add_iocs(  # of every type, so each type's label is read
        store=soc.store,
        actor=ADMIN,
        incident_id=incidents[IncidentState.NOTIFIED],
        iocs=[
            IoC(type=IoCType.IPV4, value="203.0.113.45", note="攻擊來源"),
            IoC(type=IoCType.IPV6, value="2001:db8::1"),
            IoC(type=IoCType.DOMAIN, value="evil-update.example"),
            IoC(type=IoCType.URL, value="http://evil-update.example/a"),
            IoC(type=IoCType.SHA256, value="a" * 64),
            IoC(type=IoCType.SHA1, value="b" * 40),
            IoC(type=IoCType.MD5, value="c" * 32),
            IoC(type=IoCType.EMAIL, value="phish@evil-update.example"),
            IoC(type=IoCType.FILENAME, value="invoice.pdf.exe"),
        ],
        clock=soc.clock,
    )
    drill = drills.record_drill(
        store=soc.store,
        actor=ADMIN,
        registry=soc.registry,
        organization_id="district-xitun",
        kind=DrillKind.SOCIAL_ENGINEERING,
        held_on=soc.clock.now().date(),
        completed_at=soc.clock.now(),
        participants=40,
        opened=3,
        clicked=1,
        scenario="偽冒薪資通知信",
        findings="加強教育訓練",
        clock=soc.clock,
    )
    notified = incidents[IncidentState.NOTIFIED]
    _case_work(soc, notified)
    reopened = open_incident(soc.store, soc.clock, actor=ADMIN, title="重開之事件").id
    closing.dismiss(
        store=soc.store, actor=ADMIN, incident_id=reopened, reason="誤判", clock=soc.clock
    )
    closing.reopen(
        store=soc.store, actor=ADMIN, incident_id=reopened, reason="又有告警", clock=soc.clock
    )
    update_profile(  # the analyst opts in to a clock's messages: the outbox has rows
        store=soc.store,
        actor=USERS_ACTORS["analyst"],
        username="analyst",
        change=ProfileChange(email="analyst@city.example", message_kinds=list(MessageKind)),
        clock=soc.clock,
    )
    run_messages(soc.store, registry=soc.registry, settings=soc.settings, clock=soc.clock)
    assert soc.store.messages.list(), "the outbox page is read with messages in it"
    app = create_app(soc, api_token="t-zh")
    return World(app, incidents, alert.event.event_id, drill.id, reopened)


def pages(world: World) -> Iterator[str]:
    """Every page a person can open, in one list (add new pages here)."""
    yield from ("/", "/alerts", "/reviews", "/dashboard", "/audit", "/intel", "/users")
    yield f"/events/{world.event_id}"
    for incident_id in (*world.incidents.values(), world.reopened):
        yield f"/incidents/{incident_id}"
    yield "/incidents/INC-20260302-NOSUCH"  # not found
    yield "/no-such-page"
    yield from ("/messages", "/messages?status=failed", "/profile", "/profile?saved=true")
    # Trends and the board (issue 16 item 5)
    yield from ("/trends", "/trends?by=rule&bucket=hour", "/trends?by=severity&to=2026-03-01")
    yield from ("/?overdue=true&sort=deadline&assignee=mine", "/?q=no-such-incident")
    # rule management (issue 16 item 2)
    yield from ("/rules", "/rules?state=disabled", "/rules/noisy", "/rules/new")
    yield "/rules/16728b4d-9edc-5348-8e53-1b9b8cb7b78c"
    # source health and the ATT&CK view (issue 16 items 3-4)
    yield from ("/sources", "/sources?sort=age", "/attack", "/attack?from=2026-01-01")
    # Operations pages (issue 16 item 7)
    yield "/dead-letters"
    yield "/assets"
    yield "/drills"
    yield "/dead-letters?examined=3&stored=1&duplicates=0&directives=1&still_failing=1&left=2"
    # event search (issue 16 item 1): results, a Sigma draft, a refused draft, a bad query
    yield "/search"
    yield "/search?q=winlog.event_id:4720&field=winlog.event_id"
    yield "/search?q=@timestamp:>2026-01-01"
    yield "/search?q=host.name:(a"


NOTIFY = {
    "info_class": "none",
    "leak": "none",
    "tamper": "none",
    "system_class": "core_non_ci",
    "availability": "within_mtd",
    "intent": "file",
    "description": "共用資料夾遭加密",
    "response_measures": "隔離主機",
}


def refusals(world: World) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(who, form path, fields): refused forms and forbidden or mistyped posts, each
    answered by its page with the message in Chinese (add new forms here)."""
    incidents = world.incidents
    suspected = f"/incidents/{incidents[IncidentState.SUSPECTED]}"
    open_ = f"/incidents/{incidents[IncidentState.OPEN]}"
    reviewed = f"/incidents/{incidents[IncidentState.REVIEWED]}"
    contained = f"/incidents/{incidents[IncidentState.CONTAINED]}"
    closed = f"/incidents/{incidents[IncidentState.CLOSED]}"
    notified = f"/incidents/{incidents[IncidentState.NOTIFIED]}"
    yield "xitun", f"{suspected}/confirm", {"aware_at": "2099-01-01T09:00", "reason": "電話"}
    yield "xitun", f"{suspected}/confirm", {"aware_at": "2026-03-02T08:00"}  # no reason
    yield "xitun", f"{suspected}/confirm", {"aware_at": "not a time"}
    yield "xitun", f"{open_}/notify", {**NOTIFY, "info_class": "sensitive", "leak": "minor"}
    yield "xitun", f"{open_}/notify", {**NOTIFY, "system_class": "none"}  # availability alone
    yield "xitun", f"{open_}/notify", {**NOTIFY, "availability": "none"}  # no criterion
    yield "xitun", f"{open_}/notify", {**NOTIFY, "description": " "}
    yield "xitun", f"{open_}/notify", {**NOTIFY, "description": "長" * 20001}
    yield "lead", f"{reviewed}/forward", {"to": " ", "reference": "A-1"}
    yield "lead", f"{reviewed}/forward", {"to": "數位發展部", "reference": " "}
    yield (
        "lead",
        f"{reviewed}/forward",
        {"to": "數位發展部", "reference": "A", "at": "2099-01-01T00:00"},
    )
    yield "analyst", f"{suspected}/dismiss", {"reason": " "}
    yield "analyst", f"{notified}/level", {**NOTIFY, "reason": " "}
    yield "xitun", f"{contained}/report", {"scope_and_damage": "x"}  # items missing
    yield "analyst", f"{closed}/progress", {"text": "結案後之進度"}  # closed: a transition
    yield "auditor", f"{open_}/progress", {"text": "稽核不能編輯"}  # forbidden
    yield "xitun", "/incidents/INC-20260302-NOSUCH/progress", {"text": "打錯編號"}
    yield "analyst", "/alerts/triage", {"action": "suppress"}  # nothing selected
    # reopening, corrections, case work, messages and the profile (the merged features)
    yield "xitun", f"{closed}/reopen", {"reason": " "}
    yield "auditor", f"{closed}/reopen", {"reason": "稽核不能重開"}  # forbidden
    yield "analyst", f"{open_}/reopen", {"reason": "尚未結案"}  # not ended: a transition
    fix = {"field": "aware_at", "value": "2026-03-02T08:00"}
    yield "xitun", f"{notified}/corrections", {**fix, "reason": " "}  # after notifying
    yield "xitun", f"{notified}/corrections", {**fix, "value": "2099-01-01T08:00", "reason": "r"}
    yield "xitun", f"{notified}/corrections", {**fix, "field": "closed_at", "reason": "r"}
    yield "xitun", f"{notified}/corrections", {**fix, "value": "not a time", "reason": "r"}
    yield "admin", f"{suspected}/corrections", {**fix, "reason": "r"}  # no awareness yet
    yield "auditor", f"{notified}/corrections", {**fix, "reason": "r"}  # forbidden
    yield "xitun", f"{open_}/assign", {"assignee": "nobody-such"}
    yield "xitun", f"{open_}/assign", {"assignee": "analyst-of-nowhere"}
    yield "auditor", f"{open_}/assign", {"assignee": "analyst"}  # forbidden
    yield "xitun", f"{open_}/watch", {"username": "analyst"}  # only a lead names others
    yield "lead", f"{open_}/watch", {"username": "nobody-such"}
    yield "xitun", f"{open_}/tasks/no-such-task", {"done": "1"}
    yield "auditor", f"{open_}/tasks/scope", {"done": "1"}  # forbidden
    yield "analyst", f"{open_}/progress", {"text": " "}
    yield "analyst", f"{open_}/progress", {"text": "@nobody-such 請協助"}
    yield "xitun", "/profile", {"display_name": " "}
    yield "xitun", "/profile", {"display_name": "王", "email": "not-an-address"}
    yield "xitun", "/profile", {"display_name": "王", "phone": "call me"}
    yield "xitun", "/profile", {"display_name": "王", "language": "fr"}
    yield "xitun", "/profile", {"display_name": "王", "message_kinds": "no-such-kind"}
    yield "analyst", "/messages/MSG-NOSUCH/retry", {}
    yield "xitun", "/messages/MSG-NOSUCH/retry", {}  # forbidden
    # Merging duplicates (issue 16 item 5): into itself, and into another agency's case
    yield "xitun", f"{open_}/merge", {"into": incidents[IncidentState.OPEN], "reason": "重複"}
    yield "analyst", f"{open_}/merge", {"into": closed.rsplit("/", 1)[1], "reason": "重複"}
    # rule management (issue 16 item 2)
    rule = "/rules/16728b4d-9edc-5348-8e53-1b9b8cb7b78c"
    yield "lead", f"{rule}/exceptions", {"reason": "r", "expires_at": "2099-01-01T00:00"}
    yield (
        "lead",
        f"{rule}/exceptions",
        {"host": "H", "reason": "r", "expires_at": "2020-01-01T00:00"},
    )
    yield "analyst", f"{rule}/disable", {}  # forbidden
    yield "lead", "/rules/save", {"yaml": " "}
    # Operations pages (issue 16 item 7)
    drill = {"agency": "district-xitun", "kind": "social_engineering", "held_on": "2026-03-01"}
    drill |= {"completed_at": "2026-03-01T17:00", "participants": "4"}
    yield "xitun", "/drills", drill  # a social-engineering drill without its counts
    yield "xitun", "/drills", {**drill, "completed_at": "not a time"}
    yield "auditor", "/drills", drill  # forbidden
    yield "xitun", "/dead-letters/reprocess", {}  # forbidden
    yield "admin", "/users/role", {"username": "admin", "role": "analyst"}  # one's own
    yield "admin", "/users/role", {"username": "xitun", "role": "reporter"}  # no agency
    yield "admin", "/users/tokens", {"username": "xitun", "name": " "}


def documents(world: World) -> Iterator[str]:
    """The statutory documents, as HTML, for every incident that has them."""
    for incident_id in world.incidents.values():
        for kind in DocumentKind:
            yield f"/api/v1/incidents/{incident_id}/documents/{kind.value}?format=html"
    yield "/api/v1/reports/compliance?from=2026-03-01&to=2026-03-31&format=html"
    yield f"/api/v1/drills/{world.drill_id}/report?format=html"


def browser(world: World, username: str) -> TestClient:
    client, csrf = logged_in(world.app, username, follow_redirects=False)
    client.cookies.set(LANG_COOKIE, "zh")
    CSRF[id(client)] = csrf
    return client


ORIGIN = "http://testserver"  # the pre-session forms check where a post comes from
CSRF: dict[int, str] = {}  # a browser's session CSRF token, by the client


def logged_in_csrf(client: TestClient) -> str:
    return CSRF[id(client)]


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


def test_every_refused_form_and_post_answers_in_chinese(world):
    clients = {username: browser(world, username) for username in USERS}
    csrf = {username: logged_in_csrf(client) for username, client in clients.items()}
    answers = []
    for username, path, fields in refusals(world):
        client = clients[username]
        response = client.post(path, data={**fields, "csrf_token": csrf[username]})
        where = f"{username} POST {path} {sorted(fields)}"
        if response.status_code == 303:  # the alert queue says it on the page it returns to
            location = response.headers["location"]
            assert "error=" in location, f"{where} was taken: {location}"
            response = client.get(location)
        else:
            assert response.status_code in (401, 403, 404, 409, 422), f"{where} was taken"
        answers.append((where, response))
    forged = clients["analyst"].post(
        f"/incidents/{world.incidents[IncidentState.OPEN]}/progress",
        data={"text": "t", "csrf_token": "forged"},
    )
    answers.append(("analyst POST with a forged token", forged))
    anonymous = TestClient(world.app, follow_redirects=False)
    wrong = anonymous.get("/login")
    token = wrong.cookies.get("citysoc_login_csrf", "")
    failed = anonymous.post(
        "/login", data={"username": "xitun", "password": "wrong", "login_csrf": token}
    )
    answers.append(("POST /login with a wrong password", failed))
    assert (forged.status_code, failed.status_code) == (403, 401)
    closed = f"/incidents/{world.incidents[IncidentState.CLOSED]}/progress"
    [late] = [r for w, r in answers if closed in w]
    assert labels("zh")["error_invalid_transition"] in late.text  # a step, not a typing error
    assert_all_chinese(iter(answers))


def test_the_share_preview_and_its_publication_are_chinese(world):
    """Why each indicator stays in the city and what the summary lost: every reason and
    kind of removal the preview can name, in the page's language (then published)."""
    client = browser(world, "lead")
    url = f"/incidents/{world.incidents[IncidentState.NOTIFIED]}/share"
    form = {
        "iocs": "\n".join(
            (
                "evil-update.example",  # shared
                "10.20.1.5",  # a city agency's address
                "192.168.1.1",  # private
                "fd12::10",  # internal IPv6
                "amy@taichung.gov.tw",  # a staff e-mail
                "http://evil-update.example/?next=amy@taichung.gov.tw",  # a URL holding it
            )
        ),
        "summary": "聯絡人王小明 A123456789 H800000003 0912-345-678 amy@taichung.gov.tw 10.20.1.5",
        "tlp": "amber",
        "csrf_token": logged_in_csrf(client),
    }
    preview = client.post(url, data=form)
    assert preview.status_code == 200, preview.text
    assert preview.text.count('class="withheld"') == 5 and 'class="removed"' in preview.text
    digest = re.search(r'name="confirm" value="([0-9a-f]{64})"', preview.text)
    assert digest, "the preview offers to publish exactly what it shows"
    published = client.post(url, data={**form, "confirm": digest.group(1)})
    assert published.status_code == 201, published.text
    assert 'id="share-result"' in published.text
    assert_all_chinese(iter([(f"POST {url}", preview), (f"POST {url} confirm", published)]))


def test_the_login_page_and_the_documents_are_chinese(world):
    anonymous = TestClient(world.app, follow_redirects=False)
    client = browser(world, "analyst")
    assert_all_chinese(
        [("GET /login", anonymous.get("/login"))]
        + [(f"GET {path}", client.get(path)) for path in documents(world)]
    )


def test_the_first_run_page_and_its_refusals_are_chinese(soc):
    """/setup on an empty store (with and without a printed code), and each refused post."""
    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    code = FirstRunCode.issue(soc.clock)
    visitor = TestClient(create_app(soc, api_token="t-setup", first_run=code))
    visitor.cookies.set(LANG_COOKIE, "zh")
    answers = [("GET /setup", visitor.get("/setup"))]
    token = visitor.cookies.get("citysoc_login_csrf", "")
    form = {
        "code": "wrong-code",
        "username": "root",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "login_csrf": token,
    }
    for where, fields in (
        ("a wrong code", {}),
        ("a password typed twice differently", {"password_again": PASSWORD + "x"}),
        ("a weak password", {"code": code.shown(), "password": "x", "password_again": "x"}),
        ("a bad user name", {"code": code.shown(), "username": "Root Admin!"}),
        ("no form token", {"login_csrf": "forged"}),
    ):
        sent = visitor.post("/setup", data={**form, **fields}, headers={"Origin": ORIGIN})
        assert sent.status_code in (401, 403, 409, 422), f"POST /setup with {where} was taken"
        answers.append((f"POST /setup with {where}", sent))
    codeless = TestClient(create_app(soc, api_token="t-setup"))
    codeless.cookies.set(LANG_COOKIE, "zh")
    answers.append(("GET /setup without a code", codeless.get("/setup")))
    assert_all_chinese(iter(answers))

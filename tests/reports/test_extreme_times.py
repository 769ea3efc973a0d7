"""Times at the edges of the calendar never break a page or a document.

Year 1 and year 9999 (``datetime.min``/``max``, with offsets that push them past the edge in
UTC or in Taipei) are written straight into the store, bypassing ingest (which clamps such
values; a store written by an older version, a restore or another tool may still hold them).
Then every page, API view and document that shows them is fetched: none may answer 500, and
each extreme must show as a readable ROC or Gregorian date.
"""

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core import audit
from core.access import SYSTEM, Role
from core.alerts import Alert, AlertStatus, MatchedEvent, Severity
from core.clock import roc_date, taipei_time
from core.events import Event
from core.settings import Settings
from incidents.drills import Drill, DrillKind
from incidents.levels import LevelAnswers, SystemClass
from incidents.models import (
    Comment,
    EvidenceFile,
    Incident,
    IncidentState,
    InvestigationReport,
    LevelChange,
    Notification,
    NotificationKind,
)
from incidents.sharing.timestamps import stix_time
from incidents.sharing.watchlist import WatchedIndicator
from reports.documents import DocumentKind
from reports.templating import environment
from tests.factories import logged_in, make_user

TOKEN = "operator-token-extremes"
EAST = timezone(timedelta(hours=14))  # Kiribati: datetime.min here is before year 1 in UTC
WEST = timezone(timedelta(hours=-12))  # datetime.max here is after year 9999 in UTC
MIN_UTC = datetime.min.replace(tzinfo=UTC)
MAX_UTC = datetime.max.replace(tzinfo=UTC)
MIN_EAST = datetime.min.replace(tzinfo=EAST)
MAX_WEST = datetime.max.replace(tzinfo=WEST)
EXTREMES = [MIN_UTC, MAX_UTC, MIN_EAST, MAX_WEST]


def every_offset() -> list[timezone]:
    return [timezone(timedelta(minutes=m)) for m in range(-23 * 60 - 59, 24 * 60, 61)]


@pytest.mark.parametrize("tz", every_offset(), ids=str)
@pytest.mark.parametrize("edge", [datetime.min, datetime.max], ids=["min", "max"])
def test_every_time_formatter_is_total(edge, tz):
    value = edge.replace(tzinfo=tz)
    env = environment()
    texts = [
        roc_date(value),
        roc_date(value, with_time=False),
        taipei_time(value),
        env.filters["roc"](value),
        env.filters["taipei"](value),
    ]
    assert all(isinstance(t, str) and t for t in texts)
    assert roc_date(value).startswith(("民國", "民國前"))
    assert len(stix_time(value)) == len("2026-03-02T01:00:00.000000Z")  # fixed width


def test_stix_times_at_the_edges_are_fixed_width_utc():
    assert stix_time(MIN_UTC) == "0001-01-01T00:00:00.000000Z"
    assert stix_time(MIN_EAST) == "0001-01-01T00:00:00.000000Z"  # before year 1: the first
    assert stix_time(MAX_WEST) == "9999-12-31T23:59:59.999999Z"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(1912, 1, 1, tzinfo=UTC), "民國1年01月01日 08:00"),
        (datetime(1911, 12, 31, 15, 59, tzinfo=UTC), "民國前1年12月31日 23:59"),
        (datetime(1911, 12, 31, 16, 0, tzinfo=UTC), "民國1年01月01日 00:00"),
        (MIN_UTC, "民國前1911年01月01日 08:06"),  # Taipei's local mean time before 1896
        (MAX_UTC, "民國8088年12月31日 23:59 (UTC)"),
        (MIN_EAST, "民國前1911年01月01日 00:00 (UTC+14:00)"),
        (MAX_WEST, "民國8088年12月31日 23:59 (UTC-12:00)"),
    ],
)
def test_roc_dates_before_1912_and_at_the_edges(value, expected):
    assert roc_date(value) == expected


def test_taipei_times_at_the_edges():
    env = environment()
    assert env.filters["taipei"](MIN_UTC) == "0001-01-01 08:06"
    assert env.filters["taipei"](MAX_UTC) == "9999-12-31 23:59 (UTC)"
    assert taipei_time(MAX_WEST) == "12-31 23:59 (UTC-12:00)"


def incident(number: int, at: datetime, *, occurred: datetime, state: IncidentState) -> Incident:
    return Incident(
        id=f"INC-2026030{number}-00000{number}",
        organization_id="district-xitun",
        title=f"extreme {number}",
        description="時間極端的事件",
        state=state,
        level=3,
        level_answers=LevelAnswers(system_class=SystemClass.CORE_NON_CI),
        level_history=[LevelChange(at=at, by="amy", from_level=None, to_level=3, reason="r")],
        occurred_at=occurred,
        aware_at=at,
        notifications=[Notification(kind=NotificationKind.INITIAL, at=at, by="x", level=3)],
        reviewed_at=at,
        forwarded_at=at,
        contained_at=at,
        report_submitted_at=at,
        report_extended_to=at,
        investigation=InvestigationReport(root_cause="時間"),
        closed_at=at if state is IncidentState.CLOSED else None,
        evidence=[
            EvidenceFile(
                sha256="a" * 64,
                filename="x.txt",
                kind="text",
                media_type="text/plain",
                size=1,
                uploaded_at=at,
                uploaded_by="amy",
            )
        ],
        comments=[Comment(at=at, by="amy", text="進度")],
        created_at=at,
        created_by="amy",
        updated_at=at,
    )


def event(n: int, at: datetime) -> Event:
    return Event(
        event_id=f"extreme-event-{n}",
        timestamp=at,
        dataset="jsonl",
        organization_id="district-xitun",
        original=json.dumps({"n": n}),
        fields={"host.name": "D-XITUN-FS01"},
    )


def alert(n: int, at: datetime, *, rule: str = "test-rule", tags: tuple[str, ...] = ()) -> Alert:
    return Alert(
        id=f"{rule}-{n}",
        rule_id=rule,
        rule_title=f"rule {rule}",
        severity=Severity.HIGH,
        tags=tags,
        organization_id="district-xitun",
        host_name="D-XITUN-FS01",
        event=MatchedEvent(event_id=f"extreme-event-{n}", timestamp=at),
        created_at=at,
        group_key=f"g{n}",
        status=AlertStatus.NEW,
    )


@pytest.fixture
def engine(both_engines: str) -> str:
    return both_engines


@pytest.fixture
def world(soc):
    soc.settings = Settings(
        store=soc.settings.store,
        store_index_prefix=soc.settings.store_index_prefix,
        state_dir=soc.settings.state_dir,
        cookie_secure=False,
    )
    store = soc.store
    for username, role in (("analyst", Role.ANALYST), ("auditor", Role.AUDITOR)):
        make_user(soc, username, role)
    store.events.append([event(n, at) for n, at in enumerate(EXTREMES)])
    partner = next(iter(soc.partners.partners))
    store.alerts.add(
        [alert(n, at) for n, at in enumerate(EXTREMES)]
        + [
            alert(n, at, rule="ioc:indicator--1", tags=(f"citysoc.partner.{partner}",))
            for n, at in enumerate(EXTREMES)
        ]
    )
    indicator = WatchedIndicator(
        id="indicator--00000000-0000-4000-8000-000000000001",
        version="x",
        name="edge",
        pattern="[domain-name:value = 'evil.example']",
        iocs=(),
        partner=partner,
        tlp=None,
        valid_from=MIN_EAST,
        valid_until=MAX_WEST,
        imported_at=MAX_UTC,
        sweep_from=MIN_EAST,
    )
    store.sharing.put_indicators([(indicator.id, partner, indicator.model_dump_json())])
    ids = []
    for n, (at, occurred, state) in enumerate(
        [
            (MIN_UTC, MIN_EAST, IncidentState.REPORTED),
            (MAX_UTC, MIN_UTC, IncidentState.CLOSED),
            (MIN_EAST, MAX_WEST, IncidentState.NOTIFIED),
            (MAX_WEST, MAX_UTC, IncidentState.REPORTED),
        ],
        start=1,
    ):
        found = incident(n, at, occurred=occurred, state=state)
        store.incidents.insert(found.id, found.organization_id, found.model_dump_json())
        ids.append(found.id)
        audit.record(store, actor=SYSTEM, action="test.extreme", subject=found.id, at=at)
    for n, at in enumerate(EXTREMES):
        drill = Drill(
            id=f"DRL-2026030{n}-00000{n}",
            organization_id="district-xitun",
            kind=DrillKind.NOTIFICATION_RESPONSE,
            held_on=date(2026, 3, 1),
            completed_at=at,
            participants=3,
            result_report_submitted_at=at,
            recorded_by="amy",
            recorded_at=at,
        )
        store.drills.put(drill.id, drill.organization_id, drill.model_dump_json())
    api = TestClient(create_app(soc, api_token=TOKEN))
    api.headers["Authorization"] = f"Bearer {TOKEN}"
    browsers = {}
    for username in ("analyst", "auditor"):
        browsers[username], _csrf = logged_in(api.app, username, follow_redirects=False)
    return api, browsers, ids


# The widest period a filter accepts (core.time_range); the stored values lie beyond it.
WHOLE_CALENDAR = "from=1900-01-01&to=9998-12-31"


def test_every_page_survives_stored_extreme_times(world):
    _api, browsers, ids = world
    paths = [
        "/",
        "/alerts",
        "/alerts?status=new",
        "/alerts?since=1900-01-02T00:00&until=9998-12-31T23:59",
        "/reviews",
        "/dashboard",
        f"/dashboard?{WHOLE_CALENDAR}",
        "/audit",
        "/intel",
        *(f"/events/extreme-event-{n}" for n in range(len(EXTREMES))),
        *(f"/incidents/{i}" for i in ids),
        *(f"/audit?subject={i}" for i in ids),
    ]
    for lang in ("zh", "en"):
        for who, browser in browsers.items():
            browser.cookies.set("citysoc_lang", lang)
            for path in paths:
                response = browser.get(path)
                assert response.status_code == 200, f"{who} {lang} {path}: {response.text[:300]}"
    incident_page = browsers["analyst"].get(f"/incidents/{ids[1]}").text
    assert "9999-12-31 23:59 (UTC)" in incident_page  # en: the extreme is shown, not hidden


def test_every_document_and_api_view_survives_stored_extreme_times(world):
    api, _browsers, ids = world
    paths = [
        "/api/v1/incidents",
        "/api/v1/alerts",
        "/api/v1/alerts?since=1900-01-02T00:00:00%2B14:00&until=9998-12-30T23:59:59-12:00",
        "/api/v1/audit",
        "/api/v1/intel",
        "/api/v1/intel/indicators",
        *(f"/api/v1/incidents/{i}" for i in ids),
        *(f"/api/v1/events/extreme-event-{n}" for n in range(len(EXTREMES))),
        *(
            f"/api/v1/incidents/{i}/documents/{kind.value}?lang={lang}"
            for i in ids
            for kind in DocumentKind
            for lang in ("zh", "en")
        ),
        *(f"/api/v1/drills/DRL-2026030{n}-00000{n}/report" for n in range(len(EXTREMES))),
        *(
            f"/api/v1/reports/compliance?{period}&format={fmt}"
            for period in (WHOLE_CALENDAR, "from=2026-01-01&to=2026-12-31")
            for fmt in ("json", "html", "csv", "xlsx")
        ),
    ]
    for path in paths:
        response = api.get(path)
        assert response.status_code == 200, f"{path}: {response.text[:300]}"
    notification = api.get(f"/api/v1/incidents/{ids[0]}/documents/notification").text
    assert "民國前1911年01月01日 08:06" in notification


def test_pdf_documents_survive_stored_extreme_times(world):
    api, _browsers, ids = world
    for path in (
        f"/api/v1/incidents/{ids[1]}/documents/notification?format=pdf",
        f"/api/v1/incidents/{ids[2]}/documents/investigation?format=pdf&lang=en",
        f"/api/v1/reports/compliance?{WHOLE_CALENDAR}&format=pdf",
    ):
        response = api.get(path)
        assert response.status_code == 200, f"{path}: {response.text[:300]}"
        assert response.content.startswith(b"%PDF")


def test_cli_listings_survive_stored_extreme_times(world, soc):
    if soc.store.engine != "sqlite":
        pytest.skip("the CLI reads the same services; one engine is enough here")
    from typer.testing import CliRunner

    from api.cli import app

    store = ["--store", soc.settings.store]
    commands = [
        ["incidents", "list"],
        *(["incidents", "show", i] for i in world[2]),
        ["alerts", "list"],
        ["drills", "list"],
        ["share", "indicators"],
        ["report", "compliance", "--from", "1900-01-01", "--to", "9998-12-31"],
    ]
    runner = CliRunner()
    for command in commands:
        if command[:2] == ["report", "compliance"]:
            command = [*command, "--out", str(soc.settings.sqlite_path.parent / "c.json")]
        result = runner.invoke(app, [*command, *store])
        assert result.exit_code == 0, f"{command}: {result.output[-500:]}"

"""The compliance report over real incidents, at the deadline boundaries."""

import csv
import io
import json
import random
from datetime import UTC, date, datetime, timedelta

import pytest

from core.access import Actor, Role
from core.clock import TAIPEI, FixedClock
from core.errors import NotFoundError
from incidents import awareness, closing, notification
from incidents.deadlines import DeadlineKind, DeadlineStatus
from incidents.levels import Availability, LevelAnswers, SystemClass
from incidents.models import CorrectedField
from reports.compliance import (
    ComplianceReport,
    build_compliance,
    compliance_csv,
    compliance_html,
    compliance_xlsx,
    report_schema,
)
from tests.factories import open_incident

pytestmark = pytest.mark.reports

AUDITOR = Actor("audrey", Role.AUDITOR)
LEVEL2 = LevelAnswers(system_class=SystemClass.CORE_NON_CI, availability=Availability.WITHIN_MTD)


@pytest.fixture
def engine(both_engines: str) -> str:
    """These hold on both engines."""
    return both_engines


def taipei(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TAIPEI)


def incident(
    store,
    agency,
    aware: datetime,
    notify_after: timedelta | None,
    *,
    contain_after: timedelta | None = None,
):
    clock = FixedClock(aware)
    reporter = Actor("r", Role.REPORTER, agency=agency)
    created = open_incident(store, clock, actor=reporter, organization_id=agency)  # aware now
    if notify_after is not None:
        clock.advance(notify_after)
        notification.file_notification(
            store=store,
            actor=reporter,
            incident_id=created.id,
            answers=LEVEL2,
            description="d",
            response_measures="m",
            outside_support_needed=False,
            clock=clock,
        )
        if contain_after is not None:
            clock.advance(contain_after - notify_after)
            closing.mark_contained(store=store, actor=reporter, incident_id=created.id, clock=clock)
    return created


def notify_status(report: ComplianceReport, incident_id: str) -> tuple[DeadlineStatus, int | None]:
    [row] = [
        r for r in report.rows if r.incident_id == incident_id and r.clock is DeadlineKind.NOTIFY
    ]
    return row.status, row.delay_seconds


def test_notification_timeliness_at_the_boundaries(store, registry):
    on_time = incident(store, "police", taipei("2026-05-04T10:00:00"), timedelta(hours=1))
    late = incident(store, "police", taipei("2026-05-04T10:00:00"), timedelta(hours=1, seconds=1))
    midnight = incident(store, "police", taipei("2026-05-04T23:30:00"), timedelta(minutes=59))
    month_end = incident(store, "police", taipei("2026-05-31T23:30:00"), timedelta(minutes=61))
    report = build_compliance(
        store=store,
        actor=AUDITOR,
        registry=registry,
        start=date(2026, 5, 1),
        end=date(2026, 5, 31),
        now=datetime(2026, 7, 1, tzinfo=UTC),
    )
    assert notify_status(report, on_time.id) == (DeadlineStatus.MET, None)
    assert notify_status(report, late.id) == (DeadlineStatus.MISSED, 1)
    assert notify_status(report, midnight.id) == (DeadlineStatus.MET, None)
    assert notify_status(report, month_end.id) == (DeadlineStatus.MISSED, 60)
    assert report.incidents == 4


def test_the_period_is_taipei_days_across_the_year_boundary(store, registry):
    last_second = incident(store, "finance", taipei("2026-12-31T23:59:59"), timedelta(minutes=5))
    new_year = incident(store, "finance", taipei("2027-01-01T00:00:00"), timedelta(minutes=5))
    now = datetime(2027, 2, 1, tzinfo=UTC)
    year = build_compliance(
        store=store,
        actor=AUDITOR,
        registry=registry,
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        now=now,
    )
    assert {r.incident_id for r in year.rows} == {last_second.id}
    january = build_compliance(
        store=store,
        actor=AUDITOR,
        registry=registry,
        start=date(2027, 1, 1),
        end=date(2027, 1, 31),
        now=now,
    )
    assert {r.incident_id for r in january.rows} == {new_year.id}


def test_open_items_past_due_are_overdue_with_how_late(store, registry):
    forgotten = incident(store, "education", taipei("2026-05-04T10:00:00"), None)
    report = build_compliance(
        store=store,
        actor=AUDITOR,
        registry=registry,
        start=date(2026, 5, 1),
        end=date(2026, 5, 31),
        now=taipei("2026-05-04T13:00:00").astimezone(UTC),
    )
    [overdue] = report.open_overdue
    assert overdue.incident_id == forgotten.id and overdue.delay_seconds == 2 * 3600


def test_a_generated_year_across_all_agencies(store, registry):
    rng = random.Random(7)  # noqa: S311 - test data, not cryptography
    agencies = [a.code for a in registry]
    expected = {DeadlineStatus.MET: 0, DeadlineStatus.MISSED: 0}
    for n in range(300):
        aware = datetime(2026, 1, 1, tzinfo=TAIPEI) + timedelta(minutes=rng.randrange(525_600))
        minutes = rng.choice([10, 59, 60, 61, 180])
        incident(store, agencies[n % len(agencies)], aware, timedelta(minutes=minutes))
        expected[DeadlineStatus.MET if minutes <= 60 else DeadlineStatus.MISSED] += 1
    report = build_compliance(
        store=store,
        actor=AUDITOR,
        registry=registry,
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        now=datetime(2027, 3, 1, tzinfo=UTC),
    )
    assert report.incidents == 300
    assert report.by_category == {"unclassified": 300}
    assert report.clocks[DeadlineKind.NOTIFY] == {k: v for k, v in expected.items() if v}
    assert sum(a.incidents for a in report.agencies) == 300
    assert report.audit_ok and report.audit_entries == 600
    html = compliance_html(report, registry=registry)
    assert "<svg" in html and "各等級事件數" in html
    # no drills were recorded: every agency misses both drill obligations, shown as such
    assert "達成 0 / 122 項" in html and "未達成之演練義務" in html


def test_incidents_by_type(store, registry):
    from incidents.models import IncidentCategory

    created = incident(store, "police", taipei("2026-05-04T10:00:00"), None)
    reporter = Actor("r", Role.REPORTER, agency="police")
    notification.file_notification(
        store=store,
        actor=reporter,
        incident_id=created.id,
        answers=LEVEL2,
        description="d",
        response_measures="m",
        outside_support_needed=False,
        clock=FixedClock(taipei("2026-05-04T10:30:00")),
        category=IncidentCategory.WEB_ATTACK,
    )
    report = build_compliance(
        store=store,
        actor=AUDITOR,
        registry=registry,
        start=date(2026, 5, 1),
        end=date(2026, 5, 31),
        now=datetime(2026, 7, 1, tzinfo=UTC),
    )
    assert report.by_category == {"web_attack": 1}
    assert "網頁攻擊" in compliance_html(report, registry=registry)


def test_exports_csv_xlsx_json(store, registry):
    incident(store, "police", taipei("2026-05-04T10:00:00"), timedelta(hours=2))
    report = build_compliance(
        store=store,
        actor=AUDITOR,
        registry=registry,
        start=date(2026, 5, 1),
        end=date(2026, 5, 31),
        now=datetime(2026, 7, 1, tzinfo=UTC),
    )
    data = compliance_csv(report, registry=registry, lang="en")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    notify = next(r for r in rows if r["Statutory clock"] == "Agency notification")
    assert (notify["Status"], notify["Late by (hours)"]) == ("missed", "1.0")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(compliance_xlsx(report, registry=registry)))
    assert book.sheetnames == ["摘要", "法定時限", "各機關", "演練義務"]
    assert book["各機關"]["B2"].value == "警察局"
    again = ComplianceReport.model_validate_json(report.model_dump_json())
    assert again == report
    assert "rows" in json.dumps(report_schema())


def test_reports_respect_agency_isolation(store, registry):
    incident(store, "police", taipei("2026-05-04T10:00:00"), timedelta(minutes=5))
    incident(store, "finance", taipei("2026-05-04T10:00:00"), timedelta(minutes=5))
    reporter = Actor("p", Role.REPORTER, agency="police")
    now = datetime(2026, 7, 1, tzinfo=UTC)
    own = build_compliance(
        store=store,
        actor=reporter,
        registry=registry,
        start=date(2026, 5, 1),
        end=date(2026, 5, 31),
        now=now,
    )
    assert own.agency == "police" and {r.organization_id for r in own.rows} == {"police"}
    with pytest.raises(NotFoundError):
        build_compliance(
            store=store,
            actor=reporter,
            registry=registry,
            start=date(2026, 5, 1),
            end=date(2026, 5, 31),
            now=now,
            agency="finance",
        )


def test_a_late_correction_shows_the_original_and_the_corrected_figure(store, registry):
    aware = taipei("2026-05-04T10:00:00")
    created = incident(store, "police", aware, timedelta(hours=3))
    clock = FixedClock(aware + timedelta(hours=4))
    awareness.correct_time(
        store=store,
        actor=Actor("r", Role.REPORTER, agency="police"),
        incident_id=created.id,
        field=CorrectedField.AWARE_AT,
        value=aware + timedelta(hours=2, minutes=30),
        reason="主管較晚得知",
        clock=clock,
    )
    report = build_compliance(
        store=store,
        actor=AUDITOR,
        registry=registry,
        start=date(2026, 5, 1),
        end=date(2026, 5, 31),
        now=datetime(2026, 7, 1, tzinfo=UTC),
    )
    assert notify_status(report, created.id) == (DeadlineStatus.MISSED, 2 * 3600)
    [held] = report.corrected
    assert (held.clock, held.corrected_status) == (DeadlineKind.NOTIFY, DeadlineStatus.MET)
    assert held.correction_reasons == ["主管較晚得知"]
    html = compliance_html(report, registry=registry)
    assert 'id="corrected-clocks"' in html and "主管較晚得知" in html
    data = compliance_csv(report, registry=registry)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    notify = next(r for r in rows if r["法定時限"] == "機關通報")
    assert (notify["更正後狀態"], notify["更正理由"]) == ("如期完成", "主管較晚得知")

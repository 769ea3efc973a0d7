"""Drill records, the municipal drill obligations and the result-report clock."""

from datetime import UTC, date, datetime

import pytest

from core.access import Actor, Role
from core.errors import ForbiddenError, InputError, NotFoundError
from incidents.deadlines import DeadlineStatus
from incidents.drills import (
    DrillKind,
    drill_obligations,
    list_drills,
    record_drill,
    submit_drill_report,
)
from reports.documents import render_drill_html

XITUN = Actor("xitun", Role.REPORTER, agency="district-xitun")
SE, NR = DrillKind.SOCIAL_ENGINEERING, DrillKind.NOTIFICATION_RESPONSE


@pytest.fixture
def engine(both_engines: str) -> str:
    """These hold on both engines."""
    return both_engines


def drill(store, registry, clock, kind=SE, held=date(2026, 1, 31), actor=XITUN, **extra):
    counts = {"opened": 12, "clicked": 5} if kind is SE else {}
    return record_drill(
        store=store,
        actor=actor,
        registry=registry,
        organization_id="district-xitun",
        kind=kind,
        held_on=held,
        completed_at=datetime.combine(held, datetime.min.time(), tzinfo=UTC),
        participants=100,
        clock=clock,
        **{**counts, **extra},
    )


def test_social_engineering_rates_and_report(store, registry, clock):
    d = drill(store, registry, clock, scenario="偽冒薪資通知信", findings="加強教育訓練")
    assert (d.open_rate, d.click_rate) == (0.12, 0.05)
    html = render_drill_html(d, registry=registry, now=clock.now())
    assert "社交工程演練" in html and "12.0%" in html and "5.0%" in html and "西屯區公所" in html


@pytest.mark.parametrize(
    ("extra", "message"),
    [({"opened": 101, "clicked": 1}, "cannot exceed"), ({"opened": None}, "opened and clicked")],
)
def test_impossible_counts_are_refused(store, registry, clock, extra, message):
    with pytest.raises(InputError, match=message):
        drill(store, registry, clock, **extra)


def test_result_report_due_one_calendar_month_after_completion(store, registry, clock):
    d = drill(store, registry, clock, held=date(2026, 1, 31))
    # completed 2026-01-31 08:00 Taipei: due one calendar month later, the last day of February
    assert d.report_due_at == datetime(2026, 2, 28, 0, 0, tzinfo=UTC)
    # the clock stands at 2026-03-02 09:00 Taipei, after the due date
    late = submit_drill_report(store=store, actor=XITUN, drill_id=d.id, clock=clock)
    assert late.report_status is DeadlineStatus.MISSED
    with pytest.raises(InputError, match="already submitted"):
        submit_drill_report(store=store, actor=XITUN, drill_id=d.id, clock=clock)


def test_obligations_for_a_year(store, registry, clock):
    drill(store, registry, clock, held=date(2026, 3, 10))
    drill(store, registry, clock, kind=NR, held=date(2026, 5, 10))
    rows = drill_obligations(
        list_drills(store=store, actor=XITUN),
        registry=registry,
        agencies=["district-xitun"],
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        now=datetime(2027, 1, 10, tzinfo=UTC),
    )
    by_kind = {r.kind: r for r in rows}
    assert (by_kind[SE].required, by_kind[SE].held) == (2, 1)
    assert (by_kind[NR].required, by_kind[NR].held) == (1, 1)
    assert by_kind[NR].reports_overdue == 1 and not by_kind[NR].met


def test_drills_follow_agency_isolation(store, registry, clock):
    d = drill(store, registry, clock)
    police = Actor("p", Role.REPORTER, agency="police")
    assert list_drills(store=store, actor=police) == []
    with pytest.raises(NotFoundError):
        submit_drill_report(store=store, actor=police, drill_id=d.id, clock=clock)
    with pytest.raises(ForbiddenError):
        drill(store, registry, clock, actor=Actor("a", Role.AUDITOR))

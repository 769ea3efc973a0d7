"""Statutory clocks (regulations.md §3) at and around their boundaries."""

from datetime import UTC, datetime, timedelta

import pytest

from core.clock import FixedClock, ensure_aware
from core.errors import InputError
from incidents.deadlines import (
    AwarenessChange,
    DeadlineKind,
    DeadlineStatus,
    add_calendar_month,
    compute_deadlines,
)

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def clocks(level, *, now, notified=None, reviewed=None, contained=None, highest=None, report=None):
    rows = compute_deadlines(
        aware_at=T0,
        level=level,
        highest_level=highest or level,
        notified_at=notified,
        reviewed_at=reviewed,
        forwarded_at=None,
        contained_at=contained,
        report_submitted_at=report,
        report_extended_to=None,
        now=now,
    )
    return {d.kind: d for d in rows}


@pytest.mark.parametrize(
    ("done_after", "status"),
    [
        (timedelta(hours=1), DeadlineStatus.MET),
        (timedelta(hours=1, seconds=1), DeadlineStatus.MISSED),
    ],
)
def test_notification_within_one_hour_of_awareness(done_after, status):
    d = clocks(2, now=T0 + timedelta(hours=5), notified=T0 + done_after)[DeadlineKind.NOTIFY]
    assert d.due_at == T0 + timedelta(hours=1)
    assert d.status is status


def test_notification_not_filed_is_overdue_one_second_after_the_hour():
    at_due = clocks(None, now=T0 + timedelta(hours=1))[DeadlineKind.NOTIFY]
    after = clocks(None, now=T0 + timedelta(hours=1, seconds=1))[DeadlineKind.NOTIFY]
    assert (at_due.status, after.status) == (DeadlineStatus.PENDING, DeadlineStatus.OVERDUE)


@pytest.mark.parametrize(("level", "hours"), [(1, 8), (2, 8), (3, 2), (4, 2)])
def test_superior_review_window_depends_on_the_level(level, hours):
    notified = T0 + timedelta(minutes=30)
    d = clocks(level, now=T0, notified=notified)[DeadlineKind.REVIEW]
    assert d.due_at == notified + timedelta(hours=hours)


@pytest.mark.parametrize(("level", "hours"), [(1, 72), (2, 72), (3, 36), (4, 36)])
def test_damage_control_window_depends_on_the_level(level, hours):
    d = clocks(level, now=T0)[DeadlineKind.CONTAINMENT]
    assert d.due_at == T0 + timedelta(hours=hours)


def test_a_level_raised_mid_incident_keeps_the_stricter_containment_clock():
    d = clocks(2, highest=3, now=T0)[DeadlineKind.CONTAINMENT]
    assert d.due_at == T0 + timedelta(hours=36)


def test_forwarding_runs_one_hour_after_review():
    reviewed = T0 + timedelta(hours=3)
    d = clocks(2, now=T0, notified=T0, reviewed=reviewed)[DeadlineKind.FORWARD]
    assert d.due_at == reviewed + timedelta(hours=1)


@pytest.mark.parametrize(
    ("contained_taipei", "due_taipei"),
    [
        ("2026-01-31T10:00:00+08:00", "2026-02-28T10:00:00+08:00"),  # month end
        ("2028-01-31T10:00:00+08:00", "2028-02-29T10:00:00+08:00"),  # leap year
        ("2026-12-15T23:30:00+08:00", "2027-01-15T23:30:00+08:00"),  # year boundary
        ("2026-03-31T23:59:59+08:00", "2026-04-30T23:59:59+08:00"),  # Taipei date, not UTC's
    ],
)
def test_report_is_due_one_calendar_month_after_recovery(contained_taipei, due_taipei):
    contained = datetime.fromisoformat(contained_taipei)
    assert add_calendar_month(contained) == datetime.fromisoformat(due_taipei)


def test_clocks_that_have_not_started_are_waiting():
    rows = clocks(None, now=T0)
    assert rows[DeadlineKind.REVIEW].status is DeadlineStatus.WAITING
    assert rows[DeadlineKind.REPORT].due_at is None


def test_naive_datetimes_are_rejected():
    with pytest.raises(InputError, match="time zone"):
        ensure_aware(datetime(2026, 3, 2, 9, 0), "aware_at")
    with pytest.raises(InputError, match="time zone"):
        FixedClock(datetime(2026, 3, 2, 9, 0))


def test_a_late_correction_holds_the_containment_clock_and_an_earlier_one_tightens_it():
    """Level 3: damage control 36 h from T0. Moved 10 h later two days on, the clock keeps
    T0 (missed); moved 2 h earlier, it runs from the earlier awareness."""
    contained = T0 + timedelta(hours=40)
    now = T0 + timedelta(days=3)

    def containment(new):
        [row] = [
            d
            for d in compute_deadlines(
                aware_at=new,
                level=3,
                highest_level=3,
                notified_at=T0,
                reviewed_at=None,
                forwarded_at=None,
                contained_at=contained,
                report_submitted_at=None,
                report_extended_to=None,
                now=now,
                awareness_changes=[AwarenessChange(at=T0 + timedelta(days=2), old=T0, new=new)],
            )
            if d.kind is DeadlineKind.CONTAINMENT
        ]
        return row

    held = containment(T0 + timedelta(hours=10))
    assert (held.due_at, held.status) == (T0 + timedelta(hours=36), DeadlineStatus.MISSED)
    assert held.corrected_status is DeadlineStatus.MET
    tighter = containment(T0 - timedelta(hours=2))
    assert tighter.due_at == T0 + timedelta(hours=34) and tighter.corrected_status is None

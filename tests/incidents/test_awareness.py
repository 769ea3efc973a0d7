"""The time of awareness starts the statutory clocks: it can never move into the future or
past a filed notification, a change after the notification needs a reason, the audit
trail and the incident's corrections keep the old and new values, and a clock already due
when awareness is corrected is never relaxed by it (a missed clock stays missed)."""

import json
from datetime import timedelta

import pytest

from core.errors import InputError, NotFoundError
from incidents import awareness, notification, service
from incidents.deadlines import DeadlineKind, DeadlineStatus
from incidents.models import CorrectedField
from tests.incidents.test_service import LEVEL2, POLICE, XITUN, open_one


@pytest.fixture
def engine(both_engines: str) -> str:
    return both_engines


def _notify(store, clock, incident_id, **kwargs):
    return notification.file_notification(
        store=store,
        actor=XITUN,
        incident_id=incident_id,
        answers=LEVEL2,
        description="狀況",
        response_measures="隔離",
        outside_support_needed=False,
        clock=clock,
        **kwargs,
    )


def _notify_row(incident, clock):
    [clock_row] = [
        d for d in service.deadlines(incident, now=clock.now()) if d.kind is DeadlineKind.NOTIFY
    ]
    return clock_row


def _notify_clock(incident, clock):
    return _notify_row(incident, clock).status


def _correct(store, clock, incident_id, at, reason, *, field=CorrectedField.AWARE_AT, actor=XITUN):
    return awareness.correct_time(
        store=store,
        actor=actor,
        incident_id=incident_id,
        field=field,
        value=at,
        reason=reason,
        clock=clock,
    )


def _last_audit(store, incident_id):
    *_, row = store.audit.rows(subject=incident_id)
    return row.action, json.loads(row.detail)


def test_a_late_notification_cannot_be_made_timely_with_a_future_awareness(store, clock):
    incident = open_one(store, clock)
    clock.advance(timedelta(hours=3))  # the one-hour notification clock is overdue
    with pytest.raises(InputError, match="aware_at .* is in the future"):
        _notify(store, clock, incident.id, aware_at=clock.now() + timedelta(hours=2))
    late = _notify(store, clock, incident.id)
    assert _notify_clock(late, clock) is DeadlineStatus.MISSED


def test_awareness_given_with_the_notification_is_audited_old_and_new(store, clock):
    incident = open_one(store, clock)
    earlier = clock.now() - timedelta(minutes=30)
    notified = _notify(store, clock, incident.id, aware_at=earlier)
    assert notified.aware_at == earlier
    action, detail = _last_audit(store, incident.id)
    assert action == "incident.notify"
    assert detail["aware_at"] == {
        "from": incident.aware_at.isoformat(),
        "to": earlier.isoformat(),
    }


def test_after_the_notification_awareness_moves_only_earlier_with_a_reason(store, clock):
    incident = open_one(store, clock)
    clock.advance(timedelta(minutes=20))
    notified = _notify(store, clock, incident.id)
    clock.advance(timedelta(hours=5))

    def correct(at, reason="查核防火牆紀錄後更正"):
        return _correct(store, clock, incident.id, at, reason)

    with pytest.raises(InputError, match="after the notification filed at"):
        correct(notified.notified_at + timedelta(minutes=1))
    with pytest.raises(InputError, match="in the future"):
        correct(clock.now() + timedelta(days=1))
    with pytest.raises(InputError, match="say why") as refused:
        correct(incident.aware_at - timedelta(hours=2), reason="  ")
    assert refused.value.location == "reason"
    unchanged = service.get_incident(store=store, actor=XITUN, incident_id=incident.id)
    assert unchanged.aware_at == incident.aware_at and unchanged.version == notified.version

    earlier = incident.aware_at - timedelta(hours=2)
    corrected = correct(earlier)
    assert corrected.aware_at == earlier
    assert _notify_clock(corrected, clock) is DeadlineStatus.MISSED  # 2 h 20 min after
    action, detail = _last_audit(store, incident.id)
    assert action == "incident.aware_at"
    assert detail["aware_at"] == {"from": incident.aware_at.isoformat(), "to": earlier.isoformat()}
    assert detail["reason"] == "查核防火牆紀錄後更正"


def test_awareness_is_corrected_only_by_whom_may_edit_the_incident(store, clock):
    incident = open_one(store, clock)
    with pytest.raises(NotFoundError):
        _correct(store, clock, incident.id, clock.now(), "x", actor=POLICE)


def test_a_missed_notification_stays_missed_when_awareness_is_moved_later(store, clock):
    incident = open_one(store, clock)
    clock.advance(timedelta(hours=3))
    late = _notify(store, clock, incident.id)
    assert _notify_clock(late, clock) is DeadlineStatus.MISSED
    clock.advance(timedelta(hours=1))
    # Moved to half an hour before the notification: on its own that would read "met".
    later_awareness = late.notified_at - timedelta(minutes=30)
    corrected = _correct(store, clock, incident.id, later_awareness, "主管說明較晚得知")
    assert corrected.aware_at == later_awareness
    row = _notify_row(corrected, clock)
    assert row.status is DeadlineStatus.MISSED
    assert row.due_at == incident.aware_at + timedelta(hours=1)  # from the original T0
    assert row.corrected_status is DeadlineStatus.MET
    assert row.corrected_due_at == later_awareness + timedelta(hours=1)
    assert row.correction_reasons == ("主管說明較晚得知",)


def test_an_overdue_clock_is_not_relaxed_by_the_notifications_awareness(store, clock):
    incident = open_one(store, clock)
    clock.advance(timedelta(hours=3))  # overdue before anyone files
    filed = _notify(store, clock, incident.id, aware_at=clock.now() - timedelta(minutes=30))
    assert _notify_clock(filed, clock) is DeadlineStatus.MISSED
    [correction] = filed.corrections
    assert (correction.old, correction.new) == (incident.aware_at, filed.aware_at)


def test_a_correction_before_the_due_time_moves_the_clock(store, clock):
    incident = open_one(store, clock)
    clock.advance(timedelta(minutes=10))
    moved = incident.aware_at + timedelta(minutes=5)
    corrected = _correct(store, clock, incident.id, moved, "")
    row = _notify_row(corrected, clock)
    assert row.due_at == moved + timedelta(hours=1)
    assert row.corrected_status is None and row.status is DeadlineStatus.PENDING


def test_the_incident_keeps_each_correction_who_when_old_new_why(store, clock):
    incident = open_one(store, clock, actor=XITUN)
    clock.advance(timedelta(minutes=20))
    _notify(store, clock, incident.id)
    clock.advance(timedelta(hours=1))
    earlier = incident.aware_at - timedelta(hours=1)
    occurred = incident.aware_at - timedelta(days=1)
    _correct(store, clock, incident.id, earlier, "防火牆紀錄")
    corrected = _correct(
        store, clock, incident.id, occurred, "主機日誌", field=CorrectedField.OCCURRED_AT
    )
    assert [(c.by, c.at, c.field, c.old, c.new, c.reason) for c in corrected.corrections] == [
        (
            XITUN.label,
            clock.now(),
            CorrectedField.AWARE_AT,
            incident.aware_at,
            earlier,
            "防火牆紀錄",
        ),
        (XITUN.label, clock.now(), CorrectedField.OCCURRED_AT, None, occurred, "主機日誌"),
    ]
    assert corrected.occurred_at == occurred
    action, detail = _last_audit(store, incident.id)
    assert action == "incident.occurred_at"
    assert detail["occurred_at"] == {"from": None, "to": occurred.isoformat()}
    assert detail["reason"] == "主機日誌"


def test_occurred_at_after_the_notification_needs_a_reason_and_never_the_future(store, clock):
    incident = open_one(store, clock)
    _notify(store, clock, incident.id)
    with pytest.raises(InputError, match="say why occurred_at") as refused:
        _correct(store, clock, incident.id, clock.now(), " ", field=CorrectedField.OCCURRED_AT)
    assert refused.value.location == "reason"
    with pytest.raises(InputError, match="occurred_at .* is in the future") as future:
        _correct(
            store,
            clock,
            incident.id,
            clock.now() + timedelta(minutes=1),
            "r",
            field=CorrectedField.OCCURRED_AT,
        )
    assert future.value.location == "occurred_at"


def test_an_incident_cannot_open_with_a_future_occurrence(store, clock):
    with pytest.raises(InputError, match="occurred_at .* is in the future") as refused:
        service.open_incident(
            store=store,
            actor=XITUN,
            organization_id="district-xitun",
            title="x",
            aware_at=clock.now(),
            occurred_at=clock.now() + timedelta(hours=1),
            clock=clock,
        )
    assert refused.value.location == "occurred_at"

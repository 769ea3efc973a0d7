"""The time of awareness starts the statutory clocks: it can never move into the future or
past a filed notification, a change after the notification needs a reason, and the audit
trail keeps the old and new values."""

import json
from datetime import timedelta

import pytest

from core.errors import InputError, NotFoundError
from incidents import service
from incidents.deadlines import DeadlineKind, DeadlineStatus
from tests.incidents.test_service import LEVEL2, POLICE, XITUN, open_one


@pytest.fixture
def engine(both_engines: str) -> str:
    return both_engines


def _notify(store, clock, incident_id, **kwargs):
    return service.file_notification(
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


def _notify_clock(incident, clock):
    [clock_row] = [
        d for d in service.deadlines(incident, now=clock.now()) if d.kind is DeadlineKind.NOTIFY
    ]
    return clock_row.status


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
        return service.correct_aware_at(
            store=store,
            actor=XITUN,
            incident_id=incident.id,
            aware_at=at,
            reason=reason,
            clock=clock,
        )

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
        service.correct_aware_at(
            store=store,
            actor=POLICE,
            incident_id=incident.id,
            aware_at=clock.now(),
            reason="x",
            clock=clock,
        )

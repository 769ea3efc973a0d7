"""The incident workflow through the service: access, clocks, re-notification, conflicts."""

from datetime import timedelta

import pytest

from core.access import Actor, Role
from core.errors import ConflictError, ForbiddenError, InputError, NotFoundError, TransitionError
from incidents import closing, notification, repository, service
from incidents.deadlines import DeadlineKind, DeadlineStatus
from incidents.levels import Availability, Impact, InfoClass, LevelAnswers, SystemClass
from incidents.models import IncidentState, InvestigationReport, NotificationKind
from tests.factories import XITUN, open_incident

POLICE = Actor("police", Role.REPORTER, agency="police")
AUDITOR = Actor("audrey", Role.AUDITOR)
LEVEL2 = LevelAnswers(system_class=SystemClass.CORE_NON_CI, availability=Availability.WITHIN_MTD)
LEVEL3 = LevelAnswers(system_class=SystemClass.CORE_NON_CI, availability=Availability.BEYOND_MTD)
REPORT = InvestigationReport(
    scope_and_damage="一台伺服器",
    containment_process="隔離",
    investigation_process="鑑識",
    root_cause="弱密碼",
    preventive_measures="多因子驗證",
    schedule_and_tracking="每月追蹤",
)


@pytest.fixture
def engine(both_engines: str) -> str:
    """These hold on both engines."""
    return both_engines


def open_one(store, clock, actor=XITUN):
    return open_incident(store, clock, actor=actor, title="檔案伺服器遭入侵")


def notify(store, clock, incident_id, actor=XITUN, answers=LEVEL2):
    return notification.file_notification(
        store=store,
        actor=actor,
        incident_id=incident_id,
        answers=answers,
        description="狀況",
        response_measures="隔離",
        outside_support_needed=False,
        clock=clock,
    )


def test_full_workflow_with_a_level_raised_in_review(store, clock, lead):
    incident = open_one(store, clock)
    clock.advance(timedelta(minutes=40))
    notified = notify(store, clock, incident.id)
    assert (notified.state, notified.level) == (IncidentState.NOTIFIED, 2)
    clock.advance(timedelta(hours=1))
    reviewed = notification.review_level(
        store=store,
        actor=lead,
        incident_id=incident.id,
        level=3,
        note="核心系統中斷逾可容忍時間",
        clock=clock,
    )
    assert reviewed.level == 3
    assert [n.kind for n in reviewed.notifications] == [
        NotificationKind.INITIAL,
        NotificationKind.LEVEL_CHANGE,
    ]
    clocks = {d.kind: d for d in service.deadlines(reviewed, now=clock.now())}
    assert clocks[DeadlineKind.NOTIFY].status is DeadlineStatus.MET
    assert clocks[DeadlineKind.REVIEW].status is DeadlineStatus.MET
    assert clocks[DeadlineKind.CONTAINMENT].due_at == incident.aware_at + timedelta(hours=36)
    clock.advance(timedelta(hours=20))
    contained = closing.mark_contained(
        store=store, actor=XITUN, incident_id=incident.id, clock=clock
    )
    assert contained.state is IncidentState.CONTAINED
    with pytest.raises(TransitionError, match="without its investigation report"):
        closing.close_incident(
            store=store, actor=XITUN, incident_id=incident.id, reason="done", clock=clock
        )
    closing.submit_report(
        store=store, actor=XITUN, incident_id=incident.id, report=REPORT, clock=clock
    )
    closed = closing.close_incident(
        store=store, actor=lead, incident_id=incident.id, reason="改善措施已排程", clock=clock
    )
    assert closed.state is IncidentState.CLOSED
    actions = [row.action for row in store.audit.rows(subject=incident.id)]
    assert actions == [
        "incident.open",
        "incident.notify",
        "incident.review",
        "incident.contain",
        "incident.report",
        "incident.close",
    ]


def test_a_late_notification_is_shown_as_missed(store, clock):
    incident = open_one(store, clock)
    clock.advance(timedelta(hours=1, minutes=5))
    late = notify(store, clock, incident.id)
    clocks = {d.kind: d for d in service.deadlines(late, now=clock.now())}
    assert clocks[DeadlineKind.NOTIFY].status is DeadlineStatus.MISSED
    assert clocks[DeadlineKind.NOTIFY].delay() == timedelta(minutes=5)


def test_report_must_cover_every_statutory_item(store, clock):
    incident = open_one(store, clock)
    notify(store, clock, incident.id)
    closing.mark_contained(store=store, actor=XITUN, incident_id=incident.id, clock=clock)
    with pytest.raises(InputError, match="root_cause"):
        closing.submit_report(
            store=store,
            actor=XITUN,
            incident_id=incident.id,
            report=REPORT.model_copy(update={"root_cause": " "}),
            clock=clock,
        )


def test_workflow_steps_out_of_order_say_why(store, clock, lead):
    incident = open_one(store, clock)
    with pytest.raises(TransitionError, match="no notification to review"):
        notification.review_level(store=store, actor=lead, incident_id=incident.id, clock=clock)
    with pytest.raises(TransitionError, match="file the notification first"):
        closing.mark_contained(store=store, actor=XITUN, incident_id=incident.id, clock=clock)
    notify(store, clock, incident.id)
    with pytest.raises(TransitionError, match="already filed"):
        notify(store, clock, incident.id)
    with pytest.raises(TransitionError, match="cannot be dismissed"):
        closing.dismiss(store=store, actor=lead, incident_id=incident.id, reason="x", clock=clock)


def test_another_agencys_reporter_cannot_see_or_touch_the_incident(store, clock):
    incident = open_one(store, clock)
    with pytest.raises(NotFoundError):
        service.get_incident(store=store, actor=POLICE, incident_id=incident.id)
    with pytest.raises(NotFoundError):
        notify(store, clock, incident.id, actor=POLICE)
    assert service.list_incidents(store=store, actor=POLICE) == []
    assert [i.id for i in service.list_incidents(store=store, actor=XITUN)] == [incident.id]
    with pytest.raises(NotFoundError):
        open_one(store, clock, actor=POLICE)


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        (XITUN, False),
        (AUDITOR, False),
        (Actor("amy", Role.ANALYST), False),
        (Actor("lee", Role.LEAD), True),
    ],
)
def test_only_the_superiors_reviewer_reviews_levels(store, clock, actor, allowed):
    incident = open_one(store, clock)
    notify(store, clock, incident.id)
    if allowed:
        notification.review_level(store=store, actor=actor, incident_id=incident.id, clock=clock)
    else:
        with pytest.raises(ForbiddenError, match="may not review level"):
            notification.review_level(
                store=store, actor=actor, incident_id=incident.id, clock=clock
            )


def test_auditor_reads_but_cannot_change(store, clock):
    incident = open_one(store, clock)
    assert service.get_incident(store=store, actor=AUDITOR, incident_id=incident.id)
    with pytest.raises(ForbiddenError):
        notify(store, clock, incident.id, actor=AUDITOR)


def test_two_writers_on_the_same_version_the_second_gets_a_conflict(store, clock):
    incident = open_one(store, clock)
    first = repository.get(store, incident.id, actor=XITUN)
    second = repository.get(store, incident.id, actor=XITUN)
    first.description = "first"
    repository.save(store, first, expected_version=first.version)
    second.description = "second"
    with pytest.raises(ConflictError, match="changed by someone else"):
        repository.save(store, second, expected_version=second.version)
    assert repository.get(store, incident.id, actor=XITUN).description == "first"


def test_level_change_needs_a_reason_and_renotifies(store, clock):
    incident = open_one(store, clock)
    notify(store, clock, incident.id)
    with pytest.raises(InputError, match="why the level changes"):
        notification.change_level(
            store=store,
            actor=XITUN,
            incident_id=incident.id,
            answers=LEVEL3,
            reason=" ",
            clock=clock,
        )
    changed = notification.change_level(
        store=store,
        actor=XITUN,
        incident_id=incident.id,
        answers=LEVEL3,
        reason="中斷超過可容忍時間",
        clock=clock,
    )
    assert changed.level == 3 and len(changed.notifications) == 2
    assert changed.level_reasons[0].startswith("第3級")


@pytest.mark.parametrize(
    ("answers", "reason"), [(LevelAnswers(), "r"), (LEVEL3, " ")], ids=["no criterion", "blank"]
)
def test_a_level_change_checks_access_before_the_answers(store, clock, answers, reason):
    """Wrong answers or a blank reason from who may not change the level say nothing about
    the incident: another agency gets NotFoundError, a role without the right Forbidden."""
    incident = open_one(store, clock)
    notify(store, clock, incident.id)
    for actor, refusal in ((POLICE, NotFoundError), (AUDITOR, ForbiddenError)):
        with pytest.raises(refusal):
            notification.change_level(
                store=store,
                actor=actor,
                incident_id=incident.id,
                answers=answers,
                reason=reason,
                clock=clock,
            )
    with pytest.raises(InputError):  # who may change it hears what is wrong
        notification.change_level(
            store=store,
            actor=XITUN,
            incident_id=incident.id,
            answers=answers,
            reason=reason,
            clock=clock,
        )


def test_aware_time_in_the_future_is_rejected(store, clock):
    with pytest.raises(InputError, match="in the future"):
        service.open_incident(
            store=store,
            actor=XITUN,
            organization_id="district-xitun",
            title="x",
            aware_at=clock.now() + timedelta(hours=1),
            clock=clock,
        )


def test_leak_of_official_secrets_is_major(store, clock):
    incident = open_one(store, clock)
    filed = notify(
        store,
        clock,
        incident.id,
        answers=LevelAnswers(info_class=InfoClass.OFFICIAL_SECRET, leak=Impact.MINOR),
    )
    assert filed.level == 3
    review = {d.kind: d for d in service.deadlines(filed, now=clock.now())}[DeadlineKind.REVIEW]
    assert review.due_at == filed.notified_at + timedelta(hours=2)

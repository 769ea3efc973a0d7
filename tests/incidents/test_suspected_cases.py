"""Suspected case -> confirmed incident (issue 14 item 1): triage starts no statutory clock;
a person's confirmation records awareness (知悉) and starts them; a dismissed suspected case
is only counted by the compliance report (regulations.md §3)."""

import json
from datetime import date, timedelta

import pytest

from core.access import SYSTEM, Actor, Role
from core.alerts import AlertQuery, AlertStatus, Severity
from core.errors import InputError, TransitionError
from core.settings import Settings
from incidents import awareness, closing, notification, service, triage
from incidents.deadlines import DeadlineKind, DeadlineStatus
from incidents.levels import Availability, LevelAnswers, SystemClass
from incidents.models import CorrectedField, IncidentState
from incidents.workflow import Step, available_steps
from reports.compliance import build_compliance
from tests.incidents.test_triage import ingest_users

REPORTER = Actor("xitun-contact", Role.REPORTER, agency="district-xitun")
AUDITOR = Actor("audrey", Role.AUDITOR)
TARGETS = {"critical": 30, "high": 120, "medium": 480}


def suspected(store, registry, clock):
    ingest_users(store, registry, clock, ["a", "b"])
    triage.auto_triage(
        store=store, actor=SYSTEM, registry=registry, clock=clock, min_severity="medium"
    )
    [case] = service.list_incidents(store=store, actor=SYSTEM)
    return case


def notify(store, clock, incident_id):
    return notification.file_notification(
        store=store,
        actor=REPORTER,
        incident_id=incident_id,
        answers=LevelAnswers(
            system_class=SystemClass.NON_CORE, availability=Availability.WITHIN_MTD
        ),
        description="d",
        response_measures="m",
        outside_support_needed=False,
        clock=clock,
    )


def test_triage_makes_a_suspected_case_with_no_statutory_clock(store, registry, clock):
    case = suspected(store, registry, clock)
    assert case.state is IncidentState.SUSPECTED
    assert case.aware_at is None and case.suspected_at == clock.now()
    assert service.deadlines(case, now=clock.now() + timedelta(days=30)) == []
    # only the internal triage target of its severity runs
    assert case.severity is not None
    due = service.triage_target(case, targets=TARGETS)
    assert due == clock.now() + timedelta(minutes=TARGETS[case.severity.value])
    with pytest.raises(TransitionError, match="confirm the suspected case"):
        notify(store, clock, case.id)


def test_confirm_starts_the_clocks_at_the_stated_awareness(store, registry, clock, analyst):
    case = suspected(store, registry, clock)
    assert Step.CONFIRM in available_steps(REPORTER, case)
    clock.advance(timedelta(minutes=40))
    earlier = clock.now() - timedelta(minutes=25)
    with pytest.raises(InputError) as no_reason:
        awareness.confirm(
            store=store, actor=REPORTER, incident_id=case.id, aware_at=earlier, clock=clock
        )
    assert no_reason.value.location == "reason"
    confirmed = awareness.confirm(
        store=store,
        actor=REPORTER,
        incident_id=case.id,
        aware_at=earlier,
        reason="the district office phoned the SOC",
        clock=clock,
    )
    assert confirmed.state is IncidentState.OPEN
    assert (confirmed.aware_at, confirmed.confirmed_at) == (earlier, clock.now())
    assert confirmed.confirmed_by == REPORTER.label
    assert service.triage_target(confirmed, targets=TARGETS) is None
    [notify_clock] = [
        d for d in service.deadlines(confirmed, now=clock.now()) if d.kind is DeadlineKind.NOTIFY
    ]
    assert notify_clock.due_at == earlier + timedelta(hours=1)
    [entry] = [r for r in store.audit.rows(subject=case.id) if r.action == "incident.confirm"]
    detail = json.loads(entry.detail)
    assert detail["state"] == "suspected -> open"
    assert detail["aware_at"] == {"from": None, "to": earlier.isoformat()}
    with pytest.raises(TransitionError, match="already confirmed"):
        awareness.confirm(store=store, actor=analyst, incident_id=case.id, clock=clock)


def test_confirmation_time_is_awareness_by_default(store, registry, clock, analyst):
    case = suspected(store, registry, clock)
    clock.advance(timedelta(minutes=10))
    confirmed = awareness.confirm(store=store, actor=analyst, incident_id=case.id, clock=clock)
    assert confirmed.aware_at == clock.now()


def test_a_future_or_impossible_awareness_is_refused(store, registry, clock):
    case = suspected(store, registry, clock)
    for when in (clock.now() + timedelta(minutes=1), case.occurred_at - timedelta(minutes=1)):
        with pytest.raises(InputError) as refused:
            awareness.confirm(
                store=store,
                actor=REPORTER,
                incident_id=case.id,
                aware_at=when,
                reason="r",
                clock=clock,
            )
        assert refused.value.location == "aware_at"
    # nor may a correction of awareness confirm by the back door
    with pytest.raises(InputError, match="confirm it"):
        awareness.correct_time(
            store=store,
            actor=REPORTER,
            incident_id=case.id,
            field=CorrectedField.AWARE_AT,
            value=clock.now(),
            reason="r",
            clock=clock,
        )
    assert service.get_incident(store=store, actor=SYSTEM, incident_id=case.id).aware_at is None


def test_a_dismissed_suspected_case_is_counted_once_and_never_late(store, registry, clock, analyst):
    case = suspected(store, registry, clock)
    clock.advance(timedelta(days=3))  # long past any notification clock it could have had
    closing.dismiss(
        store=store, actor=analyst, incident_id=case.id, reason="a test account", clock=clock
    )
    alerts = store.alerts.list(AlertQuery(status=AlertStatus.FALSE_POSITIVE), limit=10)
    assert {a.id for a in alerts} == set(case.alert_ids)
    report = build_compliance(
        store=store,
        actor=AUDITOR,
        registry=registry,
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        now=clock.now(),
    )
    assert report.dismissed_suspected == 1
    assert report.incidents == 0 and report.rows == [] and report.open_overdue == []
    assert DeadlineStatus.MISSED not in report.clocks.get(DeadlineKind.NOTIFY, {})


def test_manually_opened_incidents_stay_confirmed_at_once(store, clock, analyst):
    opened = service.open_incident(
        store=store,
        actor=analyst,
        organization_id="district-xitun",
        title="phoned in",
        aware_at=clock.now(),
        clock=clock,
    )
    assert opened.state is IncidentState.OPEN and opened.aware_at == clock.now()
    assert Step.CONFIRM not in available_steps(analyst, opened)
    assert service.deadlines(opened, now=clock.now())


def test_triage_targets_are_configurable_per_severity():
    settings = Settings(triage_target_minutes="critical=15, high=60")  # type: ignore[arg-type]
    assert settings.triage_target_minutes == {"critical": 15, "high": 60}
    with pytest.raises(ValueError, match="unknown severity"):
        Settings(triage_target_minutes="urgent=5")  # type: ignore[arg-type]
    assert Severity.CRITICAL.value in Settings().triage_target_minutes

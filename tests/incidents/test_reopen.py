"""Reopening (重新開啟, issue 14 item 2) through the service on a real store: a dismissed
suspected case is suspected again with its alerts escalated to it and still no clock; a
closed incident is open again at its furthest milestone with the clocks it met still met;
who may reopen depends on the ending undone; the reopening is recorded and audited."""

import json
from datetime import timedelta

import pytest

from core.access import Actor, Role
from core.alerts import AlertQuery, AlertStatus
from core.errors import ForbiddenError, InputError, NotFoundError, TransitionError
from incidents import closing, service, workflow
from incidents.deadlines import DeadlineStatus
from incidents.models import IncidentState, InvestigationReport
from incidents.workflow import Step
from tests.factories import XITUN
from tests.incidents.test_forward_and_endings import forward, reviewed
from tests.incidents.test_suspected_cases import suspected

AUDITOR = Actor("audrey", Role.AUDITOR)
POLICE = Actor("police-contact", Role.REPORTER, agency="police")
REPORT = InvestigationReport(**dict.fromkeys(InvestigationReport.model_fields, "written"))


@pytest.fixture
def engine(both_engines: str) -> str:
    """Reopening, its record and the alerts it escalates again hold on both engines."""
    return both_engines


def closed(store, clock, lead):
    incident = reviewed(store, clock, lead)
    forward(store, clock, lead, incident.id)
    closing.mark_contained(store=store, actor=lead, incident_id=incident.id, clock=clock)
    closing.submit_report(
        store=store, actor=XITUN, incident_id=incident.id, report=REPORT, clock=clock
    )
    return closing.close_incident(
        store=store, actor=XITUN, incident_id=incident.id, reason="done", clock=clock
    )


def reopen(store, clock, actor, incident_id, reason="新的跡象"):
    return closing.reopen(
        store=store, actor=actor, incident_id=incident_id, reason=reason, clock=clock
    )


def test_a_dismissed_suspected_case_is_suspected_again_with_its_alerts(
    store, registry, clock, analyst
):
    case = suspected(store, registry, clock)
    dismissed = closing.dismiss(
        store=store, actor=analyst, incident_id=case.id, reason="測試帳號", clock=clock
    )
    assert Step.REOPEN in workflow.available_steps(analyst, dismissed)
    clock.advance(timedelta(hours=5))
    again = reopen(store, clock, analyst, case.id)
    assert again.state is IncidentState.SUSPECTED
    assert again.aware_at is None and service.deadlines(again, now=clock.now()) == []
    assert again.closed_at is None and again.close_reason is None
    [record] = again.reopenings
    assert (record.at, record.by, record.reason) == (clock.now(), analyst.label, "新的跡象")
    assert (record.from_state, record.ended_reason) == (IncidentState.FALSE_POSITIVE, "測試帳號")
    # the alerts leave the false positive status and belong to the case, as an escalation
    alerts = store.alerts.list(AlertQuery(status=AlertStatus.ESCALATED), limit=10)
    assert {a.id for a in alerts} == set(case.alert_ids)
    assert {a.incident_id for a in alerts} == {case.id} and {a.status_reason for a in alerts} == {
        None
    }
    assert store.alerts.list(AlertQuery(status=AlertStatus.FALSE_POSITIVE), limit=10) == []
    [row] = [r for r in store.audit.rows(subject=case.id) if r.action == "incident.reopen"]
    detail = json.loads(row.detail)
    assert detail["reason"] == "新的跡象" and detail["ended"] == "false_positive"
    assert detail["state"] == "false_positive -> suspected"
    # and it can be confirmed or dismissed again
    assert {Step.CONFIRM, Step.DISMISS} <= workflow.available_steps(analyst, again)


def test_only_who_may_triage_reopens_a_dismissed_case(store, registry, clock, analyst, lead):
    case = suspected(store, registry, clock)
    closing.dismiss(store=store, actor=analyst, incident_id=case.id, reason="誤報", clock=clock)
    # the agency's reporter may not dismiss, so may not undo a dismissal either
    with pytest.raises(ForbiddenError):
        reopen(store, clock, XITUN, case.id)
    with pytest.raises(ForbiddenError):
        reopen(store, clock, AUDITOR, case.id)
    with pytest.raises(NotFoundError):  # another agency learns nothing, not even a refusal
        reopen(store, clock, POLICE, case.id)
    dismissed = service.get_incident(store=store, actor=lead, incident_id=case.id)
    assert Step.REOPEN not in workflow.available_steps(XITUN, dismissed)
    assert reopen(store, clock, lead, case.id).state is IncidentState.SUSPECTED


def test_a_closed_incident_reopens_at_its_furthest_milestone_with_its_clocks(store, clock, lead):
    done = closed(store, clock, lead)
    before = {d.kind: d for d in service.deadlines(done, now=clock.now())}
    assert Step.REOPEN in workflow.available_steps(XITUN, done)  # the agency closed it
    clock.advance(timedelta(days=40))
    again = reopen(store, clock, XITUN, done.id)
    assert again.state is IncidentState.REPORTED
    assert again.closed_at is None and again.reopenings[0].from_state is IncidentState.CLOSED
    assert again.reopenings[0].ended_at == done.closed_at
    after = {d.kind: d for d in service.deadlines(again, now=clock.now())}
    assert after == before  # nothing is reset: the met clocks stay met, none became overdue
    assert all(d.status is DeadlineStatus.MET for d in after.values())
    # the report stays on file, so closing again needs nothing new
    assert Step.CLOSE in workflow.available_steps(XITUN, again)
    assert Step.REPORT not in workflow.available_steps(XITUN, again)
    end = closing.close_incident(
        store=store, actor=XITUN, incident_id=done.id, reason="", clock=clock
    )
    assert end.state is IncidentState.CLOSED and len(end.reopenings) == 1


def test_reopening_needs_an_ended_incident_and_a_reason(store, clock, lead):
    done = closed(store, clock, lead)
    with pytest.raises(InputError) as blank:
        reopen(store, clock, XITUN, done.id, reason="  ")
    assert blank.value.location == "reason"
    with pytest.raises(ForbiddenError):  # the reason is asked of who may reopen only
        reopen(store, clock, AUDITOR, done.id, reason=" ")
    reopen(store, clock, XITUN, done.id)
    with pytest.raises(TransitionError, match="not closed or dismissed"):
        reopen(store, clock, XITUN, done.id)


def test_an_open_incident_does_not_offer_reopening(store, clock, lead):
    incident = reviewed(store, clock, lead)
    assert Step.REOPEN not in workflow.available_steps(lead, incident)
    assert workflow.right_for(Step.REOPEN, incident) is workflow.right_for(Step.CLOSE)

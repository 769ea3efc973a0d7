"""Forwarding the superior's review to the competent authority (審核結果送主管機關), closing
and dismissing, through the service on a real store: the forward clock is met and counted,
the proof is kept and audited, and an ended incident offers no step."""

import json
from datetime import date, timedelta

import pytest

from core.access import Actor, Role
from core.errors import ForbiddenError, InputError, TransitionError
from incidents import closing, notification, service, workflow
from incidents.deadlines import DeadlineKind, DeadlineStatus
from incidents.levels import Availability, LevelAnswers, SystemClass
from incidents.models import IncidentState
from reports.compliance import build_compliance
from tests.factories import XITUN, open_incident

LEVEL2 = LevelAnswers(system_class=SystemClass.CORE_NON_CI, availability=Availability.WITHIN_MTD)
AUDITOR = Actor("audrey", Role.AUDITOR)


@pytest.fixture
def engine(both_engines: str) -> str:
    """The forwarding proof and the ended states hold on both engines."""
    return both_engines


def reviewed(store, clock, lead):
    incident = open_incident(store, clock, actor=XITUN, title="檔案伺服器遭入侵")
    notification.file_notification(
        store=store,
        actor=XITUN,
        incident_id=incident.id,
        answers=LEVEL2,
        description="狀況",
        response_measures="隔離",
        outside_support_needed=False,
        clock=clock,
    )
    clock.advance(timedelta(minutes=30))
    notification.review_level(store=store, actor=lead, incident_id=incident.id, clock=clock)
    return incident


def forward(store, clock, lead, incident_id, **changes):
    args = {"to": "數位發展部資通安全署", "reference": "NCERT-2026-0001"} | changes
    return notification.record_forwarded(
        store=store, actor=lead, incident_id=incident_id, clock=clock, **args
    )


def test_forwarding_meets_the_forward_clock_and_the_report_counts_it(store, clock, lead, registry):
    incident = reviewed(store, clock, lead)
    waiting = {
        d.kind: d
        for d in service.deadlines(
            service.get_incident(store=store, actor=lead, incident_id=incident.id), now=clock.now()
        )
    }
    assert waiting[DeadlineKind.FORWARD].done_at is None
    clock.advance(timedelta(minutes=10))
    sent_at = clock.now() - timedelta(minutes=5)  # recorded a little after it was sent
    done = forward(store, clock, lead, incident.id, at=sent_at)
    assert (done.forwarded_at, done.forwarded_to, done.forward_reference) == (
        sent_at,
        "數位發展部資通安全署",
        "NCERT-2026-0001",
    )
    clocks = {d.kind: d for d in service.deadlines(done, now=clock.now())}
    assert clocks[DeadlineKind.FORWARD].status is DeadlineStatus.MET
    assert clocks[DeadlineKind.FORWARD].done_at == sent_at
    [row] = [r for r in store.audit.rows(subject=incident.id) if r.action == "incident.forward"]
    detail = json.loads(row.detail)
    assert detail["reference"] == "NCERT-2026-0001" and detail["to"] == "數位發展部資通安全署"
    report = build_compliance(
        store=store,
        actor=lead,
        registry=registry,
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        now=clock.now(),
        agency="district-xitun",
    )
    assert report.clocks[DeadlineKind.FORWARD] == {DeadlineStatus.MET: 1}


def test_forwarding_needs_the_proof_and_a_possible_time(store, clock, lead):
    incident = reviewed(store, clock, lead)
    with pytest.raises(InputError, match="reference number"):
        forward(store, clock, lead, incident.id, reference=" ")
    with pytest.raises(InputError, match="sent to"):
        forward(store, clock, lead, incident.id, to="")
    with pytest.raises(InputError, match="in the future"):
        forward(store, clock, lead, incident.id, at=clock.now() + timedelta(minutes=1))
    with pytest.raises(InputError, match="before the review"):
        forward(store, clock, lead, incident.id, at=clock.now() - timedelta(minutes=1))
    with pytest.raises(ForbiddenError):  # the superior forwards, not the reporting agency
        forward(store, clock, XITUN, incident.id)
    done = forward(store, clock, lead, incident.id)
    assert done.forwarded_at == clock.now()
    with pytest.raises(TransitionError, match="already forwarded"):
        forward(store, clock, lead, incident.id)


def test_an_incident_that_was_not_reviewed_cannot_be_forwarded(store, clock, lead):
    incident = open_incident(store, clock)
    with pytest.raises(TransitionError, match="review the level before forwarding"):
        forward(store, clock, lead, incident.id)


def test_a_dismissed_incident_offers_no_step_but_reopening(store, clock, lead, analyst):
    incident = open_incident(store, clock)
    with pytest.raises(InputError, match="false positive"):
        closing.dismiss(
            store=store, actor=analyst, incident_id=incident.id, reason=" ", clock=clock
        )
    with pytest.raises(ForbiddenError):  # the reason is asked of who may dismiss only
        closing.dismiss(
            store=store, actor=AUDITOR, incident_id=incident.id, reason=" ", clock=clock
        )
    gone = closing.dismiss(
        store=store, actor=analyst, incident_id=incident.id, reason="弱掃誤報", clock=clock
    )
    assert gone.state is IncidentState.FALSE_POSITIVE and gone.close_reason == "弱掃誤報"
    for actor in (lead, analyst):  # but reopening (test_reopen.py)
        assert workflow.available_steps(actor, gone) == frozenset({workflow.Step.REOPEN})
    assert workflow.available_steps(XITUN, gone) == frozenset()


def test_close_is_refused_without_the_report(store, clock, lead):
    incident = reviewed(store, clock, lead)
    with pytest.raises(TransitionError, match="without its investigation report"):
        closing.close_incident(
            store=store, actor=lead, incident_id=incident.id, reason="done", clock=clock
        )

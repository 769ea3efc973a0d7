"""Merging duplicate cases (incidents.merging) on both engines: the survivor keeps the
earliest awareness, every notification, comment, evidence file (still served) and alert;
the duplicate ends closed pointing at it; both are audited and the survivor's timeline
holds the duplicate's history; refusals say why; rights are those of editing incidents."""

from datetime import timedelta

import pytest

from core.access import Actor, Role
from core.alerts import Alert, AlertStatus, MatchedEvent, Severity
from core.errors import ForbiddenError, InputError, NotFoundError, TransitionError
from incidents import casework, closing, evidence, merging, notification, service, timeline
from incidents.levels import Availability, LevelAnswers, SystemClass
from incidents.models import IncidentState
from reports.compliance import build_compliance
from tests.factories import ADMIN, XITUN, open_incident

LEVEL2 = LevelAnswers(system_class=SystemClass.CORE_NON_CI, availability=Availability.WITHIN_MTD)


@pytest.fixture
def engine(both_engines: str) -> str:
    return both_engines


@pytest.fixture
def pair(soc):
    """The duplicate (aware 3 h ago, notified, an alert, evidence, a comment) and the later
    case of the same agency it is merged into (aware 1 h ago, its own comment)."""
    now = soc.clock.now()
    dup = open_incident(soc.store, soc.clock, title="勒索軟體 A", aware_at=now - timedelta(hours=3))
    notification.file_notification(
        store=soc.store,
        actor=XITUN,
        incident_id=dup.id,
        answers=LEVEL2,
        description="檔案遭加密",
        response_measures="隔離",
        outside_support_needed=False,
        clock=soc.clock,
    )
    alert = Alert(
        id="alert-1",
        rule_id="r1",
        rule_title="勒索軟體副檔名",
        severity=Severity.HIGH,
        organization_id="district-xitun",
        host_name="XT-FS01",
        event=MatchedEvent(event_id="e1", timestamp=now),
        created_at=now,
        group_key="g1",
    )
    soc.store.alerts.add([alert])
    service.attach_alerts(
        store=soc.store,
        actor=ADMIN,
        incident_id=dup.id,
        alert_ids=[alert.id],
        group_keys=["g1"],
        clock=soc.clock,
    )
    soc.store.alerts.update_status(
        [alert.id], status=AlertStatus.ESCALATED, reason=None, incident_id=dup.id
    )
    evidence.add_evidence(
        store=soc.store,
        actor=XITUN,
        incident_id=dup.id,
        filename="fw.log",
        data=b"deny tcp 203.0.113.9 -> 10.1.2.3:445\n",
        note="",
        root=soc.settings.evidence_path,
        max_bytes=soc.settings.max_evidence_bytes,
        clock=soc.clock,
    )
    casework.add_comment(
        store=soc.store, actor=XITUN, incident_id=dup.id, text="先發現的", clock=soc.clock
    )
    soc.clock.advance(timedelta(minutes=1))
    keep = open_incident(
        soc.store, soc.clock, title="勒索軟體 B", aware_at=now - timedelta(hours=1)
    )
    casework.add_comment(
        store=soc.store, actor=XITUN, incident_id=keep.id, text="後發現的", clock=soc.clock
    )
    soc.clock.advance(timedelta(minutes=5))
    return dup.id, keep.id


def merge(soc, dup, keep, actor=XITUN, reason="同一事件"):
    return merging.merge(
        store=soc.store,
        actor=actor,
        incident_id=dup,
        into=keep,
        reason=reason,
        clock=soc.clock,
        evidence_root=soc.settings.evidence_path,
    )


def test_the_survivor_keeps_everything_and_the_duplicate_points_at_it(soc, pair):
    dup, keep = pair
    before = service.get_incident(store=soc.store, actor=ADMIN, incident_id=dup)
    survivor = merge(soc, dup, keep)
    assert survivor.aware_at == before.aware_at  # the earliest awareness
    assert survivor.corrections[-1].reason.startswith(f"merged from {dup}")
    assert [n.at for n in survivor.notifications] == [before.notifications[0].at]
    assert survivor.state is IncidentState.NOTIFIED and survivor.level == 2
    assert [c.text for c in survivor.comments] == ["先發現的", "後發現的"]
    assert survivor.alert_ids == ["alert-1"] and survivor.merged_from == [dup]
    assert soc.store.alerts.get("alert-1").incident_id == keep
    record, path = evidence.open_evidence(
        store=soc.store,
        actor=XITUN,
        incident_id=keep,
        digest=before.evidence[0].sha256,
        root=soc.settings.evidence_path,
    )
    assert record.filename == "fw.log" and path.read_bytes().startswith(b"deny tcp")
    ended = service.get_incident(store=soc.store, actor=ADMIN, incident_id=dup)
    assert ended.state is IncidentState.CLOSED and ended.merged_into == keep
    assert ended.close_reason == f"merged into {keep}: 同一事件"
    actions = {case: [r.action for r in soc.store.audit.rows(subject=case)] for case in (dup, keep)}
    assert actions[dup][-1] == "incident.merge" and actions[keep][-1] == "incident.merge_in"
    shown = timeline.timeline(store=soc.store, actor=XITUN, incident_id=keep)
    assert "incident.notify" in {e.action for e in shown}  # the duplicate's history too


def test_the_compliance_report_counts_a_merged_pair_once(soc, pair, registry):
    """The duplicate is no incident of its own: its clocks are the survivor's now."""
    dup, keep = pair
    merge(soc, dup, keep)
    report = build_compliance(
        store=soc.store,
        actor=ADMIN,
        registry=registry,
        start=(soc.clock.now() - timedelta(days=1)).date(),
        end=soc.clock.now().date(),
        now=soc.clock.now(),
    )
    assert report.incidents == 1
    assert {row.incident_id for row in report.rows} == {keep}


def test_refusals_say_why(soc, pair):
    dup, keep = pair
    police = open_incident(soc.store, soc.clock, organization_id="police", title="p")
    with pytest.raises(InputError) as other:
        merge(soc, dup, police.id, actor=ADMIN)
    assert other.value.key == "merge_other_agency"
    with pytest.raises(InputError) as itself:
        merge(soc, dup, dup)
    assert itself.value.key == "merge_itself"
    with pytest.raises(InputError) as blank:
        merge(soc, dup, keep, reason=" ")
    assert blank.value.location == "reason"
    ended = open_incident(soc.store, soc.clock, title="誤判")
    closing.dismiss(store=soc.store, actor=ADMIN, incident_id=ended.id, reason="r", clock=soc.clock)
    with pytest.raises(InputError) as into_ended:
        merge(soc, dup, ended.id)
    assert into_ended.value.key == "merge_into_ended"
    merge(soc, dup, keep)
    with pytest.raises(TransitionError):  # merged already: it has ended
        merge(soc, dup, keep)
    with pytest.raises(TransitionError):  # and is never worked again: the survivor is
        closing.reopen(store=soc.store, actor=ADMIN, incident_id=dup, reason="r", clock=soc.clock)


def test_rights_are_those_of_editing_incidents(soc, pair):
    dup, keep = pair
    with pytest.raises(ForbiddenError):
        merge(soc, dup, keep, actor=Actor("audrey", Role.AUDITOR))
    with pytest.raises(NotFoundError):
        merge(soc, dup, keep, actor=Actor("pd", Role.REPORTER, agency="police"))
    assert merge(soc, dup, keep, actor=Actor("amy", Role.ANALYST)).merged_from == [dup]

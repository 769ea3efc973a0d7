"""One timeline per case: alerts at their events' times, comments, evidence, every step and
correction from the audit trail, case work and shares, oldest first, each once."""

from datetime import timedelta

import pytest

from core.errors import NotFoundError
from incidents import awareness, casework, notification, timeline
from incidents.evidence import add_evidence
from incidents.timeline import EntryKind, Phrase
from tests.incidents.test_service import LEVEL2, POLICE
from tests.incidents.test_suspected_cases import REPORTER, suspected


@pytest.fixture
def engine(both_engines: str) -> str:
    """The case work the timeline reads (comments, tasks, watchers) persists on both."""
    return both_engines


def test_the_timeline_merges_every_source_in_time_order(soc):
    store, clock = soc.store, soc.clock
    case = suspected(store, soc.registry, clock)
    clock.advance(timedelta(minutes=10))
    awareness.confirm(
        store=store, actor=REPORTER, incident_id=case.id, aware_at=None, reason="", clock=clock
    )
    clock.advance(timedelta(minutes=1))
    casework.add_comment(
        store=store, actor=REPORTER, incident_id=case.id, text="已隔離主機", clock=clock
    )
    clock.advance(timedelta(minutes=1))
    add_evidence(
        store=store,
        actor=REPORTER,
        incident_id=case.id,
        filename="fw.log",
        data=b"deny tcp\n",
        note="",
        root=soc.settings.evidence_path,
        max_bytes=soc.settings.max_evidence_bytes,
        clock=clock,
    )
    clock.advance(timedelta(minutes=1))
    casework.set_task(
        store=store, actor=REPORTER, incident_id=case.id, task_id="scope", done=True, clock=clock
    )
    clock.advance(timedelta(minutes=1))
    casework.watch(store=store, actor=REPORTER, incident_id=case.id, clock=clock)
    clock.advance(timedelta(minutes=1))
    notification.file_notification(
        store=store,
        actor=REPORTER,
        incident_id=case.id,
        answers=LEVEL2,
        description="d",
        response_measures="m",
        outside_support_needed=False,
        clock=clock,
    )
    entries = timeline.timeline(store=store, actor=REPORTER, incident_id=case.id)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    kinds = [e.kind for e in entries]
    alerts = [e for e in entries if e.kind is EntryKind.ALERT]
    assert len(alerts) == len(case.alert_ids) and kinds[: len(alerts)] == [EntryKind.ALERT] * len(
        alerts
    )  # the events came before triage
    rest = [(e.kind, e.action) for e in entries[len(alerts) :]]
    assert rest == [
        (EntryKind.STATE, "incident.open"),
        (EntryKind.STATE, "incident.confirm"),
        (EntryKind.COMMENT, ""),
        (EntryKind.EVIDENCE, ""),
        (EntryKind.TASK, "incident.task_done"),
        (EntryKind.CASEWORK, "incident.watch"),
        (EntryKind.STATE, "incident.notify"),
    ]
    comment = next(e for e in entries if e.kind is EntryKind.COMMENT)
    assert (comment.who, comment.summary) == ("xitun-contact", "已隔離主機")
    notify = entries[-1]
    assert "open -> notified" in notify.summary and notify.who.startswith("xitun-contact")
    assert "fw.log" in next(e for e in entries if e.kind is EntryKind.EVIDENCE).summary
    said = timeline.phrases(notify, "zh")  # the page's words: states and levels by the catalogue
    assert Phrase("狀態", "已確認，尚未通報 → 已通報", False) in said
    assert Phrase("等級", "第2級", False) in said
    assert Phrase("State", "confirmed, not yet notified → notified", False) in timeline.phrases(
        notify, "en"
    )
    task = next(e for e in entries if e.kind is EntryKind.TASK)
    assert Phrase("工作狀態", "完成", False) in timeline.phrases(task, "zh")
    alert = timeline.phrases(alerts[0], "zh")
    assert alert[0].label == "嚴重度" and alert[0].text in {"資訊", "低", "中", "高", "嚴重"}
    assert all(p.data for p in timeline.phrases(comment, "zh"))  # what someone typed, as is
    opened = next(e for e in entries if e.action == "incident.open")
    named = timeline.phrases(opened, "zh", agency=lambda code: f"name of {code}")
    assert Phrase("機關", f"name of {case.organization_id}", False) in named  # not its code
    assert Phrase("狀態", "已通報", False) in timeline.phrases(
        notify.model_copy(update={"facts": {"state": "notified -> notified"}}), "zh"
    )  # an unchanged state is said once


def test_another_agency_sees_no_timeline(soc):
    case = suspected(soc.store, soc.registry, soc.clock)
    with pytest.raises(NotFoundError):
        timeline.timeline(store=soc.store, actor=POLICE, incident_id=case.id)

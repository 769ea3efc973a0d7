"""Case work through the service: the owner and watchers, comments with @mentions (the one
kind of note: old stores' progress notes read as comments), the checklist's tasks; each
checked against the accounts that may see the incident, and audited."""

import json
from datetime import timedelta

import pytest

from core.access import Actor, Role
from core.errors import ForbiddenError, InputError, NotFoundError, TransitionError
from incidents import casework, closing, notification
from incidents.models import Incident, IncidentCategory
from tests.factories import XITUN, make_user, open_incident
from tests.incidents.test_service import LEVEL2, POLICE


@pytest.fixture
def people(soc):
    """Accounts: analyst amy, lead lee, Xitun's reporter, the police's reporter, an auditor."""
    make_user(soc, "amy", Role.ANALYST)
    make_user(soc, "lee", Role.LEAD)
    make_user(soc, "xitun", Role.REPORTER, agency="district-xitun")
    make_user(soc, "police", Role.REPORTER, agency="police")
    make_user(soc, "audrey", Role.AUDITOR)
    return soc


AMY = Actor("amy", Role.ANALYST)
LEE = Actor("lee", Role.LEAD)


def _incident(soc):
    return open_incident(soc.store, soc.clock, actor=XITUN, title="檔案伺服器遭入侵")


def _audit(soc, incident_id, action):
    return [
        json.loads(r.detail)
        for r in soc.store.audit.rows(subject=incident_id)
        if r.action == action
    ]


def test_assign_makes_the_owner_a_watcher_and_is_audited(people):
    soc = people
    incident = _incident(soc)
    owned = casework.assign(
        store=soc.store, actor=AMY, incident_id=incident.id, assignee="Xitun", clock=soc.clock
    )
    assert owned.assignee == "xitun"
    assert owned.watchers == ["xitun"]
    cleared = casework.assign(
        store=soc.store, actor=AMY, incident_id=incident.id, assignee=None, clock=soc.clock
    )
    assert cleared.assignee is None
    assert [d["assignee"] for d in _audit(soc, incident.id, "incident.assign")] == [
        {"from": None, "to": "xitun"},
        {"from": "xitun", "to": None},
    ]


@pytest.mark.parametrize("who", ["police", "nobody", "audrey-typo"])
def test_only_an_account_that_sees_the_agency_may_own_it(people, who):
    soc = people
    incident = _incident(soc)
    with pytest.raises(InputError, match=who) as refused:
        casework.assign(
            store=soc.store, actor=AMY, incident_id=incident.id, assignee=who, clock=soc.clock
        )
    assert refused.value.location == "assignee"


def test_another_agencys_reporter_cannot_touch_the_case(people):
    soc = people
    incident = _incident(soc)
    with pytest.raises(NotFoundError):
        casework.watch(store=soc.store, actor=POLICE, incident_id=incident.id, clock=soc.clock)
    with pytest.raises(NotFoundError):
        casework.add_comment(
            store=soc.store, actor=POLICE, incident_id=incident.id, text="x", clock=soc.clock
        )


def test_watch_oneself_and_only_a_lead_names_others(people):
    soc = people
    incident = _incident(soc)
    auditor = Actor("audrey", Role.AUDITOR)
    watched = casework.watch(
        store=soc.store, actor=auditor, incident_id=incident.id, clock=soc.clock
    )
    assert watched.watchers == ["audrey"]  # a reader may follow what it reads
    with pytest.raises(ForbiddenError, match="yourself"):
        casework.watch(
            store=soc.store, actor=AMY, incident_id=incident.id, clock=soc.clock, username="lee"
        )
    added = casework.watch(
        store=soc.store, actor=LEE, incident_id=incident.id, clock=soc.clock, username="amy"
    )
    assert added.watchers == ["audrey", "amy"]
    with pytest.raises(InputError, match="police"):
        casework.watch(
            store=soc.store, actor=LEE, incident_id=incident.id, clock=soc.clock, username="police"
        )
    gone = casework.unwatch(
        store=soc.store, actor=auditor, incident_id=incident.id, clock=soc.clock
    )
    assert gone.watchers == ["amy"]
    assert [(d["watcher"], d["watching"]) for d in _audit(soc, incident.id, "incident.watch")] == [
        ("audrey", True),
        ("amy", True),
    ]
    assert _audit(soc, incident.id, "incident.unwatch") == [
        {"state": "open -> open", "watcher": "audrey", "watching": False}
    ]


def test_a_comment_records_its_mentions_and_they_watch(people):
    soc = people
    incident = _incident(soc)
    soc.clock.advance(timedelta(minutes=5))
    text = "@amy 請協助鑑識，並通知 @LEE。mail: ops@amy.example 不是提及"
    updated = casework.add_comment(
        store=soc.store, actor=XITUN, incident_id=incident.id, text=text, clock=soc.clock
    )
    [comment] = updated.comments
    assert (comment.by, comment.text, comment.at) == ("xitun", text, soc.clock.now())
    assert comment.mentions == ["amy", "lee"]
    assert updated.watchers == ["amy", "lee"]
    [detail] = _audit(soc, incident.id, "incident.comment")
    assert detail["mentions"] == ["amy", "lee"]


@pytest.mark.parametrize("mention", ["@police", "@ghost"])
def test_a_mention_of_someone_who_may_not_see_it_is_refused_naming_them(people, mention):
    soc = people
    incident = _incident(soc)
    with pytest.raises(InputError, match=mention[1:]) as refused:
        casework.add_comment(
            store=soc.store,
            actor=XITUN,
            incident_id=incident.id,
            text=f"{mention} 請看",
            clock=soc.clock,
        )
    assert refused.value.location == "text"
    assert not _audit(soc, incident.id, "incident.comment")


def test_mentions_are_parsed_once_and_not_from_addresses():
    assert casework.mentions_in("@a1 @b.c, @a1. x@y.z (@d_e)") == ["a1", "b.c", "d_e"]


def test_stored_progress_notes_read_as_comments(clock):
    now = clock.now().isoformat()
    old = {
        "id": "INC-1",
        "organization_id": "district-xitun",
        "title": "t",
        "progress": [{"at": now, "by": "amy", "text": "已隔離"}],
        "created_at": now,
        "created_by": "amy",
        "updated_at": now,
    }
    incident = Incident.model_validate_json(json.dumps(old))
    assert [(c.by, c.text, c.mentions) for c in incident.comments] == [("amy", "已隔離", [])]
    assert "progress" not in incident.model_dump()


def test_the_checklist_follows_the_category_and_keeps_work_done(people):
    soc = people
    incident = _incident(soc)
    assert [t.id for t in incident.tasks][:2] == ["scope", "preserve-evidence"]  # default
    done = casework.set_task(
        store=soc.store,
        actor=XITUN,
        incident_id=incident.id,
        task_id="scope",
        done=True,
        clock=soc.clock,
    )
    [scope] = [t for t in done.tasks if t.id == "scope"]
    assert (scope.done_by, scope.done_at) == ("xitun", soc.clock.now())
    casework.set_task(
        store=soc.store,
        actor=XITUN,
        incident_id=incident.id,
        task_id="preserve-evidence",
        done=True,
        clock=soc.clock,
    )
    notified = notification.file_notification(
        store=soc.store,
        actor=XITUN,
        incident_id=incident.id,
        answers=LEVEL2,
        description="勒索軟體",
        response_measures="隔離",
        outside_support_needed=False,
        category=IncidentCategory.INTRUSION,
        clock=soc.clock,
    )
    ids = [t.id for t in notified.tasks]
    assert ids[0] == "isolate-host"
    # preserve-evidence is in both lists and stays done; scope (default only) was done: kept
    assert ids[-1] == "scope" and "contain" not in ids
    kept = {t.id: t.done_by for t in notified.tasks}
    assert kept["preserve-evidence"] == "xitun" and kept["isolate-host"] is None


def test_task_undo_and_an_unknown_task(people):
    soc = people
    incident = _incident(soc)
    casework.set_task(
        store=soc.store,
        actor=AMY,
        incident_id=incident.id,
        task_id="contain",
        done=True,
        clock=soc.clock,
    )
    undone = casework.set_task(
        store=soc.store,
        actor=AMY,
        incident_id=incident.id,
        task_id="contain",
        done=False,
        clock=soc.clock,
    )
    [contain] = [t for t in undone.tasks if t.id == "contain"]
    assert contain.done_at is None and contain.done_by is None
    assert _audit(soc, incident.id, "incident.task_undone")[0]["task"] == "contain"
    with pytest.raises(InputError, match="no-such") as refused:
        casework.set_task(
            store=soc.store,
            actor=AMY,
            incident_id=incident.id,
            task_id="no-such",
            done=True,
            clock=soc.clock,
        )
    assert refused.value.location == "task"


def test_auditors_do_not_tick_tasks_and_ended_cases_take_no_work(people):
    soc = people
    incident = _incident(soc)
    with pytest.raises(ForbiddenError):
        casework.set_task(
            store=soc.store,
            actor=Actor("audrey", Role.AUDITOR),
            incident_id=incident.id,
            task_id="scope",
            done=True,
            clock=soc.clock,
        )
    closing.dismiss(
        store=soc.store, actor=AMY, incident_id=incident.id, reason="誤判", clock=soc.clock
    )
    with pytest.raises(TransitionError):
        casework.add_comment(
            store=soc.store, actor=AMY, incident_id=incident.id, text="x", clock=soc.clock
        )

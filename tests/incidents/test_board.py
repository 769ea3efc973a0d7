"""The incident board's query (incidents.board) on a real store: every filter narrows,
"mine" is the asker, overdue is judged against now, the search ignores case, each order
puts what lacks its figure last, a reporter stays in their agency, and pages follow the
order."""

from datetime import timedelta

import pytest

from core.access import Actor, Role
from incidents import casework, notification
from incidents.board import MINE, BoardQuery, BoardSort, board
from incidents.levels import Availability, LevelAnswers, SystemClass
from incidents.models import IncidentState
from tests.factories import ADMIN, XITUN, make_user, open_incident

LEVEL3 = LevelAnswers(system_class=SystemClass.CORE_NON_CI, availability=Availability.BEYOND_MTD)
AMY = Actor("amy", Role.ANALYST)


@pytest.fixture
def cases(soc):
    """A: Xitun, aware 2 h ago, not notified (overdue). B: Xitun, notified at level 3 now.
    C: the police's, aware 30 min ago, owned by amy."""
    make_user(soc, "amy", Role.ANALYST)
    now = soc.clock.now()
    a = open_incident(
        soc.store, soc.clock, title="勒索軟體 FS01", aware_at=now - timedelta(hours=2)
    )
    b = open_incident(soc.store, soc.clock, title="網頁置換", aware_at=now)
    notification.file_notification(
        store=soc.store,
        actor=XITUN,
        incident_id=b.id,
        answers=LEVEL3,
        description="首頁遭置換",
        response_measures="下線",
        outside_support_needed=False,
        clock=soc.clock,
    )
    c = open_incident(
        soc.store,
        soc.clock,
        organization_id="police",
        title="DDoS on portal",
        aware_at=now - timedelta(minutes=30),
    )
    casework.assign(store=soc.store, actor=ADMIN, incident_id=c.id, assignee="amy", clock=soc.clock)
    return {"A": a.id, "B": b.id, "C": c.id}


def found(soc, cases, actor=AMY, limit=100, offset=0, **asked) -> list[str]:
    names = {v: k for k, v in cases.items()}
    _, rows = board(
        soc.store,
        actor=actor,
        query=BoardQuery(**asked),
        now=soc.clock.now(),
        triage_targets=soc.settings.triage_target_minutes,
        limit=limit,
        offset=offset,
    )
    return [names[r.incident.id] for r in rows]


def test_every_filter_narrows(soc, cases):
    assert sorted(found(soc, cases)) == ["A", "B", "C"]
    assert found(soc, cases, state=IncidentState.NOTIFIED) == ["B"]
    assert found(soc, cases, level=3) == ["B"]
    assert found(soc, cases, agency="police") == ["C"]
    assert found(soc, cases, assignee=MINE) == ["C"]  # amy asks
    assert found(soc, cases, assignee="amy", actor=ADMIN) == ["C"]
    assert found(soc, cases, assignee=MINE, actor=ADMIN) == []
    assert found(soc, cases, overdue=True) == ["A"]  # the notification clock ran out
    assert sorted(found(soc, cases, overdue=False)) == ["B", "C"]
    assert found(soc, cases, text="fs01") == ["A"]  # any case
    assert found(soc, cases, text="ddos ON") == ["C"]
    assert found(soc, cases, text=cases["B"][-6:].lower()) == ["B"]  # a piece of the id
    assert found(soc, cases, text="no such words") == []


def test_orders(soc, cases):
    assert found(soc, cases, sort=BoardSort.AWARENESS) == ["B", "C", "A"]  # latest first
    assert found(soc, cases, sort=BoardSort.LEVEL)[0] == "B"  # the only one assessed
    # A's notification is overdue (due an hour ago), C's due in 30 min, B's review in 2 h
    assert found(soc, cases, sort=BoardSort.DEADLINE) == ["A", "C", "B"]
    newest = found(soc, cases)
    assert found(soc, cases, limit=1, offset=1) == newest[1:2]
    total, _ = board(
        soc.store,
        actor=AMY,
        query=BoardQuery(sort=BoardSort.DEADLINE),
        now=soc.clock.now(),
        triage_targets={},
        limit=1,
        offset=2,
    )
    assert total == 3


def test_a_reporter_stays_in_their_agency(soc, cases):
    assert sorted(found(soc, cases, actor=XITUN)) == ["A", "B"]
    assert sorted(found(soc, cases, actor=XITUN, agency="police")) == ["A", "B"]
    assert found(soc, cases, actor=XITUN, text="DDoS") == []

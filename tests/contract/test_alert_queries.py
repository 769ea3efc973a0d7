"""The alert queue's and the audit viewer's store queries, the same on both engines:
every filter narrows, times bound the matched event, pages follow one order (also past
Elasticsearch's result window, which the test shrinks so a few records cross it)."""

from datetime import UTC, datetime, timedelta

import pytest

import core.storage.elasticsearch.store
from core.alerts import Alert, AlertQuery, AlertStatus, MatchedEvent, Severity

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def alerts(store, monkeypatch):
    monkeypatch.setattr(core.storage.elasticsearch.store, "RESULT_WINDOW", 7)
    made = [
        Alert(
            id=f"a{n:02d}",
            rule_id=f"rule-{n % 3}",
            rule_title="t",
            severity=list(Severity)[n % 5],
            organization_id="police" if n % 2 else "district-xitun",
            host_name=f"H{n % 4}",
            event=MatchedEvent(event_id=f"e{n}", timestamp=T0 + timedelta(minutes=n)),
            created_at=T0 + timedelta(seconds=n),
            group_key=f"g{n % 5}",
        )
        for n in range(30)
    ]
    assert store.alerts.add(made) == 30
    return made


def ids(found: list[Alert]) -> list[str]:
    return [a.id for a in found]


def test_every_filter_narrows(store, alerts):
    def count(**kw: object) -> int:
        return store.alerts.count(AlertQuery(**kw))  # type: ignore[arg-type]

    assert count() == 30
    assert count(organization_id="police") == 15
    assert count(severity=Severity.HIGH) == 6
    assert count(host="H1", rule_id="rule-1") == len(
        [a for a in alerts if a.host_name == "H1" and a.rule_id == "rule-1"]
    )
    assert count(since=T0 + timedelta(minutes=10), until=T0 + timedelta(minutes=20)) == 10
    assert count(since=T0 + timedelta(minutes=29, seconds=30)) == 0  # whole seconds: 01:29:30
    store.alerts.assign(["a03", "a04"], assignee="analyst")
    store.alerts.update_status(
        ["a04"], status=AlertStatus.FALSE_POSITIVE, reason="r", incident_id=None
    )
    assert count(assignee="analyst") == 2
    assert count(assignee="analyst", status=AlertStatus.NEW) == 1
    assert store.alerts.get("a04").assignee == "analyst"  # a status change keeps the assignee


def test_pages_follow_one_order_past_the_result_window(store, alerts):
    newest = AlertQuery(newest_first=True)
    pages = [ids(store.alerts.list(newest, limit=4, offset=o)) for o in range(0, 32, 4)]
    flat = [i for page in pages for i in page]
    assert flat == [f"a{n:02d}" for n in reversed(range(30))]
    assert ids(store.alerts.list(AlertQuery(), limit=3, offset=25)) == ["a25", "a26", "a27"]
    assert store.alerts.list(AlertQuery(), limit=5, offset=40) == []
    assert ids(store.alerts.list(AlertQuery(), limit=10**6)) == [a.id for a in alerts]  # > window


def test_the_audit_trail_pages_newest_first(store):
    for n in range(12):
        store.audit.append(at=T0, actor="a", action=f"act.{n}", subject=f"s{n % 2}", detail="{}")
    assert store.audit.count() == 12 and store.audit.count(subject="s1") == 6
    page = store.audit.page(limit=5, offset=0)
    assert [r.seq for r in page] == [12, 11, 10, 9, 8]
    assert [r.action for r in store.audit.page(subject="s0", limit=2, offset=4)] == [
        "act.2",
        "act.0",
    ]

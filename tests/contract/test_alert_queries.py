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


# -- what a person types into the queue: part of a host or rule, any case, taken literally --

TYPED_HOSTS = ["D-Xitun-PC07", "d-xitun-fs01", "POLICE-PC07", "web_01", "web%01", "db*1", "a?b\\c"]


@pytest.fixture
def typed(store):
    made = [
        Alert(
            id=f"t{n}",
            rule_id=f"citysoc.Rule_{n}" if n % 2 else f"sigma-{n}",
            rule_title="Mimikatz LSASS Access" if n % 3 == 0 else "Office Spawns Shell 100%",
            severity=Severity.HIGH,
            organization_id="district-xitun",
            host_name=host,
            event=MatchedEvent(event_id=f"ev{n % 3}", timestamp=T0),
            created_at=T0 + timedelta(seconds=n),
            group_key="g",
        )
        for n, host in enumerate(TYPED_HOSTS)
    ]
    assert store.alerts.add(made) == len(made)
    return made


@pytest.mark.parametrize(
    ("text", "hosts"),
    [
        ("pc07", ["D-Xitun-PC07", "POLICE-PC07"]),
        ("XITUN", ["D-Xitun-PC07", "d-xitun-fs01"]),
        ("d-xitun-pc07", ["D-Xitun-PC07"]),
        ("_", ["web_01"]),  # a LIKE wildcard is a character
        ("%", ["web%01"]),
        ("*", ["db*1"]),  # a Lucene wildcard is a character
        ("?", ["a?b\\c"]),
        ("\\", ["a?b\\c"]),
        ("b\\C", ["a?b\\c"]),
        ("web_0", ["web_01"]),
        ("nowhere", []),
    ],
)
def test_host_filter_finds_part_of_the_name_in_any_case(store, typed, text, hosts):
    found = store.alerts.list(AlertQuery(host_contains=text), limit=100)
    assert sorted(a.host_name or "" for a in found) == sorted(hosts)
    assert store.alerts.count(AlertQuery(host_contains=text)) == len(hosts)


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("mimikatz", ["t0", "t3", "t6"]),  # by title
        ("lsass ACCESS", ["t0", "t3", "t6"]),
        ("rule_", ["t1", "t3", "t5"]),  # by id, "_" literally
        ("CITYSOC.RULE_5", ["t5"]),
        ("sigma-4", ["t4"]),
        ("100%", ["t1", "t2", "t4", "t5"]),  # "%" literally, in the title
        ("*", []),
        ("rule%", []),
    ],
)
def test_rule_filter_finds_part_of_the_id_or_title_in_any_case(store, typed, text, ids):
    found = store.alerts.list(AlertQuery(rule_contains=text), limit=100)
    assert sorted(a.id for a in found) == ids


def test_typed_filters_combine_with_the_others(store, typed):
    query = AlertQuery(host_contains="xitun", rule_contains="mimikatz", newest_first=True)
    assert ids(store.alerts.list(query)) == ["t0"]
    assert store.alerts.count(AlertQuery(host_contains="pc07", organization_id="police")) == 0


def test_alerts_of_one_event(store, typed):
    assert ids(store.alerts.list(AlertQuery(event_id="ev1"))) == ["t1", "t4"]
    assert store.alerts.count(AlertQuery(event_id="nothing")) == 0

"""EventSearchStore and SavedSearchStore on both engines: the same query trees give the
same events (ids, in the same order), counts, histograms and top values."""

from datetime import UTC, datetime, timedelta

import pytest

from core.event_query.parser import parse
from core.events import Event
from core.storage import Store
from core.storage.searching import EventFilter

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _event(n: int, org: str, original: str, **fields: str | int) -> Event:
    return Event(
        event_id=f"e{n:02d}",
        timestamp=T0 + timedelta(minutes=10 * n),
        dataset="windows.security" if n % 2 else "syslog.sshd",
        organization_id=org,
        original=original,
        fields=dict(fields),
    )


EVENTS = [
    _event(
        0,
        "district-xitun",
        "Failed password for root from 10.1.2.3",
        **{"host.name": "WS-Alpha", "source.ip": "10.1.2.3", "user.name": "root"},
    ),
    _event(
        1,
        "district-xitun",
        '{"EventID": 4624, "msg": "登入成功"}',
        **{
            "host.name": "ws-alpha",
            "winlog.event_id": 4624,
            "winlog.channel": "Security",
            "winlog.event_data.LogonType": 3,
            "winlog.event_data.IpAddress": "192.168.5.9",
        },
    ),
    _event(
        2,
        "police",
        "Accepted publickey for admin from 172.16.0.4",
        **{"host.name": "gw-01", "source.ip": "172.16.0.4", "user.name": "Admin"},
    ),
    _event(
        3,
        "police",
        '{"EventID": 4625, "cmd": "C:\\\\Windows\\\\mimikatz.exe"}',
        **{
            "host.name": "DC-1",
            "winlog.event_id": 4625,
            "winlog.channel": "Security",
            "process.command_line": "C:\\Windows\\mimikatz.exe sekurlsa::logonpasswords",
            "winlog.event_data.LogonType": "10",
            "winlog.event_data.IpAddress": "::ffff:10.9.9.9",
        },
    ),
    _event(
        4,
        "district-xitun",
        '{"EventID": 4634}',
        **{
            "host.name": "dc-1",
            "winlog.event_id": 4634,
            "winlog.channel": "security",
            "winlog.event_data.LogonType": "abc",
        },
    ),
    _event(
        5,
        "fire",
        "sudo: bob : TTY=pts/0 ; COMMAND=/bin/ls *",
        **{"host.name": "fire-gw", "user.name": "bob", "process.args": "a*b?c"},
    ),
]

# query -> the ids it must give, newest first
CASES = {
    "": ["e05", "e04", "e03", "e02", "e01", "e00"],
    "host.name:ws-alpha": ["e01", "e00"],
    "host.name:WS-ALPHA AND user.name:root": ["e00"],
    "host.name:ws-*": ["e01", "e00"],
    "host.name:?c-1": ["e04", "e03"],
    "NOT host.name:dc-1": ["e05", "e02", "e01", "e00"],
    "NOT user.name:root": ["e05", "e04", "e03", "e02", "e01"],
    "user.name:admin OR user.name:bob": ["e05", "e02"],
    "winlog.event_id:[4624 TO 4630]": ["e03", "e01"],
    "winlog.event_id:{4624 TO 4634]": ["e04", "e03"],
    "winlog.event_id:>=4625": ["e04", "e03"],
    "winlog.event_data.LogonType:<5": ["e01"],
    "winlog.event_data.LogonType:>1": ["e03", "e01"],
    "source.ip:10.0.0.0/8": ["e00"],
    "winlog.event_data.IpAddress:10.0.0.0/8": ["e03"],
    "winlog.event_data.IpAddress:192.168.0.0/16 OR source.ip:172.16.0.0/12": ["e02", "e01"],
    "mimikatz": ["e03"],
    "MIMIKATZ.exe": ["e03"],
    '"Failed password"': ["e00"],
    "登入": ["e01"],
    "accepted pub*": ["e02"],
    "process.command_line:*sekurlsa::*": ["e03"],
    'process.command_line:"c:\\\\windows\\\\mimikatz.exe sekurlsa::logonpasswords"': ["e03"],
    "process.args:a\\*b\\?c": ["e05"],
    "process.args:a*": ["e05"],
    "COMMAND=/bin/ls\\ \\*": ["e05"],
    "process.command_line:*": ["e03"],
    "NOT winlog.channel:*": ["e05", "e02", "e00"],
    "event.dataset:syslog.sshd": ["e04", "e02", "e00"],
    "event.dataset:SYSLOG.SSHD": [],
    "organization.id:police": ["e03", "e02"],
    "event.id:e0*": ["e05", "e04", "e03", "e02", "e01", "e00"],
    "@timestamp:[2026-03-02T09:10 TO 2026-03-02T09:30]": ["e03", "e02", "e01"],
    "@timestamp:<2026-03-02T01:20:00Z": ["e01", "e00"],
    "@timestamp:2026-03-02": ["e05", "e04", "e03", "e02", "e01", "e00"],
    "(host.name:dc-1 OR host.name:gw-01) AND NOT organization.id:district-xitun": ["e03", "e02"],
}


@pytest.fixture
def filled(store: Store) -> Store:
    store.events.append(EVENTS)
    return store


def test_every_query_gives_the_same_events_newest_first(filled: Store):
    for query, expected in CASES.items():
        where = EventFilter(parse(query))
        assert [e.event_id for e in filled.event_search.page(where, limit=50, offset=0)] == (
            expected
        ), query
        assert filled.event_search.count(where) == len(expected), query


def test_time_window_agencies_and_paging(filled: Store):
    search = filled.event_search
    where = EventFilter(None, start=T0 + timedelta(minutes=10), end=T0 + timedelta(minutes=40))
    assert [e.event_id for e in search.page(where, limit=10, offset=0)] == ["e03", "e02", "e01"]
    scoped = EventFilter(None, organization_ids=["police", "fire"])
    assert [e.event_id for e in search.page(scoped, limit=2, offset=1)] == ["e03", "e02"]
    assert search.page(scoped, limit=2, offset=5) == []
    assert search.count(EventFilter(None, organization_ids=[])) == 0
    assert [e.event_id for e in search.stream(scoped)] == ["e05", "e03", "e02"]
    assert search.page(EventFilter(parse("e03")), limit=1, offset=0) == []
    found = search.page(EventFilter(parse("event.id:e03")), limit=1, offset=0)
    assert [(e.event_id, e.fields["winlog.event_id"]) for e in found] == [("e03", "4625")]


def test_histogram_and_top_values(filled: Store):
    search = filled.event_search
    assert search.histogram(EventFilter(None), bucket_seconds=1800) == {
        int(T0.timestamp()): 3,
        int(T0.timestamp()) + 1800: 3,
    }
    everything = EventFilter(None)
    assert search.top(everything, "host.name", limit=3) == [
        ("dc-1", 2),
        ("ws-alpha", 2),
        ("fire-gw", 1),
    ]
    assert search.top(everything, "organization.id", limit=5) == [
        ("district-xitun", 3),
        ("police", 2),
        ("fire", 1),
    ]
    assert search.top(EventFilter(parse("organization.id:police")), "user.name", limit=5) == [
        ("admin", 1)
    ]
    assert search.top(everything, "no.such.field", limit=5) == []


def test_saved_searches_are_the_owners_and_the_shared(store: Store):
    saved = store.saved_searches
    saved.put("s1", "amy", False, '{"q": "mine"}')
    saved.put("s2", "bob", True, '{"q": "for all"}')
    saved.put("s3", "bob", False, '{"q": "bob only"}')
    assert saved.visible("amy") == ['{"q": "mine"}', '{"q": "for all"}']
    assert saved.visible("bob") == ['{"q": "for all"}', '{"q": "bob only"}']
    assert saved.get("s3") == ("bob", '{"q": "bob only"}', False)
    saved.put("s3", "bob", True, '{"q": "now shared"}')
    assert saved.visible("amy") == ['{"q": "mine"}', '{"q": "for all"}', '{"q": "now shared"}']
    assert saved.delete("s1") is True and saved.delete("s1") is False
    assert saved.get("s1") is None

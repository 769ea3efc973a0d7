"""Sources on both engines (issue 16 item 3): each source named by the first field present
(syslog sender, file, host, collector), its last event ever, its events per hour in a window,
agencies kept apart; dead letters counted per source text in a window."""

from datetime import UTC, datetime, timedelta

from core.events import DeadLetter, Event

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _event(n: int, at: datetime, org: str = "xitun", **fields: str) -> Event:
    return Event(
        event_id=f"ev{n:04d}",
        timestamp=at,
        dataset="syslog" if "log.source.address" in fields else "winlog",
        organization_id=org,
        original=f"record {n}",
        fields=dict(fields),
    )


def test_each_source_has_its_last_event_and_its_hours(store):
    events = [
        # a syslog sender: three in the 08:00 hour, one at 10:15; its host is not its name
        *(
            _event(
                n,
                T0 + timedelta(minutes=10 * n),
                **{"log.source.address": "10.20.3.7", "host.name": "FW1"},
            )
            for n in range(3)
        ),
        _event(3, T0 + timedelta(hours=2, minutes=15), **{"log.source.address": "10.20.3.7"}),
        # an EVTX file, and a host without either
        _event(
            4, T0 + timedelta(minutes=5), **{"log.file.path": "/in/DC1.evtx", "host.name": "dc1"}
        ),
        _event(5, T0 - timedelta(days=3), **{"host.name": "WS-07"}),
        # nothing but its collector; another agency
        _event(6, T0 + timedelta(minutes=1)),
        _event(7, T0 + timedelta(minutes=2), org="beitun", **{"host.name": "ws-07"}),
    ]
    store.events.append(events)
    found = store.sources.activity(since=T0, until=T0 + timedelta(hours=24))
    assert [(a.organization_id, a.source) for a in found] == [
        ("beitun", "host:ws-07"),
        ("xitun", "collector:winlog"),
        ("xitun", "file:/in/dc1.evtx"),
        ("xitun", "host:ws-07"),
        ("xitun", "syslog:10.20.3.7"),
    ]
    by_name = {(a.organization_id, a.source): a for a in found}
    syslog = by_name["xitun", "syslog:10.20.3.7"]
    assert syslog.last_seen == T0 + timedelta(hours=2, minutes=15)
    assert syslog.hourly == {T0: 3, T0 + timedelta(hours=2): 1}
    old = by_name["xitun", "host:ws-07"]  # silent for days: still listed, with no hours
    assert old.last_seen == T0 - timedelta(days=3) and old.hourly == {}
    assert by_name["xitun", "file:/in/dc1.evtx"].hourly == {T0: 1}


def test_activity_is_limited_to_the_agencies_asked(store):
    store.events.append(
        [
            _event(1, T0, **{"host.name": "a"}),
            _event(2, T0, org="beitun", **{"host.name": "b"}),
        ]
    )
    window = {"since": T0 - timedelta(hours=1), "until": T0 + timedelta(hours=1)}
    assert [a.source for a in store.sources.activity(organization_ids=["beitun"], **window)] == [
        "host:b"
    ]
    assert store.sources.activity(organization_ids=[], **window) == []
    assert store.sources.activity(**window)[0].hourly == {T0: 1}


def test_an_empty_store_has_no_sources(store):
    assert store.sources.activity(since=T0, until=T0 + timedelta(hours=1)) == []
    assert store.sources.dead_letters(since=T0, until=T0 + timedelta(hours=1)) == {}


def test_dead_letters_are_counted_per_source_in_the_window(store):
    def letter(n: int, source: str, at: datetime) -> DeadLetter:
        return DeadLetter(
            received_at=at, source=source, position=f"line {n}", reason="bad", raw=b"x%d" % n
        )

    store.dead_letters.add(
        [
            letter(1, "syslog-udp:10.20.3.7", T0),
            letter(2, "syslog-udp:10.20.3.7", T0 + timedelta(hours=3)),
            letter(3, "file:/in/fw.csv", T0 + timedelta(minutes=1)),
            letter(4, "file:/in/fw.csv", T0 - timedelta(days=2)),  # before the window
        ]
    )
    assert store.sources.dead_letters(since=T0, until=T0 + timedelta(hours=24)) == {
        "syslog-udp:10.20.3.7": 2,
        "file:/in/fw.csv": 1,
    }


def test_events_arriving_later_are_counted_at_the_next_read(store):
    """A read between two batches changes nothing of what the next one sees: late events
    land in their own hour, new ones move the last event (SQLite keeps running counts)."""
    source = {"log.source.address": "10.20.3.7"}
    window = {"since": T0 - timedelta(hours=4), "until": T0 + timedelta(hours=4)}
    store.events.append([_event(1, T0, **source)])
    assert store.sources.activity(**window)[0].hourly == {T0: 1}
    store.events.append(
        [
            _event(1, T0, **source),  # a duplicate: not counted again
            _event(2, T0 + timedelta(minutes=30), **source),
            _event(3, T0 - timedelta(hours=2), **source),  # arrived late
            _event(4, T0 + timedelta(hours=1), **source),
        ]
    )
    (found,) = store.sources.activity(**window)
    assert found.hourly == {T0 - timedelta(hours=2): 1, T0: 2, T0 + timedelta(hours=1): 1}
    assert found.last_seen == T0 + timedelta(hours=1)
    assert store.sources.activity(**window)[0].hourly == found.hourly  # reading is idempotent

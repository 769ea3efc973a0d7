"""Source health (issue 16 item 3) on a real SQLite store with a fixed clock: the last event,
events per hour over the day, the dead-letter rate, the expected interval (learned, sparse or
configured), silence, agency isolation, and the alert a silent source raises, once, which
auto-triage never makes an incident."""

from datetime import UTC, datetime, timedelta

import pytest

from core.access import SYSTEM, Actor, Role
from core.alerts import AlertQuery, AlertStatus
from core.clock import FixedClock
from core.errors import ForbiddenError
from core.events import DeadLetter, Event
from core.settings import Settings
from core.source_health import (
    RULE_ID,
    learned_gaps,
    percentile,
    raise_silent,
    source_gauges,
    source_health,
)
from core.storage import Store
from incidents.triage import auto_triage
from tests.factories import ADMIN, XITUN

STOP = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # the firewall's last event
FIREWALL = "syslog:10.30.6.1"
PARTNER = Actor("taichung", Role.PARTNER)


def _syslog(n: int, at: datetime, sender: str = "10.30.6.1", org: str = "district-xitun") -> Event:
    return Event(
        event_id=f"fw{sender}-{n}",
        timestamp=at,
        dataset="syslog",
        organization_id=org,
        original=f"line {n}",
        fields={"log.source.address": sender},
    )


@pytest.fixture
def busy(store: Store) -> Store:
    """A firewall sending every 10 minutes for two days until STOP; another agency's host
    sending once."""
    events = [_syslog(n, STOP - timedelta(minutes=10 * n)) for n in range(2 * 24 * 6)]
    events.append(_syslog(0, STOP - timedelta(hours=1), sender="10.99.0.9", org="district-beitun"))
    store.events.append(events)
    return store


def test_a_source_is_silent_only_past_twice_its_learned_interval(busy, settings):
    soon = source_health(
        busy, actor=ADMIN, settings=settings, clock=FixedClock(STOP + timedelta(minutes=90))
    )
    fw = next(h for h in soon if h.source == FIREWALL)
    # gaps of 10 minutes are below the floor (60 min): expected an hour, silent after two
    assert fw.basis == "learned" and fw.expected_seconds == 3600
    assert fw.threshold_seconds == 7200 and not fw.silent
    assert fw.last_seen == STOP and fw.age_seconds == 90 * 60
    later = source_health(
        busy, actor=ADMIN, settings=settings, clock=FixedClock(STOP + timedelta(hours=3))
    )
    assert later[0].source == FIREWALL and later[0].silent  # silent ones first


def test_the_day_is_hourly_counts_and_the_dead_letter_rate(busy, settings):
    busy.dead_letters.add(
        [
            DeadLetter(
                received_at=STOP - timedelta(minutes=n),
                source="syslog-udp:10.30.6.1",
                position=None,
                reason="bad",
                raw=b"?%d" % n,
            )
            for n in range(16)
        ]
    )
    clock = FixedClock(STOP + timedelta(minutes=30))
    fw = next(
        h
        for h in source_health(busy, actor=ADMIN, settings=settings, clock=clock)
        if h.source == FIREWALL
    )
    assert len(fw.hourly) == 24
    assert fw.hourly[-1] == 1  # the hour now running: STOP itself, nothing since
    assert fw.hourly[-2] == 6  # one every ten minutes
    assert fw.events == 6 * 23 + 1
    assert fw.dead_letters == 16
    assert fw.dead_letter_rate == pytest.approx(16 / (fw.events + 16))


def test_a_configured_interval_wins_by_source_then_agency(busy, settings):
    clock = FixedClock(STOP + timedelta(minutes=90))
    by_agency = settings.model_copy(update={"source_intervals": {"district-xitun": 30}})
    fw = next(
        h
        for h in source_health(busy, actor=ADMIN, settings=by_agency, clock=clock)
        if h.source == FIREWALL
    )
    assert fw.basis == "configured" and fw.expected_seconds == 1800 and fw.silent
    by_source = settings.model_copy(
        update={"source_intervals": {"district-xitun": 30, FIREWALL: 120}}
    )
    fw = next(
        h
        for h in source_health(busy, actor=ADMIN, settings=by_source, clock=clock)
        if h.source == FIREWALL
    )
    assert fw.expected_seconds == 7200 and not fw.silent


def test_settings_read_intervals_from_text():
    parsed = Settings(source_intervals="district-xitun=30, syslog:10.30.6.1=10")
    assert parsed.source_intervals == {"district-xitun": 30, "syslog:10.30.6.1": 10}
    with pytest.raises(ValueError, match="source_intervals"):
        Settings(source_intervals="xitun")


def test_a_sparse_source_is_given_the_learning_window(busy, settings):
    clock = FixedClock(STOP + timedelta(days=2))
    lone = next(
        h
        for h in source_health(busy, actor=ADMIN, settings=settings, clock=clock)
        if h.organization_id == "district-beitun"
    )
    assert lone.basis == "sparse" and not lone.silent
    clock.advance(timedelta(days=6))
    lone = next(
        h
        for h in source_health(busy, actor=ADMIN, settings=settings, clock=clock)
        if h.organization_id == "district-beitun"
    )
    assert lone.silent


def test_a_reporter_sees_only_their_agency_sources(busy, settings):
    clock = FixedClock(STOP)
    mine = source_health(
        busy, actor=XITUN, settings=settings, clock=clock, organization_id="district-beitun"
    )
    assert {h.organization_id for h in mine} == {"district-xitun"}
    everyone = source_health(busy, actor=ADMIN, settings=settings, clock=clock)
    assert {h.organization_id for h in everyone} == {"district-xitun", "district-beitun"}
    with pytest.raises(ForbiddenError):
        source_health(busy, actor=PARTNER, settings=settings, clock=clock)


def test_a_silent_source_raises_one_alert_and_no_incident(busy, settings, registry):
    clock = FixedClock(STOP + timedelta(hours=3))
    raised = raise_silent(busy, settings=settings, clock=clock)
    assert [(a.rule_id, a.organization_id) for a in raised] == [(RULE_ID, "district-xitun")]
    assert FIREWALL in (raised[0].event.message or "")
    clock.advance(timedelta(minutes=5))
    assert raise_silent(busy, settings=settings, clock=clock) == []  # checked again: still one
    assert busy.alerts.count(AlertQuery(rule_id=RULE_ID)) == 1
    assert [r.action for r in busy.audit.rows()] == ["source.silent"]
    report = auto_triage(
        store=busy, actor=SYSTEM, registry=registry, clock=clock, min_severity=raised[0].severity
    )
    assert report.incidents_opened == 0
    assert busy.alerts.get(raised[0].id).status is AlertStatus.NEW
    # the source comes back, then falls silent again: a new silence, a new alert
    busy.events.append([_syslog(9999, clock.now())])
    clock.advance(timedelta(hours=3))
    assert len(raise_silent(busy, settings=settings, clock=clock)) == 1


def test_gauges_name_every_source(busy, settings):
    gauges = source_gauges(busy, settings=settings, clock=FixedClock(STOP + timedelta(hours=3)))
    silent = {
        dict(g.labels)["source"]: g.value for g in gauges if g.name == "citysoc_source_silent"
    }
    assert silent == {FIREWALL: 1, "syslog:10.99.0.9": 0}
    ages = [g for g in gauges if g.name == "citysoc_source_last_event_age_seconds"]
    assert {g.value for g in ages} == {3 * 3600, 4 * 3600}


def test_gaps_are_learned_from_hourly_counts():
    h = datetime(2026, 3, 1, tzinfo=UTC)
    assert learned_gaps({h: 4, h + timedelta(hours=3): 1}) == {900: 3, 10800: 1}
    assert percentile({1: 1, 2: 1, 3: 1, 4: 1, 100: 1}, 0.95) == 100
    assert percentile({5: 1}, 0.95) == 5
    assert percentile({1: 95, 50: 5}, 0.95) == 1  # the 95th of 100 is still a 1
    busy = learned_gaps({h + timedelta(hours=n): 100_000 for n in range(168)})  # no 16M list
    assert busy == {3600.0: 167, 0.036: 168 * 99_999}

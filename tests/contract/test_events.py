"""EventStore on both engines: appending is idempotent on the event id and reports how many
were new; positions follow arrival; events read back as they were written (field values as
text, see docs/architecture.md). ``scan`` takes engine syntax and is held to one contract by
tests/detections (the same rules give the same alerts on both engines)."""

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import NotFoundError
from core.events import Event
from core.storage import Store

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def event(n: int, org: str = "district-xitun", **fields: str | int | bool) -> Event:
    return Event(
        event_id=f"e{n:03d}",
        timestamp=T0 + timedelta(seconds=n),
        dataset="windows.security",
        organization_id=org,
        original=f'{{"n": {n}, "message": "登入失敗"}}',
        fields={"host.name": f"H{n % 3}", **fields},
    )


def test_append_is_idempotent_on_the_event_id_and_counts_the_new(store: Store):
    batch = [event(n) for n in range(5)]
    assert store.events.append(batch) == 5
    assert store.events.append(batch) == 0  # the same file read again
    assert store.events.append([event(3), event(5), event(6)]) == 2
    assert store.events.append([event(7), event(7)]) == 1  # twice within one batch
    assert store.events.append([]) == 0
    assert store.events.count() == 8


def test_count_by_agency(store: Store):
    store.events.append(
        [event(n, org="police" if n % 4 == 0 else "district-xitun") for n in range(8)]
    )
    assert store.events.count(organization_id="police") == 2
    assert store.events.count(organization_id="district-xitun") == 6
    assert store.events.count(organization_id="fire") == 0


def test_a_record_claiming_another_agency_stays_its_senders(store: Store):
    """The agency CitySOC gave the event wins over an ``organization.id`` the record carries
    (a shipper's JSON may claim any agency): counted, listed and read back as the sender's."""
    store.events.append([event(1, **{"organization.id": "police"})])
    assert store.events.count(organization_id="district-xitun") == 1
    assert store.events.count(organization_id="police") == 0
    [stored] = store.events.list(limit=10)
    assert stored.organization_id == "district-xitun"
    assert stored.to_ecs()["organization.id"] == "district-xitun"


def test_positions_follow_arrival_and_list_pages_in_that_order(store: Store):
    assert store.events.last_position() == 0 and store.events.list() == []
    store.events.append([event(n) for n in (5, 1, 3)])
    first = store.events.last_position()
    assert first >= 3
    store.events.append([event(0), event(1)])  # a duplicate takes no place in the order
    assert store.events.last_position() > first
    assert [e.event_id for e in store.events.list()] == ["e005", "e001", "e003", "e000"]
    assert [e.event_id for e in store.events.list(limit=2, offset=1)] == ["e001", "e003"]
    assert store.events.list(offset=10) == []


def test_an_event_reads_back_as_written_with_values_as_text(store: Store):
    written = event(1, **{"winlog.event_id": 4625, "winlog.channel": "Security", "x.ok": True})
    store.events.append([written])
    read = store.events.get("e001")
    assert (read.event_id, read.timestamp, read.dataset, read.organization_id, read.original) == (
        written.event_id,
        written.timestamp,
        written.dataset,
        written.organization_id,
        written.original,
    )
    assert read.fields == {
        "host.name": "H1",
        "winlog.event_id": "4625",
        "winlog.channel": "Security",
        "x.ok": "true",
    }
    with pytest.raises(NotFoundError):
        store.events.get("e999")

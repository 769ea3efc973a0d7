"""The shared codec: every record survives a round trip through its dict, events through
their document and their JSON line (including lines spooled by the earlier format)."""

import json
from datetime import UTC, datetime

from core.assets import Asset, AssetChange, ChangeKind, OpenPort, ScanRecord, ScanStatus
from core.errors import ConflictError
from core.events import DeadLetter, Event
from core.storage import codec
from core.storage.base import SharedObject
from core.storage.records import AuditRow, stale_version, text

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _event() -> Event:
    return Event(
        event_id="e1",
        timestamp=AT,
        dataset="winlog",
        organization_id="376580000A",
        original='{"EventID": 4625}',
        fields={"winlog.event_id": 4625, "x.flag": True, "x.none": None, "x.s": "3"},
    )


def test_text_writes_booleans_as_json_does() -> None:
    assert (text(None), text(True), text(False), text(3), text("3")) == (
        None,
        "true",
        "false",
        "3",
        "3",
    )


def test_event_document_is_flat_ecs_with_text_values() -> None:
    doc = codec.event_to_dict(_event())
    assert doc == {
        "winlog.event_id": "4625",
        "x.flag": "true",
        "x.s": "3",
        "event.id": "e1",
        "@timestamp": AT.isoformat(),
        "event.dataset": "winlog",
        "organization.id": "376580000A",
        "event.original": '{"EventID": 4625}',
    }
    back = codec.event_from_dict({**doc, "pos": 7}, skip=("pos",))
    assert back.fields == {"winlog.event_id": "4625", "x.flag": "true", "x.s": "3"}
    assert (back.event_id, back.timestamp, back.original) == ("e1", AT, '{"EventID": 4625}')


def test_the_header_wins_over_a_field_of_the_same_name() -> None:
    event = _event()
    event.fields["event.dataset"] = "from-the-source"
    assert codec.event_to_dict(event)["event.dataset"] == "winlog"
    assert codec.field_document(event.fields)["event.dataset"] == "from-the-source"


def test_event_json_round_trip_and_the_earlier_spool_format() -> None:
    line = codec.event_to_json(_event())
    assert "\n" not in line
    assert codec.event_from_json(line) == codec.event_from_dict(codec.event_to_dict(_event()))
    legacy = json.dumps(
        {
            "id": "e1",
            "ts": AT.isoformat(),
            "dataset": "winlog",
            "org": "376580000A",
            "original": "x",
            "fields": {"winlog.event_id": 4625},
        }
    )
    old = codec.event_from_json(legacy)
    assert (old.event_id, old.timestamp, old.organization_id, old.original) == (
        "e1",
        AT,
        "376580000A",
        "x",
    )
    assert old.fields == {"winlog.event_id": 4625}


def test_records_round_trip() -> None:
    asset = Asset(
        address="10.0.0.1",
        organization_id="A",
        hostname="pc1",
        first_seen=AT,
        last_seen=AT,
        up=True,
        core_system=False,
        critical_infrastructure=True,
        ports=(OpenPort(22, "tcp", "ssh"),),
    )
    assert codec.asset_from_dict(json.loads(json.dumps(codec.asset_to_dict(asset)))) == asset
    scan = ScanRecord(
        id=4,
        target="10.0.0.0/24",
        organization_id="A",
        started_at=AT,
        finished_at=AT,
        status=ScanStatus.OK,
        hosts_scanned=3,
        hosts_up=1,
        open_ports=1,
    )
    assert codec.scan_from_dict(codec.scan_to_dict(scan)) == scan
    change = AssetChange(AT, "10.0.0.1", "A", ChangeKind.PORT_OPENED, "22/tcp ssh", scan_id=4)
    assert codec.change_from_dict(codec.change_to_dict(change)) == change
    letter = DeadLetter(id=2, received_at=AT, source="s", position=None, reason="r", raw=b"\0\xff")
    assert codec.dead_letter_from_dict(codec.dead_letter_to_dict(letter)) == letter
    as_blob = {**codec.dead_letter_to_dict(letter), "raw": b"\0\xff"}  # SQLite's BLOB column
    assert codec.dead_letter_from_dict(as_blob) == letter
    row = AuditRow(1, AT, "u", "a", "s", "{}", "0" * 64, "f" * 64)
    assert codec.audit_row_from_dict(codec.audit_row_to_dict(row)) == row
    shared = SharedObject("c", "indicator--1", "indicator", "v1", "d1", "green", "{}", seq=3)
    assert codec.shared_object_from_dict(codec.shared_object_to_dict(shared)) == shared


def test_stale_version_names_the_record_and_the_version() -> None:
    error = stale_version("incident", "INC-1", 3)
    assert isinstance(error, ConflictError)
    assert "incident INC-1 was changed by someone else" in str(error)
    assert "(you had version 3)" in str(error)

"""The SQLite column contract (core.storage.sqlite.columns): every field with a column of its
own is written to that column, and what field_sql gives is what the detection scan reads."""

from datetime import UTC, datetime
from pathlib import Path

from core.events import Event
from core.storage.sqlite import SqliteStore
from core.storage.sqlite.columns import COLUMN_FIELDS, JSON_FIELD, field_sql


def test_every_column_field_is_in_its_column(tmp_path: Path) -> None:
    event = Event(
        event_id="e1",
        timestamp=datetime(2026, 3, 2, 1, 0, tzinfo=UTC),
        dataset="winlog",
        organization_id="376580000A",
        original="original record",
        fields={"winlog.channel": "Security", "winlog.event_id": 4625, "host.name": "PC-1"},
    )
    with SqliteStore(tmp_path / "s.db") as store:
        store.events.append([event])
        document = {**event.to_ecs(), "winlog.event_id": "4625"}
        for field, column in COLUMN_FIELDS.items():
            found = store.one(f"SELECT {field_sql(field)} FROM events")[0]
            assert str(found) == str(document[field]), (field, column)
        assert store.events.get("e1") == Event(
            event_id="e1",
            timestamp=event.timestamp,
            dataset="winlog",
            organization_id="376580000A",
            original="original record",
            fields={"winlog.channel": "Security", "winlog.event_id": "4625", "host.name": "PC-1"},
        )


def test_the_scan_recognises_what_field_sql_writes() -> None:
    for field in ("winlog.event_data.Image", 'odd"name', "it's", "back\\slash"):
        sql = field_sql(field)
        assert JSON_FIELD.fullmatch(sql), sql
    assert field_sql("host.name") == "host"

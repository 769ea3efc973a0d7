"""Records no parser expected: each one is dead-lettered with a reason, the rest are stored.

Regression tests for issue 12, items 2, 3 and 15 (one record must never stop ingest, and an
absurd event time must never reach the stored @timestamp).
"""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from collectors.files import ingest_paths
from collectors.ingest import Ingestor
from collectors.records import RawRecord
from core.errors import RecordParseError
from core.events import FLATTEN_MAX_DEPTH, flatten

GOOD_JSON = {"@timestamp": "2026-03-02T00:30:00Z", "host": "web01", "message": "fine"}
GOOD_SYSLOG = b"<38>1 2026-03-02T09:00:00+08:00 web02 sshd 1 - - still here"


@pytest.fixture
def ingestor(store, registry, clock):
    return Ingestor(store, registry, clock=clock)


def test_a_syslog_year_one_plus_fourteen_is_dead_lettered_and_ingest_goes_on(ingestor, store):
    """`astimezone` of year 1 at +14:00 overflows: that must not escape the ingestor."""
    received = ingestor.clock.now()
    ingestor.submit(
        RawRecord("syslog-udp", b"<38>1 0001-01-01T00:00:00+14:00 x app 1 - - x", received),
        "syslog",
    )
    ingestor.submit(RawRecord("syslog-udp", GOOD_SYSLOG, received), "syslog")
    ingestor.flush()
    [dead] = store.dead_letters.list()
    assert "year 1 +14:00 is outside what can be represented" in dead.reason
    assert [e.fields["message"] for e in store.events.list()] == ["still here"]
    assert (ingestor.report.read, ingestor.report.stored, ingestor.report.dead_lettered) == (
        2,
        1,
        1,
    )


def test_an_unexpected_parser_error_of_any_type_is_dead_lettered_with_its_type(ingestor, store):
    """A parser bug (here: a format whose parser raises KeyError) costs one record, not the
    listener: the reason names the exception so a person can report it."""
    from collectors import ingest

    def broken(record, text):
        raise KeyError("surprise")

    ingest.FORMATS["broken-test-format"] = broken
    try:
        received = ingestor.clock.now()
        ingestor.submit(RawRecord("file:x", b"anything", received, "line 1"), "broken-test-format")
        ingestor.submit(RawRecord("syslog-udp", GOOD_SYSLOG, received), "syslog")
        ingestor.flush()
    finally:
        del ingest.FORMATS["broken-test-format"]
    [dead] = store.dead_letters.list()
    assert "KeyError" in dead.reason and "surprise" in dead.reason
    assert dead.position == "line 1"
    assert store.events.count() == 1


def _deep(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (_deep(100_000), "nested too deeply"),
        (_deep(FLATTEN_MAX_DEPTH + 5), f"nested deeper than {FLATTEN_MAX_DEPTH} levels"),
        ('{"n": ' + "7" * 5000 + "}", "integer"),
        ('{"ts": 1e300, "message": "x"}', "outside what can be represented"),
        ('{"ts": -1e300}', "outside what can be represented"),
        ('{"time": "0001-01-01T00:00:00+14:00"}', "year 1 +14:00 is outside"),
        ('{"time": "9999-12-31T23:59:59-14:00"}', "year 9999 -14:00 is outside"),
        # found by the fuzz corpus: the store's integer column failed the whole batch
        (
            '{"@timestamp": "2026-03-02T00:00:00Z", "winlog": {"channel": "Security", '
            '"event_id": 99999999999999999999}}',
            "must be a Windows event id (0-65535)",
        ),
    ],
)
def test_each_bad_json_line_is_a_dead_letter_and_the_rest_of_the_file_is_stored(
    tmp_path: Path, ingestor, store, line, reason
):
    path = tmp_path / "batch.jsonl"
    good = [json.dumps({**GOOD_JSON, "n": n}) for n in range(3)]
    path.write_text("\n".join([good[0], line, good[1], good[2]]) + "\n", encoding="utf-8")
    report = ingest_paths([path], ingestor)
    assert (report.read, report.stored, report.dead_lettered) == (4, 3, 1)
    [dead] = store.dead_letters.list()
    assert reason in dead.reason
    assert dead.position == "line 2"


def test_flatten_is_iterative_and_refuses_documents_nested_past_its_limit():
    deep: dict[str, object] = {"leaf": 1}
    for _ in range(FLATTEN_MAX_DEPTH - 1):
        deep = {"a": deep}
    assert flatten(deep) == {"a." * (FLATTEN_MAX_DEPTH - 1) + "leaf": 1}
    too_deep: dict[str, object] = {"a": deep}
    with pytest.raises(RecordParseError, match=f"deeper than {FLATTEN_MAX_DEPTH} levels"):
        flatten(too_deep)
    # keys keep the document's order, as the recursive version kept it
    assert list(flatten({"b": 1, "a": {"y": 2, "x": 3}, "c": [1, 2]})) == ["b", "a.y", "a.x", "c"]


@pytest.mark.parametrize(
    "stated",
    [
        "9999-12-31T23:59:59Z",
        "0001-01-02T00:00:00Z",
        "1989-12-31T23:59:59Z",
        "2026-03-03T09:00:01Z",
    ],
)
def test_an_absurd_event_time_is_kept_as_text_and_the_receive_time_is_stored(
    store, registry, clock, stated
):
    ingestor = Ingestor(store, registry, clock=clock)
    line = json.dumps({**GOOD_JSON, "@timestamp": stated}).encode()
    ingestor.submit(RawRecord("file:x.jsonl", line, clock.now(), "line 1"), "jsonl")
    ingestor.flush()
    [event] = store.events.list()
    assert event.timestamp == clock.now()
    assert str(event.fields["citysoc.stated_timestamp"]).startswith(stated[:19])
    assert str(event.fields["citysoc.timestamp_out_of_range"]).lower() == "true"
    assert event.original == line.decode()


def test_event_times_inside_the_configured_range_are_left_alone(store, registry, clock):
    ingestor = Ingestor(
        store,
        registry,
        clock=clock,
        event_time_min=date(2000, 1, 1),
        event_time_max_ahead=timedelta(hours=2),
    )
    for n, stated in enumerate(
        ["2000-01-01T00:00:00Z", "2026-03-02T02:59:59Z", "1999-12-31T23:59:59Z"]
    ):
        line = json.dumps({**GOOD_JSON, "@timestamp": stated, "n": n}).encode()
        ingestor.submit(RawRecord("file:x.jsonl", line, clock.now(), f"line {n}"), "jsonl")
    ingestor.flush()
    events = {e.fields["n"]: e for e in store.events.list()}
    assert events["0"].timestamp == datetime(2000, 1, 1, tzinfo=UTC)
    assert events["1"].timestamp == datetime(2026, 3, 2, 2, 59, 59, tzinfo=UTC)
    assert "citysoc.timestamp_out_of_range" not in events["0"].fields
    assert events["2"].timestamp == clock.now()  # one second before the configured minimum
    assert events["2"].fields["citysoc.stated_timestamp"] == "1999-12-31T23:59:59+00:00"


def test_the_event_time_range_comes_from_the_settings(monkeypatch, tmp_path, clock):
    from api.context import CitySoc
    from core.settings import Settings

    monkeypatch.setenv("CITYSOC_EVENT_TIME_MIN", "2020-01-01")
    monkeypatch.setenv("CITYSOC_EVENT_TIME_MAX_AHEAD_HOURS", "2")
    with CitySoc(Settings(store=f"sqlite:///{tmp_path / 'c.db'}"), clock=clock) as soc:
        ingestor = soc.ingestor()
    assert ingestor.event_time_min == date(2020, 1, 1)
    assert ingestor.event_time_max_ahead == timedelta(hours=2)

"""File readers into a real SQLite store: formats, dead letters, idempotency."""

import json
from pathlib import Path

import pytest

from collectors.files import ingest_paths
from collectors.ingest import Ingestor
from core.errors import InputError
from tests.conftest import EVTX_SAMPLES, need_shared

WINLOGBEAT = {
    "@timestamp": "2026-03-02T01:00:00.000Z",
    "host": {"name": "D-XITUN-FS01"},
    "winlog": {
        "channel": "Security",
        "event_id": "4720",
        "provider_name": "Microsoft-Windows-Security-Auditing",
        "computer_name": "D-XITUN-FS01",
        "record_id": 12,
        "event_data": {"TargetUserName": "eve", "SubjectUserName": "svc"},
    },
}


@pytest.fixture
def ingestor(store, registry, clock):
    return Ingestor(store, registry, clock=clock)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_winlogbeat_json_lines_keep_ecs_names(tmp_path, ingestor, store):
    path = write(tmp_path, "w.jsonl", json.dumps(WINLOGBEAT) + "\n")
    report = ingest_paths([path], ingestor)
    assert report.stored == 1
    [event] = store.events.list()
    assert event.organization_id == "district-xitun"
    assert event.dataset == "winlog"
    assert event.fields["winlog.event_id"] == "4720"
    assert event.fields["winlog.event_data.TargetUserName"] == "eve"
    assert event.original == json.dumps(WINLOGBEAT)


def test_generic_json_lines_find_time_and_host(tmp_path, ingestor, store):
    doc = {
        "time": "2026-03-02 09:30:00",
        "hostname": "POLICE-WEB01",
        "msg": "login ok",
        "user": {"name": "amy"},
    }
    ingest_paths([write(tmp_path, "app.ndjson", json.dumps(doc) + "\n")], ingestor)
    [event] = store.events.list()
    assert event.timestamp.isoformat() == "2026-03-02T01:30:00+00:00"
    assert event.organization_id == "police"
    assert event.fields["user.name"] == "amy"


def test_panos_traffic_csv_is_tagged_by_internal_address(tmp_path, ingestor, store):
    row = (
        "1,2026/03/02 09:00:00,0128,TRAFFIC,end,2560,2026/03/02 09:00:00,203.0.113.9,"
        "10.20.4.12,,,allow-rdp,,,ms-rdp,vsys1,untrust,trust,e1/1,e1/2,default,,1,1,"
        "51515,3389,0,0,0x0,tcp,allow,4096,2048,2048,12"
    )
    ingest_paths([write(tmp_path, "fw.csv", row + "\n")], ingestor)
    [event] = store.events.list()
    assert event.organization_id == "education"
    assert event.fields["destination.port"] == "3389"
    assert event.fields["event.outcome"] == "allow"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("bad.jsonl", '{"a": 1\n', "not valid JSON"),
        ("list.jsonl", "[1, 2]\n", "must hold an object"),
        ("fw.csv", "1,2,3\n", "at least 32 columns"),
        ("fw2.csv", "1," * 31 + "2\n", "Type) must be TRAFFIC"),
        ("s.log", "just text\n", "must start with a PRI"),
        ("u.log", b"<38>Mar  2 09:00:01 h app: \xff\xfe\n", "not valid UTF-8"),
    ],
)
def test_bad_lines_are_dead_lettered_with_position_and_reason(
    tmp_path, ingestor, store, name, content, reason
):
    good = json.dumps(WINLOGBEAT) if name.endswith("jsonl") else None
    path = write(tmp_path, name, content)
    report = ingest_paths([path], ingestor)
    assert report.dead_lettered == 1 and report.stored == 0
    [dead] = store.dead_letters.list()
    assert reason in dead.reason
    assert dead.position == "line 1"
    assert dead.source == f"file:{path}"
    assert good is None or store.events.count() == 0


def test_an_oversized_line_is_dead_lettered_truncated_with_its_size_and_the_next_line_loads(
    tmp_path, ingestor, store
):
    big = '{"message": "' + "x" * (3 * 1024 * 1024) + '"}'
    path = write(tmp_path, "big.jsonl", big + "\r\n" + json.dumps(WINLOGBEAT) + "\n")
    report = ingest_paths([path], ingestor)
    assert (report.read, report.stored, report.dead_lettered) == (2, 1, 1)
    [dead] = store.dead_letters.list()
    assert dead.raw == big.encode()[: 1024 * 1024]  # the first MAX_RECORD_BYTES, not 3 MiB
    assert dead.reason.startswith("TRUNCATED")
    assert f"record is {len(big)} bytes, over the 1048576-byte limit" in dead.reason
    assert dead.position == "line 1"


def test_a_line_of_exactly_the_limit_is_not_truncated(tmp_path, store, registry, clock):
    ingestor = Ingestor(store, registry, clock=clock, max_record_bytes=1024)
    exact = "<38>Mar  2 09:00:01 h app: " + "x" * (1024 - 27)
    over = exact + "y"
    path = write(tmp_path, "s.log", f"{exact}\r\n{over}\n{exact[:-1]}z")
    report = ingest_paths([path], ingestor)
    assert (report.read, report.stored, report.dead_lettered) == (3, 2, 1)
    [dead] = store.dead_letters.list()
    assert dead.raw == over.encode()[:1024] and "record is 1025 bytes" in dead.reason


def test_reingesting_the_same_file_stores_nothing_new(tmp_path, ingestor, store):
    path = write(tmp_path, "w.jsonl", json.dumps(WINLOGBEAT) + "\n")
    first = ingest_paths([path], ingestor)
    second = ingest_paths([path], ingestor)
    assert (first.stored, second.stored, second.duplicates) == (1, 0, 1)
    assert store.events.count() == 1


def test_identical_syslog_file_lines_are_separate_events_and_reingest_adds_nothing(
    tmp_path, ingestor, store
):
    line = "<38>Mar  2 09:00:00 web02 sshd[7]: Failed password for root from 10.9.9.9\n"
    path = write(tmp_path, "auth.log", line * 10)
    first = ingest_paths([path], ingestor)
    second = ingest_paths([path], ingestor)
    assert (first.stored, second.stored, second.duplicates) == (10, 0, 10)
    assert store.events.count() == 10


def test_reingesting_a_file_adds_no_dead_letters(tmp_path, ingestor, store):
    path = write(tmp_path, "w.jsonl", "{broken\n" + json.dumps(WINLOGBEAT) + "\n{broken\n")
    ingest_paths([path], ingestor)
    ingest_paths([path], ingestor)
    assert [d.position for d in store.dead_letters.list()] == ["line 1", "line 3"]


def test_unknown_suffix_and_missing_path_are_explained(tmp_path, ingestor):
    with pytest.raises(InputError, match="cannot tell the format"):
        ingest_paths([write(tmp_path, "x.pdf", "%PDF")], ingestor)
    with pytest.raises(InputError, match="no such file or folder"):
        ingest_paths([tmp_path / "missing.log"], ingestor)


def test_a_file_that_is_not_evtx_is_dead_lettered(tmp_path, ingestor, store):
    path = write(tmp_path, "fake.evtx", b"MZ this is not an event log")
    report = ingest_paths([path], ingestor)
    assert report.dead_lettered == 1
    [dead] = store.dead_letters.list()
    assert "not a readable EVTX file" in dead.reason
    assert dead.raw == b"MZ this is not an event log"


@pytest.mark.shared_data
def test_real_evtx_records_are_normalized(tmp_path, ingestor, store):
    sample = need_shared(EVTX_SAMPLES) / "Execution" / "sysmon_mshta_sharpshooter_stager.evtx"
    if not sample.exists():
        sample = next(need_shared(EVTX_SAMPLES).rglob("*.evtx"))
    report = ingest_paths([sample], ingestor)
    assert report.stored > 0 and report.dead_lettered == 0
    event = store.events.list(limit=1)[0]
    assert event.fields["winlog.channel"]
    assert event.fields["winlog.record_id"]
    assert event.fields["log.file.path"] == str(sample)
    assert ingest_paths([sample], ingestor).stored == 0


@pytest.mark.shared_data
def test_a_corrupt_evtx_chunk_is_dead_lettered_and_the_rest_still_loads(tmp_path, ingestor, store):
    source = need_shared(EVTX_SAMPLES) / "Defense Evasion" / "DE_1102_security_log_cleared.evtx"
    data = bytearray(source.read_bytes())
    for offset in (4096 + 512 + 3000, 4096 + 512 + 20000):  # inside the first chunk's records
        data[offset : offset + 400] = b"\xab" * 400
    corrupt = tmp_path / "corrupt.evtx"
    corrupt.write_bytes(bytes(data))
    report = ingest_paths([corrupt], ingestor)
    assert report.dead_lettered >= 1
    assert report.stored > 0
    assert report.stored + report.duplicates + report.dead_lettered == report.read
    dead = store.dead_letters.list()
    assert all("corrupt EVTX record" in d.reason for d in dead)
    assert "record IDs" in dead[0].reason  # says which records the broken chunk held


def test_a_folder_is_ingested_by_worker_processes_with_the_same_result(tmp_path):
    """`citysoc ingest` on a folder of many files uses worker processes; nothing is lost or
    stored twice, and a second run only finds duplicates."""
    import subprocess
    import sys

    folder = tmp_path / "exports"
    folder.mkdir()
    for n in range(12):
        lines = [
            json.dumps({**WINLOGBEAT, "winlog": {**WINLOGBEAT["winlog"], "record_id": r}})
            for r in range(n * 100, n * 100 + 100)
        ]
        (folder / f"office-{n:02}.jsonl").write_text(
            "\n".join(lines) + "\n{broken\n", encoding="utf-8"
        )
    store = f"sqlite:///{tmp_path / 'c.db'}"

    def run() -> str:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "api.cli",
                "ingest",
                str(folder),
                "--store",
                store,
                "--no-detect",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        return " ".join(done.stdout.split())

    first = run()
    assert "read │ 1212" in first and "stored │ 1200" in first and "dead lettered │ 12" in first
    second = run()
    assert "stored │ 0" in second and "duplicates │ 1200" in second
    from core.storage import SqliteStore

    with SqliteStore(tmp_path / "c.db") as s:
        assert s.events.count() == 1200 and s.dead_letters.count() == 12


def test_json_lines_parse_fast_but_as_leniently_as_the_standard_library():
    from datetime import UTC, datetime

    from collectors.parsers.jsonlines import parse_json_line
    from core.errors import RecordParseError

    now = datetime(2026, 3, 2, tzinfo=UTC)
    _, _, fields = parse_json_line(
        '{"a": {"b": [1, 2], "c": NaN}, "n": 123456789012345678901234}', received_at=now
    )
    assert fields["a.b"] == "1,2" and fields["a.c"] != fields["a.c"]  # NaN, as json reads it
    assert fields["n"] == 123456789012345678901234  # past 64 bits: orjson refuses, json reads
    with pytest.raises(
        RecordParseError, match="not valid JSON: Expecting ',' delimiter at column 9"
    ):
        parse_json_line('{"a": 1 "b": 2}', received_at=now)


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("cut", "after_chunk", "missing"),
    [
        (4096 + 3 * 65536, 3, "records 288-1,537 missing"),  # at a chunk boundary
        (4096 + 3 * 65536 + 30000, 3, "records 288-1,537 missing"),  # inside chunk 4
        (4096 + 100, 0, "records 1-1,537 missing"),  # inside the first chunk's header
    ],
)
def test_a_truncated_evtx_file_dead_letters_the_records_it_lost(
    tmp_path, ingestor, store, cut, after_chunk, missing
):
    """Issue 12 item 30: the parser stops quietly at the cut; the file header promised 16
    chunks and records up to 1,537."""
    source = need_shared(EVTX_SAMPLES) / "Command and Control" / "bits_openvpn.evtx"
    truncated = write(tmp_path, "cut.evtx", source.read_bytes()[:cut])
    report = ingest_paths([truncated], ingestor)
    assert report.stored == (287 if after_chunk == 3 else 0)
    assert report.read == report.stored + report.duplicates + report.dead_lettered
    [dead] = store.dead_letters.list()
    assert f"file ends after chunk {after_chunk} of 16: {missing}" in dead.reason
    assert dead.raw == source.read_bytes()[4096 + after_chunk * 65536 : cut]
    assert dead.position == f"chunk {after_chunk + 1} (byte {4096 + after_chunk * 65536})"


@pytest.mark.shared_data
def test_a_whole_evtx_file_has_no_truncation_dead_letter(tmp_path, ingestor, store):
    source = need_shared(EVTX_SAMPLES) / "Command and Control" / "bits_openvpn.evtx"
    report = ingest_paths([source], ingestor)
    assert (report.stored, report.dead_lettered) == (1537, 0)


@pytest.mark.shared_data
def test_a_corrupt_evtx_chunk_dead_letter_holds_the_chunk_bytes(tmp_path, ingestor, store):
    source = need_shared(EVTX_SAMPLES) / "Defense Evasion" / "DE_1102_security_log_cleared.evtx"
    data = bytearray(source.read_bytes())
    data[4096 + 512 + 3000 : 4096 + 512 + 3400] = b"\xab" * 400
    corrupt = write(tmp_path, "corrupt.evtx", bytes(data))
    ingest_paths([corrupt], ingestor)
    [dead] = store.dead_letters.list()
    assert "record IDs 1..95" in dead.reason
    assert dead.raw == bytes(data[4096 : 4096 + 65536])  # the chunk, as it is in the file
    assert dead.position is not None and "chunk 1 (byte 4096)" in dead.position

"""Fuzz corpus for every collector: records mutated from real samples, a fixed seed.

For each collector: nothing crashes, every record is either stored, a duplicate or a dead
letter (read == stored + duplicates + dead_lettered, and the store agrees), each dead
letter keeps the bytes it was given, and the untouched records between the mutants are
all stored.
"""

import json
import random
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from api.cli.demo import write_demo_inputs
from collectors.files import ingest_paths
from collectors.ingest import Ingestor, IngestReport
from collectors.syslog import SyslogServer, TcpLimits
from core.storage import Store
from tests.conftest import EVTX_SAMPLES, need_shared

SEED = 20261212
CASES = 300
_EXTREMES = [
    b"0001-01-01T00:00:00+14:00",
    b"9999-12-31T23:59:59-14:00",
    b"1e300",
    b"-1e300",
    b"NaN",
    b"7" * 5000,
    b"99999999999",
    b'{"a":' * 2000 + b"1" + b"}" * 2000,
    b"\x00",
    b"\xff\xfe",
    b"\xe4\xb8",
    b"<999>",
    b"<",
    b"[",
    b'"',
    b",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,",
    b"TRAFFIC",
    b"2026/02/30 25:61:61",
    b"Feb 30 25:61:61",
]


def _rng() -> random.Random:
    return random.Random(SEED)  # noqa: S311 - reproducible mutations, not secrets


def mutate(rng: random.Random, data: bytes, *, keep_lines: bool = True) -> bytes:
    """One to four edits: byte flips, inserted extremes, cuts, duplicated or dropped slices."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        where = rng.randint(0, len(out))
        match rng.randrange(6):
            case 0 if out:
                out[rng.randrange(len(out))] = rng.randrange(256)
            case 1:
                out[where:where] = rng.choice(_EXTREMES)
            case 2:
                del out[where : where + rng.randint(1, 40)]
            case 3:
                out[where:where] = out[where : where + rng.randint(1, 200)]
            case 4:
                del out[where:]
            case _:
                # replace a run of digits (often a time or a count) by an extreme
                start = next((i for i in range(where, len(out)) if 48 <= out[i] <= 57), None)
                if start is not None:
                    end = start
                    while end < len(out) and 48 <= out[end] <= 57:
                        end += 1
                    out[start:end] = rng.choice(_EXTREMES[:7])
    if keep_lines:  # one line stays one record for the line-based readers
        out = out.replace(b"\n", b" ").replace(b"\r", b" ")
    return bytes(out)


def assert_accounted(report: IngestReport, store: Store, inputs: set[bytes]) -> None:
    assert report.read == report.stored + report.duplicates + report.dead_lettered
    assert store.events.count() == report.stored
    dead = store.dead_letters.list(limit=100_000)
    assert len(dead) == report.dead_lettered
    for letter in dead:
        assert letter.reason.strip()
        assert any(raw.startswith(letter.raw) for raw in inputs), letter  # the bytes it got


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("demo")
    return write_demo_inputs(folder, now=datetime(2026, 3, 2, 1, 0, tzinfo=UTC))


def _sample_lines(path: Path) -> list[bytes]:
    return [line for line in path.read_bytes().splitlines() if line.strip()]


def _corpus(samples: list[bytes], marker: str, unique: str) -> tuple[list[bytes], list[bytes]]:
    """CASES mutants, each followed by an untouched sample made unique: ``marker`` replaced
    by ``unique`` formatted with the case number."""
    rng = _rng()
    cases, sentinels = [], []
    for n in range(CASES):
        cases.append(mutate(rng, rng.choice(samples)))
        sample = samples[n % len(samples)]
        sentinels.append(sample.replace(marker.encode(), unique.format(n).encode(), 1))
    return cases, sentinels


def _ingest_lines(tmp_path, store, registry, clock, name, cases, sentinels):
    path = tmp_path / name
    path.write_bytes(b"".join(c + b"\n" + s + b"\n" for c, s in zip(cases, sentinels, strict=True)))
    ingestor = Ingestor(store, registry, clock=clock, max_record_bytes=16 * 1024)
    report = ingest_paths([path], ingestor)
    assert_accounted(report, store, {*cases, *sentinels})
    return report


def test_fuzzed_json_lines(tmp_path, store, registry, clock, demo):
    cases, sentinels = _corpus(
        _sample_lines(demo.windows), '"host": {"name": "', '"host": {{"name": "{}-'
    )
    blank = sum(1 for c in cases if not c.strip())
    report = _ingest_lines(tmp_path, store, registry, clock, "w.jsonl", cases, sentinels)
    assert report.read == 2 * CASES - blank
    stored = {e.original.encode() for e in store.events.list(limit=100_000)}
    assert set(sentinels) <= stored


def test_fuzzed_panos_csv(tmp_path, store, registry, clock, demo):
    samples = [s for s in _sample_lines(demo.firewall) if b"TRAFFIC" in s]
    cases, sentinels = _corpus(samples, ",012801000001,", ",0128{:08d},")
    report = _ingest_lines(tmp_path, store, registry, clock, "fw.csv", cases, sentinels)
    assert report.dead_lettered > 0
    stored = {e.original.encode() for e in store.events.list(limit=100_000)}
    assert set(sentinels) <= stored


def test_fuzzed_syslog_files(tmp_path, store, registry, clock, demo):
    samples = [s for s in _sample_lines(demo.syslog) if s.startswith(b"<")]
    cases, sentinels = _corpus(samples, " sshd", " sshd{}")
    _ingest_lines(tmp_path, store, registry, clock, "s.log", cases, sentinels)
    stored = {e.original.encode() for e in store.events.list(limit=100_000)}
    assert set(sentinels) <= stored


@pytest.fixture
def server(store, registry, clock):
    ingestor = Ingestor(store, registry, clock=clock, max_record_bytes=16 * 1024)
    # Bursts of short connections from one address: the caps are not under test here.
    limits = TcpLimits(max_frame_bytes=16 * 1024, max_connections_per_source=2 * CASES)
    with SyslogServer(ingestor, udp_port=0, tcp_port=0, limits=limits) as server:
        yield server


def _syslog_sentinels(samples: list[bytes]) -> list[bytes]:
    return [samples[n % len(samples)] + f" sentinel {n}".encode() for n in range(CASES)]


def test_fuzzed_syslog_over_udp(server, store, demo):
    samples = [s for s in _sample_lines(demo.syslog) if s.startswith(b"<")]
    rng = _rng()
    cases = [mutate(rng, rng.choice(samples), keep_lines=False)[:60000] for _ in range(CASES)]
    sentinels = _syslog_sentinels(samples)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for n, (case, sentinel) in enumerate(zip(cases, sentinels, strict=True)):
            s.sendto(case, server.udp_address)
            s.sendto(sentinel, server.udp_address)
            if n % 50 == 49:
                server.drain(expect=2 * (n + 1))  # pace: loopback UDP drops what overflows
    server.drain(expect=2 * CASES)
    assert server.health is not None and server.health.snapshot().restarts == 0
    assert_accounted(server.ingestor.report, store, {*cases, *sentinels})
    stored = {e.original.encode() for e in store.events.list(limit=100_000)}
    assert set(sentinels) <= stored


def _all_connections_handled(server: SyslogServer, accepted: int) -> None:
    """Wait until the listener has read and closed ``accepted`` connections (each hands on
    its frames before it counts as closed), then until those frames are stored."""
    deadline = time.monotonic() + 30
    while True:
        tcp = server.status()["tcp"]
        assert isinstance(tcp, dict)
        assert tcp["refused_source_cap"] == tcp["refused_total_cap"] == 0
        if tcp["accepted"] >= accepted and tcp["open"] == 0:
            break
        assert time.monotonic() < deadline, tcp
        time.sleep(0.01)
    server.drain(timeout=30)


def test_fuzzed_syslog_over_tcp_streams(server, store, demo):
    """Mutants include the framing: octet counts that lie, stray digits, missing newlines.
    Each stream gets its own connection; the sentinels arrive on clean connections."""
    samples = [s for s in _sample_lines(demo.syslog) if s.startswith(b"<")]
    rng = _rng()
    streams = []
    for _ in range(CASES):
        frame = rng.choice(samples)
        framed = str(len(frame)).encode() + b" " + frame if rng.random() < 0.5 else frame + b"\n"
        streams.append(mutate(rng, framed, keep_lines=False))

    def send(payload: bytes) -> None:
        with socket.create_connection(server.tcp_address) as s:
            s.sendall(payload)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(send, streams))
    _all_connections_handled(server, CASES)
    sentinels = _syslog_sentinels(samples)
    send(b"".join(str(len(s)).encode() + b" " + s for s in sentinels))
    _all_connections_handled(server, CASES + 1)
    stored = {e.original.encode() for e in store.events.list(limit=100_000)}
    assert set(sentinels) <= stored
    assert server.health is not None and server.health.snapshot().restarts == 0
    report = server.ingestor.report
    assert report.read == report.stored + report.duplicates + report.dead_lettered
    assert store.events.count() == report.stored
    assert store.dead_letters.count() == report.dead_lettered
    # every byte sent is in a record: frames and dead letters together cover each stream
    assert all(d.reason.strip() for d in store.dead_letters.list(limit=100_000))


@pytest.mark.shared_data
def test_fuzzed_evtx_files(tmp_path, store, registry, clock):
    source = need_shared(EVTX_SAMPLES) / "Defense Evasion" / "DE_1102_security_log_cleared.evtx"
    original = source.read_bytes()[: 4096 + 2 * 65536]  # the header and its two used chunks
    rng = _rng()
    ingestor = Ingestor(store, registry, clock=clock)
    total = IngestReport()
    for n in range(CASES // 2):
        data = bytearray(original)
        for _ in range(rng.randint(1, 6)):
            where = rng.randrange(len(data))
            if rng.random() < 0.15:
                del data[where:]  # a copy cut short
            else:
                data[where : where + rng.randint(1, 64)] = rng.randbytes(rng.randint(1, 64))
        path = tmp_path / f"case{n}.evtx"
        path.write_bytes(bytes(data))
        total.merge(ingest_paths([path], ingestor))
        path.unlink()
    assert total.read == total.stored + total.duplicates + total.dead_lettered
    assert total.dead_lettered > 0 and total.stored > 0
    assert store.events.count() == total.stored
    assert store.dead_letters.count() == total.dead_lettered
    assert json.dumps(total.as_dict())  # a report a person can read, with every count

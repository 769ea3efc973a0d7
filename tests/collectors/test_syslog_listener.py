"""Real syslog over loopback sockets into a real SQLite store."""

import socket

import pytest

from collectors.ingest import Ingestor
from collectors.syslog import SyslogServer


@pytest.fixture
def listener(store, registry, clock):
    server = SyslogServer(
        Ingestor(store, registry, clock=clock, batch_size=50),
        host="127.0.0.1",
        udp_port=0,
        tcp_port=0,
    )
    with server:
        yield server


def send_udp(address, *datagrams: bytes) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for d in datagrams:
            s.sendto(d, address)


def send_tcp(address, payload: bytes) -> None:
    with socket.create_connection(address) as s:
        s.sendall(payload)


def test_udp_datagrams_become_events_tagged_by_sender(listener, store):
    send_udp(
        listener.udp_address,
        b"<38>1 2026-03-02T09:00:00+08:00 web02 sshd 1 - - hello",
        b"<38>Mar  2 09:00:01 web02 sshd[2]: second",
    )
    listener.drain(expect=2)
    events = store.events.list()
    assert [e.fields["message"] for e in events] == ["hello", "second"]
    # loopback is no agency's network: tagged unassigned and counted, never dropped
    assert {e.organization_id for e in events} == {"unassigned"}
    assert listener.ingestor.report.unassigned == 2


FAILED_LOGIN = b"<38>Mar  2 09:00:00 web02 sshd[7]: Failed password for root from 10.9.9.9"


def test_ten_identical_datagrams_are_ten_events(listener, store):
    """Brute-force rules count failed logins: identical lines must not collapse."""
    send_udp(listener.udp_address, *[FAILED_LOGIN] * 10)
    listener.drain(expect=10)
    assert store.events.count() == 10
    assert listener.ingestor.report.duplicates == 0


def test_ten_identical_tcp_lines_are_ten_events_and_bad_ones_ten_dead_letters(listener, store):
    send_tcp(listener.tcp_address, (FAILED_LOGIN + b"\n") * 10 + b"<999>bad\n" * 10)
    listener.drain(expect=20)
    assert store.events.count() == 10
    assert store.dead_letters.count() == 10
    assert all("received #" in str(d.position) for d in store.dead_letters.list())


def test_tcp_octet_counting_and_newline_framing(listener, store):
    first = b"<38>1 2026-03-02T09:00:00+08:00 h app - - - framed with a\nnewline inside"
    payload = str(len(first)).encode() + b" " + first
    payload += b"<38>Mar  2 09:00:01 h app: newline framed\n"
    payload += b"<38>Mar  2 09:00:02 h app: another\n"
    send_tcp(listener.tcp_address, payload)
    listener.drain(expect=3)
    messages = sorted(str(e.fields["message"]) for e in store.events.list())
    assert messages == ["another", "framed with a\nnewline inside", "newline framed"]


def test_malformed_datagram_is_dead_lettered_with_reason(listener, store):
    send_udp(listener.udp_address, b"<999>not syslog")
    listener.drain(expect=1)
    [dead] = store.dead_letters.list()
    assert dead.raw == b"<999>not syslog"
    assert "PRI" in dead.reason
    assert dead.source.startswith("syslog-udp:127.0.0.1")
    assert store.events.count() == 0


def test_invalid_utf8_and_truncated_messages_are_dead_lettered(listener, store):
    send_udp(listener.udp_address, b"<38>Mar  2 09:00:01 h app: caf\xe9 \xff", b"<38>Mar  2")
    listener.drain(expect=2)
    reasons = sorted(d.reason for d in store.dead_letters.list())
    assert any("not valid UTF-8" in r for r in reasons)
    assert any("neither RFC 5424" in r for r in reasons)
    assert store.dead_letters.count() == 2


def test_oversized_tcp_record_is_dead_lettered_truncated_with_its_size(listener, store):
    big = b"<38>Mar  2 09:00:01 h app: " + b"x" * (1024 * 1024 + 10)
    send_tcp(listener.tcp_address, big + b"\n")
    listener.drain(expect=1)
    [dead] = store.dead_letters.list()
    assert f"TRUNCATED: record is {len(big)} bytes, over the 1048576-byte limit" in dead.reason
    assert dead.raw == big[: 1024 * 1024]


def test_a_connection_closed_mid_frame_is_dead_lettered_not_lost(listener, store):
    send_tcp(listener.tcp_address, b"<38>Mar  2 09:00:01 h app: complete\n<38>Mar  2 09:0")
    listener.drain(expect=2)
    assert [e.fields["message"] for e in store.events.list()] == ["complete"]
    [dead] = store.dead_letters.list()
    assert dead.raw == b"<38>Mar  2 09:0" and "closed in the middle of a frame" in dead.reason


def test_a_frame_sent_in_two_writes_is_one_event(listener, store):
    import time

    message = b"<38>1 2026-03-02T09:00:00+08:00 h app - - - two writes"
    with socket.create_connection(listener.tcp_address) as s:
        s.sendall(str(len(message)).encode() + b" " + message[:20])
        time.sleep(0.05)  # let the server read the first half on its own
        s.sendall(message[20:])
    listener.drain(expect=1)
    assert [e.fields["message"] for e in store.events.list()] == ["two writes"]


def test_a_message_the_parser_cannot_represent_does_not_stop_collection(listener, store):
    """Issue 12 item 2: year 1 at +14:00 used to kill the one worker thread; every later
    message was lost."""
    send_udp(listener.udp_address, b"<38>1 0001-01-01T00:00:00+14:00 x app 1 - - x")
    listener.drain(expect=1)
    send_udp(listener.udp_address, b"<38>1 2026-03-02T09:00:00+08:00 web02 sshd 1 - - after")
    listener.drain(expect=2)
    assert [e.fields["message"] for e in store.events.list()] == ["after"]
    [dead] = store.dead_letters.list()
    assert "year 1 +14:00 is outside what can be represented" in dead.reason


def test_a_newline_framed_line_starting_with_digits_and_a_space_is_one_record(listener, store):
    """Read as an octet count, "12 apples fell" swallowed the next message's bytes."""
    send_tcp(listener.tcp_address, b"12 apples fell\n<38>Mar  2 09:00:01 h app: next\n")
    listener.drain(expect=2)
    assert [e.fields["message"] for e in store.events.list()] == ["next"]
    [dead] = store.dead_letters.list()
    assert dead.raw == b"12 apples fell" and "PRI" in dead.reason


def test_a_huge_octet_count_is_a_truncated_dead_letter_and_memory_stays_bounded(
    store, registry, clock
):
    ingestor = Ingestor(store, registry, clock=clock, max_record_bytes=4096)
    with SyslogServer(ingestor, udp_port=None, tcp_port=0) as server:
        with socket.create_connection(server.tcp_address) as s:
            s.sendall(b"999999999 <38>Mar  2 09:00:01 h app: ")
            for _ in range(64):
                s.sendall(b"z" * 65536)  # 4 MiB of a frame announced as 1 GB
        server.drain(expect=1)
    [dead] = store.dead_letters.list()
    assert len(dead.raw) == 4096 and dead.raw.startswith(b"<38>Mar  2 09:00:01 h app: zzz")
    assert "closed in the middle of a frame" in dead.reason
    assert f"TRUNCATED: {27 + 64 * 65536} bytes were received" in dead.reason


def wait_for(condition, what: str, timeout: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def _closed_by_server(s: socket.socket) -> bool:
    try:
        return s.recv(1) == b""
    except ConnectionResetError:  # closed with our bytes unread
        return True


def _connect(address, source: str = "127.0.0.1") -> socket.socket:
    s = socket.socket()
    s.bind((source, 0))
    s.connect(address)
    s.settimeout(10)
    return s


def test_connections_past_the_caps_are_refused_and_counted(store, registry, clock):
    from collectors.syslog import TcpLimits

    limits = TcpLimits(max_frame_bytes=4096, max_connections=5, max_connections_per_source=3)
    server = SyslogServer(
        Ingestor(store, registry, clock=clock), udp_port=None, tcp_port=0, limits=limits
    )

    def decisions() -> int:
        tcp = server.status()["tcp"]
        assert isinstance(tcp, dict)
        return int(tcp["accepted"] + tcp["refused_source_cap"] + tcp["refused_total_cap"])

    with server:
        kept: list[socket.socket] = []
        outcome = []
        for n, source in enumerate(["127.0.0.1"] * 4 + ["127.0.0.2"] * 2 + ["127.0.0.3"]):
            opened = server.status()["tcp"]["accepted"]  # type: ignore[index]
            s = _connect(server.tcp_address, source)
            kept.append(s)
            wait_for(lambda n=n: decisions() == n + 1, "the listener to admit or refuse")
            if server.status()["tcp"]["accepted"] == opened:  # type: ignore[index]
                assert _closed_by_server(s)  # closed at once, not left hanging
                outcome.append("refused")
            else:
                s.sendall(f"<38>Mar  2 09:00:01 h app: connection {n}\n".encode())
                outcome.append("open")
        assert outcome == ["open"] * 3 + ["refused"] + ["open"] * 2 + ["refused"]
        server.drain(expect=5)
        stats = server.status()["tcp"]
        assert stats["refused_source_cap"] == 1 and stats["refused_total_cap"] == 1
        assert stats["open"] == 5
        for s in kept:
            s.close()
    assert store.events.count() == 5


def test_three_hundred_connections_do_not_take_three_hundred_threads(store, registry, clock):
    import threading

    server = SyslogServer(Ingestor(store, registry, clock=clock), udp_port=None, tcp_port=0)
    with server:
        before = threading.active_count()
        # five senders, 60 connections each: within the default cap of 64 per source
        sockets = [_connect(server.tcp_address, f"127.0.0.{1 + n % 5}") for n in range(300)]
        for n, s in enumerate(sockets):
            s.sendall(f"<38>Mar  2 09:00:01 h app: connection {n}\n".encode())
        server.drain(expect=300)
        assert server.status()["tcp"]["open"] == 300
        assert threading.active_count() - before < 10
        for s in sockets:
            s.close()
    assert store.events.count() == 300


def test_an_idle_connection_is_closed_and_its_partial_frame_kept(store, registry, clock):
    from collectors.syslog import TcpLimits

    limits = TcpLimits(idle_seconds=0.2)
    server = SyslogServer(
        Ingestor(store, registry, clock=clock), udp_port=None, tcp_port=0, limits=limits
    )
    with server, _connect(server.tcp_address) as s:
        s.sendall(b"<38>Mar  2 09:00:01 h app: whole\n<38>Mar  2 09:00:02 h app: hal")
        assert _closed_by_server(s)  # the server hung up on the idle connection
        server.drain(expect=2)
        assert server.status()["tcp"]["closed_idle"] == 1
    [dead] = store.dead_letters.list()
    assert dead.raw == b"<38>Mar  2 09:00:02 h app: hal"
    assert [e.fields["message"] for e in store.events.list()] == ["whole"]


def test_util_linux_logger_over_tcp_with_octet_counting(listener, store):
    """A real sender: util-linux's logger, RFC 5424 messages in RFC 6587 octet-counted frames."""
    import subprocess

    from tests.conftest import require_binary

    logger = require_binary("logger", "apt-get install bsdutils (util-linux's logger)")
    host, port = listener.tcp_address
    for text in ("first from logger", "second\nwith a newline inside"):
        subprocess.run(
            [logger, "--tcp", "--octet-count", "-n", host, "-P", str(port), "-t", "app", text],
            check=True,
            timeout=10,
        )
    listener.drain(expect=2)
    messages = sorted(str(e.fields["message"]) for e in store.events.list())
    assert messages == ["first from logger", "second\nwith a newline inside"]

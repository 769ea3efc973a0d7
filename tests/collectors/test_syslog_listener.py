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


def test_the_same_datagram_twice_is_stored_once(listener, store):
    line = b"<38>1 2026-03-02T09:00:00+08:00 web02 sshd 1 - - duplicate me"
    send_udp(listener.udp_address, line, line)
    listener.drain(expect=2)
    assert store.events.count() == 1
    assert listener.ingestor.report.duplicates == 1


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


def test_frames_split_across_reads_are_reassembled():
    from collectors.syslog import split_frames

    frames, rest = split_frames(b"12 <38>hello w")
    assert (frames, rest) == ([], b"12 <38>hello w")
    frames, rest = split_frames(rest + b"x<38>line\n<38>part")
    assert frames == [(b"<38>hello wx", None), (b"<38>line", None)]
    assert rest == b"<38>part"
    assert split_frames(b"12") == ([], b"12")  # the count itself may be incomplete
    [(bad, note)], rest = split_frames(b"12abc not a count\n")
    assert note == "bad octet-count frame" and bad == b"12abc not a count" and rest == b""


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

"""The RELP listener with a hand-written client on loopback: acknowledgements, the session."""

import socket

import pytest

from collectors.ingest import Ingestor
from collectors.syslog import SyslogServer


@pytest.fixture
def server(store, registry, clock):
    with SyslogServer(
        Ingestor(store, registry, clock=clock), udp_port=None, tcp_port=None, relp_port=0
    ) as s:
        yield s


def exchange(sock: socket.socket, frame: bytes) -> bytes:
    sock.sendall(frame)
    answer = b""
    while not answer.endswith(b"\n") or answer.count(b" ") < 2:
        chunk = sock.recv(4096)
        if not chunk:
            break
        answer += chunk
    return answer


def test_each_syslog_frame_is_acknowledged_once_journalled_and_stored(server, store):
    line = b"<38>Mar  2 09:00:00 web02 sshd[7]: Failed password for root from 10.9.9.9"
    with socket.create_connection(server.relp_address) as relp:
        offers = b"relp_version=0\nrelp_software=test\ncommands=syslog"
        answer = exchange(relp, b"1 open %d %s\n" % (len(offers), offers))
        assert answer.startswith(b"1 rsp ") and b"200 OK" in answer and b"commands=syslog" in answer
        for txnr in (2, 3):
            assert exchange(relp, b"%d syslog %d %s\n" % (txnr, len(line), line)) == (
                b"%d rsp 6 200 OK\n" % txnr
            )
        assert exchange(relp, b"4 close 0\n") == b"4 rsp 0\n"
    server.drain(expect=2)
    assert store.events.count() == 2  # identical lines, two events
    assert {e.fields["log.source.address"] for e in store.events.list()} == {"127.0.0.1"}


def test_a_broken_frame_is_answered_and_the_connection_closed(server):
    with socket.create_connection(server.relp_address) as relp:
        relp.sendall(b"1 syslog many bytes\n")
        assert relp.recv(100) == b"0 serverclose 0\n"

"""200 syslog TCP clients connecting at once (every forwarder after a restart, issue 19):
every line each one sent is stored."""

import socket
import threading

import pytest

from collectors.ingest import Ingestor
from collectors.syslog import SyslogServer, TcpLimits

pytestmark = pytest.mark.faults

CLIENTS, LINES = 200, 100


def test_200_simultaneous_clients_lose_no_line(store, registry, clock):
    # (the clients are 200 forwarders; here they share one address, so the per-source cap
    # is raised to let them all in)
    server = SyslogServer(
        Ingestor(store, registry, clock=clock),
        udp_port=None,
        tcp_port=0,
        limits=TcpLimits(max_connections_per_source=CLIENTS),
    )
    start = threading.Barrier(CLIENTS)
    errors: list[BaseException] = []

    def client(n: int) -> None:
        assert server.tcp_address is not None
        payload = b"".join(
            f"<38>Mar  2 09:00:00 host{n} app: client {n} line {i}\n".encode() for i in range(LINES)
        )
        try:
            start.wait(30)
            with socket.create_connection(server.tcp_address, timeout=30) as s:
                s.sendall(payload)
        except BaseException as exc:  # noqa: BLE001 - reported below, with the others
            errors.append(exc)

    with server:
        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors
        server.drain(expect=CLIENTS * LINES, timeout=60)
    assert store.events.count() == CLIENTS * LINES
    assert server.status()["tcp"]["accepted"] == CLIENTS  # type: ignore[index]

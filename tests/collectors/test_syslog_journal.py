"""Syslog intake through the journal (issue 19, item 4): back-pressure when it is full, UDP
drops counted (journal full, and the kernel's own counter), metrics for operators."""

import contextlib
import socket
import sqlite3
import threading
import time

from collectors.ingest import Ingestor
from collectors.syslog import SyslogServer, udp_kernel_drops
from core.health import HealthRegistry

LINE = b"<38>Mar  2 09:00:00 web02 app: " + b"x" * 900 + b"\n"


def wait_for(condition, what: str, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def gauges(health: HealthRegistry) -> dict[str, float]:
    return {g.name + "".join(f"/{v}" for _k, v in g.labels): g.value for g in health.metrics()}


def _fill(server: SyslogServer, health: HealthRegistry, lines: int):  # type: ignore[no-untyped-def]
    assert server.tcp_address is not None and server.udp_address is not None
    address = server.tcp_address

    def send() -> None:
        with contextlib.suppress(OSError), socket.create_connection(address) as tcp:
            tcp.sendall(LINE * lines)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    wait_for(lambda: server.journal.stats().unstored_bytes > 800_000, "the journal to fill")
    time.sleep(0.5)  # (not an assertion on time: the sender gets every chance to overfill)
    held = server.journal.stats()
    assert sender.is_alive()  # its last lines are not read yet: back-pressure
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        for _ in range(200):  # the journal's last room goes, then datagrams are dropped
            udp.sendto(LINE, server.udp_address)
    wait_for(
        lambda: gauges(health).get("citysoc_syslog_udp_drops_total/journal_full", 0) > 0,
        "UDP drops to be counted",
    )
    return held, sender


def test_a_full_journal_stops_reading_tcp_and_drops_udp_and_all_accepted_is_stored(
    store, registry, clock, settings, tmp_path
):
    health = HealthRegistry()
    server = SyslogServer(
        Ingestor(store, registry, clock=clock, batch_size=200),
        udp_port=0,
        tcp_port=0,
        health=health,
        journal_dir=tmp_path / "journal",
        journal_max_bytes=1 << 20,
    )
    blocker = sqlite3.connect(settings.sqlite_path, isolation_level=None, timeout=30)
    lines = 20_000  # ~18 MiB: more than the journal and both sockets' buffers hold
    with server:
        blocker.execute("BEGIN IMMEDIATE")  # nothing can be stored for now
        try:
            held, sender = _fill(server, health, lines)
        finally:
            blocker.execute("ROLLBACK")
        assert held.bytes_on_disk <= 1 << 20  # bounded; the sender was held back meanwhile
        sender.join(60)

        def udp_kept() -> float:
            return gauges(health)["citysoc_syslog_lines_received_total"] - lines

        wait_for(lambda: server.status()["tcp"]["frames"] == lines, "every TCP line read")  # type: ignore[index]
        wait_for(
            lambda: (
                udp_kept() + gauges(health)["citysoc_syslog_udp_drops_total/journal_full"] == 200
            ),
            "every datagram journalled or dropped",
        )
        server.drain(timeout=60)
        metrics = gauges(health)
    kept = metrics["citysoc_syslog_lines_received_total"] - lines
    dropped = metrics["citysoc_syslog_udp_drops_total/journal_full"]
    assert 0 < dropped < 200
    assert store.events.count() == lines + kept
    assert metrics["citysoc_syslog_lines_stored_total"] == lines + kept
    assert metrics["citysoc_syslog_journal_unstored_bytes"] == 0
    assert metrics["citysoc_syslog_journal_oldest_unstored_age_seconds"] == 0


def test_datagrams_the_kernel_dropped_are_counted_from_its_socket_counters(store, registry):
    health = HealthRegistry()
    server = SyslogServer(Ingestor(store, registry), udp_port=0, tcp_port=None, health=health)
    try:
        assert server._udp is not None
        assert udp_kernel_drops(server._udp) == 0
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            for _ in range(20_000):  # nobody reads yet: the receive buffer overflows
                udp.sendto(LINE, server.udp_address)
        dropped = udp_kernel_drops(server._udp)
        assert dropped is not None and dropped > 0
        server.start()
        assert gauges(health)["citysoc_syslog_udp_drops_total/socket_buffer_full"] >= dropped
    finally:
        server.close()

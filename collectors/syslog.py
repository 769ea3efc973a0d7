"""Syslog over UDP and TCP (RFC 6587: octet counting and newline framing).

Receivers only read sockets and queue raw records: UDP in one thread, TCP on one asyncio
event loop (``collectors.syslog_tcp``). One worker thread parses and stores them in
batches, so a slow disk never blocks the socket reads for long. ``drain()`` returns once
everything received so far has been stored.

The worker is supervised: if it dies anyway (the store refuses a batch), the cause is
logged, the worker health (``core.health``) says "restarting", and after a back-off the
same batch is tried again: nothing taken from the queue is dropped.
"""

import asyncio
import copy
import dataclasses
import itertools
import logging
import queue
import socket
import threading
import time
from collections.abc import Callable
from typing import Self

from collectors.framing import UNTERMINATED
from collectors.ingest import Ingestor
from collectors.records import RawRecord
from collectors.syslog_tcp import TcpLimits, TcpSyslogListener
from core.errors import UnavailableError
from core.health import HealthRegistry, WorkerHealth

__all__ = ["WORKER_NAME", "SyslogServer", "TcpLimits"]

log = logging.getLogger("citysoc.syslog")

WORKER_NAME = "syslog worker"
_FRAMING_ERRORS = {
    UNTERMINATED: "the connection closed in the middle of a frame (the peer closed it or "
    "was idle too long before a newline, or before the bytes its octet count announced)",
}
_STOP = None  # queued by close(): the worker stores what came before it, then ends


class _Counters:
    def __init__(self) -> None:
        self.received = 0
        self.handled = 0
        self.lock = threading.Condition()


class SyslogServer:
    """UDP and TCP listeners on one host; port 0 picks a free port (see the addresses)."""

    def __init__(
        self,
        ingestor: Ingestor,
        *,
        host: str = "127.0.0.1",
        udp_port: int | None = 5514,
        tcp_port: int | None = 5514,
        on_stored: Callable[[], None] | None = None,
        limits: TcpLimits | None = None,
        health: HealthRegistry | None = None,
        restart_backoff: tuple[float, float] = (0.5, 30.0),
    ) -> None:
        self.ingestor = ingestor
        self.on_stored = on_stored
        self.limits = limits or TcpLimits(max_frame_bytes=ingestor.max_record_bytes)
        self._health_registry = health or HealthRegistry()
        self.health: WorkerHealth | None = None
        self._backoff = restart_backoff
        self._queue: queue.Queue[list[RawRecord] | None] = queue.Queue(maxsize=10_000)
        self._counts = _Counters()
        self._threads: list[threading.Thread] = []
        self._worker_thread: threading.Thread | None = None
        self._udp: socket.socket | None = None
        self._tcp: TcpSyslogListener | None = None
        self._stopping = threading.Event()
        # Receive sequence numbers, unique across restarts (they start at the clock in ns).
        self._sequence = itertools.count(time.time_ns())
        try:
            if udp_port is not None:
                self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                self._udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 * 1024 * 1024)
                self._udp.bind((host, udp_port))
                self._udp.settimeout(0.2)
            if tcp_port is not None:
                self._tcp = TcpSyslogListener(
                    host,
                    tcp_port,
                    deliver=self._deliver,
                    clock=ingestor.clock,
                    limits=self.limits,
                )
        except OSError as exc:
            self.close()
            raise UnavailableError(
                f"cannot listen for syslog on {host} (udp {udp_port}, tcp {tcp_port}): {exc}; "
                "choose other ports with CITYSOC_SYSLOG_UDP_PORT / CITYSOC_SYSLOG_TCP_PORT",
                location="syslog",
            ) from exc

    @property
    def udp_address(self) -> tuple[str, int] | None:
        return self._udp.getsockname() if self._udp else None

    @property
    def tcp_address(self) -> tuple[str, int] | None:
        return self._tcp.address if self._tcp else None

    def status(self) -> dict[str, object]:
        """The listener's state for operators: worker health, queue, TCP counters."""
        health = self.health.snapshot().as_dict() if self.health else {"state": "not started"}
        with self._counts.lock:
            received, handled = self._counts.received, self._counts.handled
        return {
            **health,
            "received": received,
            "stored_or_dead_lettered": handled,
            "queued_batches": self._queue.qsize(),
            "tcp": self._tcp.stats.as_dict() if self._tcp else None,
        }

    def _numbered(self, records: list[RawRecord]) -> list[RawRecord]:
        return [dataclasses.replace(r, sequence=next(self._sequence)) for r in records]

    def _enqueue(self, records: list[RawRecord]) -> None:
        records = self._numbered(records)
        with self._counts.lock:
            self._counts.received += len(records)
        self._queue.put(records)

    async def _deliver(self, records: list[RawRecord]) -> None:
        """The TCP hand-off: queue at once, or, when the queue is full, wait in a helper
        thread so the event loop keeps serving the other connections."""
        records = self._numbered(records)
        with self._counts.lock:
            self._counts.received += len(records)
        try:
            self._queue.put_nowait(records)
        except queue.Full:
            await asyncio.to_thread(self._queue.put, records)

    def _udp_loop(self) -> None:
        udp = self._udp
        while udp is not None and not self._stopping.is_set():
            try:
                data, (peer, _port) = udp.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            record = RawRecord(
                source="syslog-udp", data=data, received_at=self.ingestor.clock.now(), sender=peer
            )
            self._enqueue([record])

    def _next_records(self) -> tuple[list[RawRecord], bool]:
        """Up to a batch of queued records (waiting for the first), and whether close()
        asked the worker to stop after them."""
        first = self._queue.get()
        records = list(first or ())
        stop = first is _STOP
        while not stop and len(records) < self.ingestor.batch_size:
            try:
                more = self._queue.get_nowait()
            except queue.Empty:
                break
            stop = more is _STOP
            records.extend(more or ())
        return records, stop

    def _store(self, records: list[RawRecord]) -> None:
        """Parse and store one batch, all or nothing as far as the report is concerned."""
        before = copy.copy(self.ingestor.report)
        before.by_agency = dict(before.by_agency)
        try:
            for record in records:
                if record.position in _FRAMING_ERRORS:
                    self.ingestor.report.read += 1
                    self.ingestor.dead_letter(record, self._framing_reason(record))
                else:
                    self.ingestor.submit(record, "syslog")
            self.ingestor.flush()
        except BaseException:
            self.ingestor.discard_unsettled()
            self.ingestor.report = before  # the retry counts these records again
            raise

    @staticmethod
    def _framing_reason(record: RawRecord) -> str:
        reason = _FRAMING_ERRORS[str(record.position)]
        if record.original_size:
            reason += (
                f"; TRUNCATED: {record.original_size} bytes were received, only the first "
                f"{len(record.data)} are kept here (CITYSOC_MAX_RECORD_BYTES)"
            )
        return reason

    def _work(self, pending: list[RawRecord], health: WorkerHealth) -> None:
        """Store batches until close(); ``pending`` holds the batch in hand, so that a
        restarted worker begins with the batch its predecessor died on."""
        stop = False
        while True:
            if not pending:
                records, stop = self._next_records()
                pending.extend(records)
            self._store(pending)
            handled = len(pending)
            pending.clear()
            health.succeeded(self.ingestor.clock.now())
            with self._counts.lock:
                self._counts.handled += handled
                self._counts.lock.notify_all()
            if self.on_stored and handled:
                self.on_stored()
            if stop:
                return

    def _supervise(self, health: WorkerHealth) -> None:
        """Run the worker; when it dies, log why, say so in its health, back off, restart.
        (A stop queued by close() and taken by a failed batch is seen through _stopping.)"""
        pending: list[RawRecord] = []
        delay, longest = self._backoff
        health.running()
        while True:
            try:
                self._work(pending, health)
                return
            except Exception as exc:  # noqa: BLE001 - whatever it was, collection must go on
                health.failed(exc, self.ingestor.clock.now())
                log.error(
                    "syslog worker failed with %d records in hand (%s: %s); restarting in %.1f s",
                    len(pending),
                    type(exc).__name__,
                    exc,
                    delay,
                    exc_info=exc,
                )
            if self._stopping.wait(delay):
                self._last_try(pending)
                return
            delay = min(delay * 2, longest)

    def _last_try(self, pending: list[RawRecord]) -> None:
        """Closing while the store refuses: one more attempt for the batch in hand."""
        try:
            self._store(pending)
        except Exception as exc:  # noqa: BLE001 - say what is lost, then stop
            log.error(
                "syslog worker stopped: %d received records could not be stored (%s: %s)",
                len(pending),
                type(exc).__name__,
                exc,
            )
        with self._counts.lock:
            self._counts.handled += len(pending)
            self._counts.lock.notify_all()

    def start(self) -> Self:
        self.health = self._health_registry.register(WORKER_NAME)
        if self._udp:
            self._threads.append(
                threading.Thread(target=self._udp_loop, name="syslog-udp", daemon=True)
            )
        self._worker_thread = threading.Thread(
            target=self._supervise, args=(self.health,), name="syslog-ingest", daemon=True
        )
        for t in [*self._threads, self._worker_thread]:
            t.start()
        if self._tcp:
            self._tcp.start()
        return self

    def drain(self, *, expect: int | None = None, timeout: float = 10.0) -> int:
        """Wait until every record received (or ``expect`` records) is stored; returns count."""
        deadline = time.monotonic() + timeout
        with self._counts.lock:
            while True:
                target = expect if expect is not None else self._counts.received
                if self._counts.handled >= target and self._queue.empty():
                    return self._counts.handled
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"syslog drain timed out: {self._counts.handled} of {target} handled"
                    )
                self._counts.lock.wait(min(remaining, 0.05))

    def close(self) -> None:
        self._stopping.set()
        if self._tcp:
            self._tcp.close()  # open connections hand on their incomplete frames first
        if self._udp:
            self._udp.close()
        for t in self._threads:
            t.join(timeout=2)
        if self._worker_thread is not None:
            self._queue.put(_STOP)
            self._worker_thread.join(timeout=10)
        if self.health is not None:
            self._health_registry.unregister(self.health)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

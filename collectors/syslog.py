"""Syslog over UDP and TCP (RFC 6587: octet counting and newline framing).

Receivers only read sockets and append raw records to the on-disk journal
(``collectors.journal``): UDP in one thread, TCP on one asyncio event loop
(``collectors.syslog_tcp``). One worker thread reads the journal back, parses and stores
in batches, and commits the journal position, so a slow disk never blocks the socket
reads for long and a crash loses nothing accepted: at the next start the worker begins
where the last commit left off. When the journal is full, TCP connections stop being read
(back-pressure) and UDP datagrams are dropped and counted. ``drain()`` returns once
everything received so far has been stored.

The worker is supervised: if it dies anyway (the store refuses a batch), the cause is
logged, the worker health (``core.health``) says "restarting", and after a back-off the
same batch is tried again: nothing taken from the queue is dropped.
"""

import asyncio
import copy
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Self

from collectors.framing import UNTERMINATED
from collectors.ingest import Ingestor
from collectors.journal import Journal, JournalBusy, JournalFull
from collectors.records import RawRecord
from collectors.relp import RelpListener
from collectors.syslog_tcp import TcpLimits, TcpSyslogListener
from collectors.syslog_tls import TlsConfig, TlsSyslogListener, server_context
from core.errors import UnavailableError
from core.health import Gauge, HealthRegistry, WorkerHealth

__all__ = ["DEFAULT_JOURNAL_MAX_BYTES", "WORKER_NAME", "SyslogServer", "TcpLimits"]

log = logging.getLogger("citysoc.syslog")

WORKER_NAME = "syslog worker"
_FRAMING_ERRORS = {
    UNTERMINATED: "the connection closed in the middle of a frame (the peer closed it or "
    "was idle too long before a newline, or before the bytes its octet count announced)",
}
DEFAULT_JOURNAL_MAX_BYTES = 256 * 1024 * 1024  # CITYSOC_SYSLOG_JOURNAL_MAX_BYTES
_ROOM_WAIT = 0.5  # seconds between looks at the journal while a TCP sender waits for room


class _Counters:
    def __init__(self) -> None:
        self.received = 0
        self.handled = 0
        self.udp_dropped_journal_full = 0
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
        journal_dir: Path | None = None,
        journal_max_bytes: int = DEFAULT_JOURNAL_MAX_BYTES,
        relp_port: int | None = None,
        tls_port: int | None = None,
        tls: TlsConfig | None = None,
    ) -> None:
        """``journal_dir`` None: a temporary journal, removed at close (tests, benchmarks);
        ``citysoc serve`` keeps it under the data directory, so a restart replays it."""
        self.ingestor = ingestor
        self.on_stored = on_stored
        self.limits = limits or TcpLimits(max_frame_bytes=ingestor.max_record_bytes)
        self._health_registry = health or HealthRegistry()
        self.health: WorkerHealth | None = None
        self._backoff = restart_backoff
        self._temporary = journal_dir is None
        try:
            self.journal = Journal(
                journal_dir or Path(tempfile.mkdtemp(prefix="citysoc-journal-")),
                journal_max_bytes,
            )
        except (JournalBusy, OSError) as exc:
            raise UnavailableError(
                f"cannot open the syslog journal: {exc}; is another `citysoc serve` running "
                "on this data directory?",
                location="syslog",
            ) from exc
        self._counts = _Counters()
        self._threads: list[threading.Thread] = []
        self._worker_thread: threading.Thread | None = None
        self._udp: socket.socket | None = None
        self._tcp: TcpSyslogListener | None = None
        self._relp: RelpListener | None = None
        self._tls: TlsSyslogListener | None = None
        self._stopping = threading.Event()
        self._finishing = threading.Event()  # the listeners are closed: store the rest, end
        self._tcp_closing = False
        self._pending_end = 0  # the journal position after the batch in hand
        # Bad certificates fail here, with their setting's name, before a port is taken.
        context = server_context(tls) if tls is not None and tls_port is not None else None
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
            if relp_port is not None:
                self._relp = RelpListener(
                    host, relp_port, deliver=self._deliver, clock=ingestor.clock, limits=self.limits
                )
            if context is not None and tls_port is not None:
                self._tls = TlsSyslogListener(
                    host,
                    tls_port,
                    deliver=self._deliver,
                    clock=ingestor.clock,
                    limits=self.limits,
                    context=context,
                    agencies=ingestor.registry,
                )
        except OSError as exc:
            self.close()
            raise UnavailableError(
                f"cannot listen for syslog on {host} (udp {udp_port}, tcp {tcp_port}, relp "
                f"{relp_port}, tls {tls_port}): {exc}; choose other ports with "
                "CITYSOC_SYSLOG_UDP_PORT / CITYSOC_SYSLOG_TCP_PORT / CITYSOC_SYSLOG_RELP_PORT / "
                "CITYSOC_SYSLOG_TLS_PORT",
                location="syslog",
            ) from exc

    @property
    def udp_address(self) -> tuple[str, int] | None:
        return self._udp.getsockname() if self._udp else None

    @property
    def tcp_address(self) -> tuple[str, int] | None:
        return self._tcp.address if self._tcp else None

    @property
    def relp_address(self) -> tuple[str, int] | None:
        return self._relp.address if self._relp else None

    @property
    def tls_address(self) -> tuple[str, int] | None:
        return self._tls.address if self._tls else None

    def status(self) -> dict[str, object]:
        """The listener's state for operators: worker health, queue, TCP counters."""
        health = self.health.snapshot().as_dict() if self.health else {"state": "not started"}
        with self._counts.lock:
            received, handled = self._counts.received, self._counts.handled
        journal = self.journal.stats()
        return {
            **health,
            "received": received,
            "stored_or_dead_lettered": handled,
            "journal_bytes": journal.bytes_on_disk,
            "journal_unstored_bytes": journal.unstored_bytes,
            "journal_oldest_unstored_at": (
                journal.oldest_unstored_at.isoformat() if journal.oldest_unstored_at else None
            ),
            "udp_dropped_journal_full": self._counts.udp_dropped_journal_full,
            "tcp": self._tcp.stats.as_dict() if self._tcp else None,
            "relp": self._relp.stats.as_dict() if self._relp else None,
            "tls": self._tls.stats.as_dict() if self._tls else None,
        }

    def metrics(self) -> list[Gauge]:
        """For /metrics: lines in and stored (rates come from these counters), the journal,
        and UDP datagrams lost: by the kernel (socket buffer full) or refused when the
        journal was full."""
        journal = self.journal.stats()
        now = self.ingestor.clock.now()
        with self._counts.lock:
            received, handled = self._counts.received, self._counts.handled
            full = self._counts.udp_dropped_journal_full
        gauges = [
            Gauge(
                "citysoc_syslog_lines_received_total",
                "Syslog lines accepted (journalled).",
                received,
                kind="counter",
            ),
            Gauge(
                "citysoc_syslog_lines_stored_total",
                "Syslog lines stored or dead-lettered.",
                handled,
                kind="counter",
            ),
            Gauge(
                "citysoc_syslog_journal_bytes",
                "Bytes of the syslog journal on disk.",
                journal.bytes_on_disk,
            ),
            Gauge(
                "citysoc_syslog_journal_unstored_bytes",
                "Journalled syslog bytes not yet stored.",
                journal.unstored_bytes,
            ),
            Gauge(
                "citysoc_syslog_journal_max_bytes",
                "The journal's bound (full: back-pressure).",
                journal.max_bytes,
            ),
            Gauge(
                "citysoc_syslog_journal_oldest_unstored_age_seconds",
                "Age of the oldest journalled line not yet stored (0: none).",
                max(0.0, (now - journal.oldest_unstored_at).total_seconds())
                if journal.oldest_unstored_at
                else 0.0,
            ),
        ]
        if self._tls is not None:
            gauges += self._tls.metrics()
        if self._udp is not None:
            kernel = udp_kernel_drops(self._udp)
            for reason, value in (("socket_buffer_full", kernel), ("journal_full", full)):
                if value is not None:
                    gauges.append(
                        Gauge(
                            "citysoc_syslog_udp_drops_total",
                            "UDP syslog datagrams lost.",
                            value,
                            (("reason", reason),),
                            kind="counter",
                        )
                    )
        return gauges

    def _counted(self, records: list[RawRecord]) -> None:
        with self._counts.lock:
            self._counts.received += len(records)

    def _enqueue(self, record: RawRecord) -> None:
        """UDP: into the journal, or, when it is full (or the disk refuses), dropped and
        counted: a datagram cannot be pushed back."""
        try:
            self.journal.append([record])
        except (JournalFull, OSError) as exc:
            with self._counts.lock:
                self._counts.udp_dropped_journal_full += 1
                dropped = self._counts.udp_dropped_journal_full
            if dropped == 1 or dropped % 1000 == 0:  # a flood must not flood the log as well
                log.warning(
                    "syslog UDP: datagram from %s dropped, the journal cannot take it (%s); "
                    "%d dropped so far (CITYSOC_SYSLOG_JOURNAL_MAX_BYTES)",
                    record.sender,
                    exc,
                    dropped,
                )
            return
        self._counted([record])

    async def _deliver(self, records: list[RawRecord]) -> None:
        """The TCP and RELP hand-off: into the journal at once, or, when it is full, wait
        for room in a helper thread: this connection is not read meanwhile (back-pressure),
        while the event loop keeps serving the others. Returns once journalled."""
        size = sum(len(r.data) for r in records)
        warned = False
        while True:
            try:
                self.journal.append(records)
            except (JournalFull, OSError) as exc:
                if self._stopping.is_set() and self._tcp_closing:
                    log.error("syslog: %d records not journalled at close: %s", len(records), exc)
                    raise  # not journalled: RELP must not acknowledge them
                if not warned:
                    log.warning("syslog: the journal cannot take more (%s); reading paused", exc)
                    warned = True
                await asyncio.to_thread(self.journal.wait_for_room, size + 4096, _ROOM_WAIT)
                continue
            self._counted(records)
            return

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
            self._enqueue(record)

    def _next_records(self) -> tuple[list[RawRecord], int, bool]:
        """Up to a batch of journalled records (waiting a little for the first), the journal
        position after them, and whether the worker may stop (closing and all read)."""
        records, end = self.journal.read(self.ingestor.batch_size, timeout=0.2)
        stop = not records and self._finishing.is_set() and self.journal.caught_up()
        return records, end, stop

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
        while True:
            if not pending:
                records, self._pending_end, stop = self._next_records()
                if stop:
                    return
                if not records:
                    continue
                pending.extend(records)
            self.journal.sync()  # on the disk before it counts as stored
            self._store(pending)
            self.journal.commit(self._pending_end, len(pending))
            handled = len(pending)
            pending.clear()
            health.succeeded(self.ingestor.clock.now())
            with self._counts.lock:
                self._counts.handled += handled
                self._counts.lock.notify_all()
            if self.on_stored and handled:
                self.on_stored()

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
            self.journal.commit(self._pending_end, len(pending))
        except Exception as exc:  # noqa: BLE001 - say what is left, then stop
            log.error(
                "syslog worker stopped: %d received records could not be stored (%s: %s); "
                "they stay in the journal and are stored at the next start",
                len(pending),
                type(exc).__name__,
                exc,
            )
        with self._counts.lock:
            self._counts.handled += len(pending)
            self._counts.lock.notify_all()

    def start(self) -> Self:
        self.health = self._health_registry.register(WORKER_NAME)
        self._health_registry.add_metrics(WORKER_NAME, self.metrics)
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
        if self._relp:
            self._relp.start()
        if self._tls:
            self._tls.start()
        return self

    def drain(self, *, expect: int | None = None, timeout: float = 10.0) -> int:
        """Wait until every record received (or ``expect`` records) is stored; returns count."""
        deadline = time.monotonic() + timeout
        with self._counts.lock:
            while True:
                target = expect if expect is not None else self._counts.received
                if self._counts.handled >= target and (
                    expect is not None or self.journal.stats().unstored_bytes == 0
                ):
                    return self._counts.handled
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"syslog drain timed out: {self._counts.handled} of {target} handled"
                    )
                self._counts.lock.wait(min(remaining, 0.05))

    def close(self) -> None:
        self._stopping.set()
        self._tcp_closing = True
        if self._relp:
            self._relp.close()  # unacknowledged frames are the sender's to resend
        if self._tls:
            self._tls.close()
        if self._tcp:
            self._tcp.close()  # open connections hand on their incomplete frames first
        if self._udp:
            self._udp.close()
        for t in self._threads:
            t.join(timeout=2)
        self._finishing.set()
        if self._worker_thread is not None:
            self._worker_thread.join(timeout=30)
        if self.health is not None:
            self._health_registry.unregister(self.health)
            self._health_registry.remove_metrics(WORKER_NAME)
        self.journal.close()
        if self._temporary:
            shutil.rmtree(self.journal.directory, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


def udp_kernel_drops(sock: socket.socket) -> int | None:
    """Datagrams the kernel dropped for this socket (its receive buffer was full): the
    ``drops`` column of /proc/net/udp for the socket's inode; None where there is none."""
    try:
        inode = str(os.fstat(sock.fileno()).st_ino)
    except OSError:
        return None
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            columns = row.split()
            if len(columns) >= 13 and columns[9] == inode:
                return int(columns[12])
    return None

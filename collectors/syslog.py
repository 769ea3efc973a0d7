"""Syslog over UDP and TCP (RFC 6587: octet counting and newline framing).

Receiver threads only read sockets and queue raw records; one worker thread parses and
stores them in batches, so a slow disk never blocks the socket reads for long.
``drain()`` returns once everything received so far has been stored.
"""

import queue
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from typing import Self

from collectors.ingest import Ingestor
from collectors.records import RawRecord
from core.errors import UnavailableError

__all__ = ["SyslogServer", "split_frames"]

_MAX_FRAME_DIGITS = 9
_FRAMING_ERRORS = {
    "bad octet-count frame": "TCP frame starts with digits but is not a valid octet-count "
    "frame ('LEN MSG', RFC 6587)",
    "unterminated frame": "the connection closed in the middle of a frame (no newline or "
    "fewer bytes than the octet count announced)",
}


def split_frames(buffer: bytes) -> tuple[list[tuple[bytes, str | None]], bytes]:
    """Complete RFC 6587 frames in ``buffer`` (octet-counted or newline-terminated), and
    the incomplete rest. A frame that cannot be valid is returned with a framing note."""
    frames: list[tuple[bytes, str | None]] = []
    pos, end = 0, len(buffer)
    while pos < end:
        if buffer[pos : pos + 1].isdigit():
            space = buffer.find(b" ", pos, pos + _MAX_FRAME_DIGITS + 1)
            digits = buffer[pos:space] if space != -1 else b""
            if space != -1 and digits.isdigit():
                length = int(digits)
                if space + 1 + length > end:
                    break  # wait for the rest of the frame
                frames.append((buffer[space + 1 : space + 1 + length], None))
                pos = space + 1 + length
                continue
            newline = buffer.find(b"\n", pos)
            if space == -1 and newline == -1 and end - pos <= _MAX_FRAME_DIGITS:
                break  # the count may still be arriving
            if newline == -1:
                break
            frames.append((buffer[pos:newline].rstrip(b"\r"), "bad octet-count frame"))
            pos = newline + 1
            continue
        newline = buffer.find(b"\n", pos)
        if newline == -1:
            break
        line = buffer[pos:newline].rstrip(b"\r")
        if line:
            frames.append((line, None))
        pos = newline + 1
    return frames, buffer[pos:]


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
    ) -> None:
        self.ingestor = ingestor
        self.on_stored = on_stored
        self._queue: queue.Queue[list[RawRecord] | None] = queue.Queue(maxsize=10_000)
        self._counts = _Counters()
        self._threads: list[threading.Thread] = []
        self._udp: socket.socket | None = None
        self._tcp: socketserver.ThreadingTCPServer | None = None
        self._stopping = threading.Event()
        try:
            if udp_port is not None:
                self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                self._udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 * 1024 * 1024)
                self._udp.bind((host, udp_port))
                self._udp.settimeout(0.2)
            if tcp_port is not None:
                self._tcp = socketserver.ThreadingTCPServer(
                    (host, tcp_port), self._handler(), bind_and_activate=False
                )
                self._tcp.allow_reuse_address = True
                self._tcp.daemon_threads = True
                self._tcp.server_bind()
                self._tcp.server_activate()
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
        return self._tcp.server_address if self._tcp else None  # type: ignore[return-value]

    def _enqueue(self, records: list[RawRecord]) -> None:
        with self._counts.lock:
            self._counts.received += len(records)
        self._queue.put(records)

    def _handler(self) -> type[socketserver.BaseRequestHandler]:
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                peer = self.client_address[0]
                sock: socket.socket = self.request
                sock.settimeout(0.5)
                buffer = b""
                while not server._stopping.is_set():
                    try:
                        chunk = sock.recv(1 << 18)
                    except TimeoutError:
                        continue
                    except OSError:
                        chunk = b""
                    if not chunk:
                        if buffer:  # the peer closed mid-frame: keep what it sent
                            server._enqueue(
                                [server._raw("syslog-tcp", buffer, peer, "unterminated frame")]
                            )
                        return
                    frames, buffer = split_frames(buffer + chunk)
                    if frames:
                        server._enqueue(
                            [server._raw("syslog-tcp", f, peer, note) for f, note in frames]
                        )

        return Handler

    def _raw(self, source: str, data: bytes, peer: str, note: str | None = None) -> RawRecord:
        return RawRecord(
            source=source,
            data=data,
            received_at=self.ingestor.clock.now(),
            sender=peer,
            position=note,
        )

    def _udp_loop(self) -> None:
        udp = self._udp
        while udp is not None and not self._stopping.is_set():
            try:
                data, (peer, _port) = udp.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            self._enqueue([self._raw("syslog-udp", data, peer)])

    def _worker(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            batches = [item]
            size = len(item) if item else 0
            while size < self.ingestor.batch_size:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                batches.append(more)
                size += len(more) if more else 0
            handled = 0
            for batch in batches:
                for record in batch or ():
                    handled += 1
                    if record.position in _FRAMING_ERRORS:
                        self.ingestor.report.read += 1
                        self.ingestor.dead_letter(record, _FRAMING_ERRORS[record.position])
                    else:
                        self.ingestor.submit(record, "syslog")
            self.ingestor.flush()
            with self._counts.lock:
                self._counts.handled += handled
                self._counts.lock.notify_all()
            if self.on_stored:
                self.on_stored()
            if any(b is None for b in batches):
                return

    def start(self) -> Self:
        if self._udp:
            self._threads.append(
                threading.Thread(target=self._udp_loop, name="syslog-udp", daemon=True)
            )
        if self._tcp:
            self._threads.append(
                threading.Thread(
                    target=self._tcp.serve_forever,
                    kwargs={"poll_interval": 0.2},
                    name="syslog-tcp",
                    daemon=True,
                )
            )
        self._worker_thread = threading.Thread(
            target=self._worker, name="syslog-ingest", daemon=True
        )
        for t in [*self._threads, self._worker_thread]:
            t.start()
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
            self._tcp.shutdown() if self._threads else None
            self._tcp.server_close()
        if self._udp:
            self._udp.close()
        if getattr(self, "_worker_thread", None) is not None:
            self._queue.put(None)
            self._worker_thread.join(timeout=10)
        for t in self._threads:
            t.join(timeout=2)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

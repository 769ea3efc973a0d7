"""Syslog over TCP (RFC 6587) on one asyncio event loop in one thread.

Thousands of connections cost one thread, not one each. Every connection has a reader that
decodes frames incrementally (``collectors.framing``) with bounded memory, and is closed
after ``idle_seconds`` without data. Connections past the per-source or total cap are
refused politely: accepted, closed at once, and counted.

Frames leave through ``deliver`` (records in, awaited: it is where backpressure reaches the
sockets), the one seam between receiving and storing (a journal or RELP acks go there).
"""

import asyncio
import logging
import socket
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from collectors.framing import Frame, FrameDecoder
from collectors.records import RawRecord
from core.clock import Clock

__all__ = ["AsyncTcpListener", "Deliver", "TcpLimits", "TcpStats", "TcpSyslogListener"]

log = logging.getLogger("citysoc.syslog")

Deliver = Callable[[list[RawRecord]], Awaitable[None]]
_READ_BYTES = 1 << 16


@dataclass(frozen=True, slots=True)
class TcpLimits:
    max_frame_bytes: int = 1024 * 1024  # CITYSOC_MAX_RECORD_BYTES
    max_connections: int = 2048  # CITYSOC_SYSLOG_MAX_CONNECTIONS
    max_connections_per_source: int = 64  # CITYSOC_SYSLOG_MAX_CONNECTIONS_PER_SOURCE
    idle_seconds: float = 300.0  # CITYSOC_SYSLOG_IDLE_SECONDS
    backlog: int = 1024


@dataclass
class TcpStats:
    """Counters for operators; written only on the event loop's thread."""

    open: int = 0
    accepted: int = 0
    refused_total_cap: int = 0
    refused_source_cap: int = 0
    closed_idle: int = 0
    frames: int = 0
    truncated: int = 0
    per_source: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        return {
            "open": self.open,
            "accepted": self.accepted,
            "refused_total_cap": self.refused_total_cap,
            "refused_source_cap": self.refused_source_cap,
            "closed_idle": self.closed_idle,
            "frames": self.frames,
            "truncated": self.truncated,
        }


class AsyncTcpListener:
    """A TCP listener on its own asyncio event loop in one thread, with the connection caps
    and idle limit of ``TcpLimits``; subclasses speak the protocol in ``_serve``. Binds at
    construction (so a port in use fails early), serves after ``start()``."""

    thread_name = default_source = "tcp-listener"
    reader_limit = _READ_BYTES  # the StreamReader's buffer limit

    def __init__(
        self,
        host: str,
        port: int,
        *,
        deliver: Deliver,
        clock: Clock,
        limits: TcpLimits,
        source: str | None = None,
    ) -> None:
        self.limits = limits
        self.stats = TcpStats()
        self._deliver = deliver
        self._clock = clock
        self._source = source or self.default_source
        self._sock = socket.create_server((host, port), backlog=limits.backlog)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._sock.getsockname()[:2]
        return str(host), int(port)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve_until_stopped())
        finally:
            loop.close()

    async def _serve_until_stopped(self) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(
            self._connection, sock=self._sock, backlog=self.limits.backlog, limit=self.reader_limit
        )
        self._ready.set()
        async with server:
            await self._stop.wait()
            server.close()
            # Open connections end now: each finishes as its protocol says (``_serve``).
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def close(self, timeout: float = 10.0) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and self._thread is not None:
            loop.call_soon_threadsafe(stop.set)
            self._thread.join(timeout)
        self._sock.close()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = str((writer.get_extra_info("peername") or ("unknown",))[0])
        if not self._admit(peer):
            writer.close()
            return
        try:
            await self._serve(reader, writer, peer)
        finally:
            self._release(peer)
            writer.close()

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str
    ) -> None:
        """One admitted connection, until it ends; must not raise CancelledError out."""
        raise NotImplementedError

    def _admit(self, peer: str) -> bool:
        stats, limits = self.stats, self.limits
        if stats.open >= limits.max_connections:
            stats.refused_total_cap += 1
            self._warn_refused("total", peer, limits.max_connections, stats.refused_total_cap)
            return False
        if stats.per_source.get(peer, 0) >= limits.max_connections_per_source:
            stats.refused_source_cap += 1
            self._warn_refused(
                "per-source", peer, limits.max_connections_per_source, stats.refused_source_cap
            )
            return False
        stats.open += 1
        stats.accepted += 1
        stats.per_source[peer] = stats.per_source.get(peer, 0) + 1
        return True

    def _warn_refused(self, which: str, peer: str, cap: int, count: int) -> None:
        if count == 1 or count % 1000 == 0:  # a flood must not flood the log as well
            setting = "" if which == "total" else "_PER_SOURCE"
            log.warning(
                "%s: refused a connection from %s: %s cap of %d reached "
                "(CITYSOC_SYSLOG_MAX_CONNECTIONS%s); %d refused so far",
                self._source,
                peer,
                which,
                cap,
                setting,
                count,
            )

    def _release(self, peer: str) -> None:
        self.stats.open -= 1
        left = self.stats.per_source[peer] - 1
        if left:
            self.stats.per_source[peer] = left
        else:
            del self.stats.per_source[peer]


class TcpSyslogListener(AsyncTcpListener):
    """RFC 6587 syslog: octet-counted or newline-framed lines."""

    thread_name = default_source = "syslog-tcp"

    async def _serve(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,  # noqa: ARG002 - syslog over TCP never answers
        peer: str,
    ) -> None:
        await self._read_frames(reader, peer)

    async def _read_frames(
        self, reader: asyncio.StreamReader, peer: str, agency: str | None = None
    ) -> None:
        """Frames until the stream ends; ``agency``: the sender's agency as its transport
        vouched for it (a TLS client certificate), carried on every record."""
        decoder = FrameDecoder(self.limits.max_frame_bytes)
        try:
            while True:
                try:
                    async with asyncio.timeout(self.limits.idle_seconds):
                        chunk = await reader.read(_READ_BYTES)
                except TimeoutError:
                    self.stats.closed_idle += 1
                    break
                if not chunk:
                    break
                frames = decoder.feed(chunk)
                if frames:
                    await self._hand_on(frames, peer, agency)
        except OSError:
            pass  # reset by the peer: what it sent so far is handled below
        except asyncio.CancelledError:
            pass  # close(): this task is the connection's top level, so it may end quietly
        finally:
            rest = decoder.finish()
            if rest:  # the peer closed, went idle or we stopped mid-frame: keep it
                await self._hand_on(rest, peer, agency)

    async def _hand_on(self, frames: list[Frame], peer: str, agency: str | None) -> None:
        received = self._clock.now()
        self.stats.frames += len(frames)
        records = []
        for frame in frames:
            if frame.truncated:
                self.stats.truncated += 1
            records.append(
                RawRecord(
                    source=self._source,
                    data=frame.data,
                    received_at=received,
                    position=frame.note,
                    sender=peer,
                    original_size=frame.size if frame.truncated else None,
                    agency=agency,
                )
            )
        await self._deliver(records)

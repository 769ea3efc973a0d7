"""RELP, rsyslog's Reliable Event Logging Protocol, as a listener (server side).

For senders that must know a line arrived: each ``syslog`` frame is answered ``200 OK``
only once the line is in the journal (``deliver`` returns after the append), so a sender
such as rsyslog's ``omrelp`` resends whatever was not acknowledged when CitySOC was killed.
Delivery is at least once: a line journalled just before a kill, but not yet acknowledged,
comes again (and is stored again).

A frame is ``TXNR SP COMMAND SP DATALEN [SP DATA] LF``; the commands a client sends are
``open`` (answered with our offers), ``syslog`` and ``close``. Runs on its own asyncio event
loop in one thread, with the syslog TCP listener's limits (frame size, idle time,
connection caps).
"""

import asyncio
import logging

from collectors.records import RawRecord
from collectors.syslog_tcp import AsyncTcpListener

__all__ = ["RelpListener"]

log = logging.getLogger("citysoc.syslog")

_OFFERS = b"200 OK\nrelp_version=0\nrelp_software=CitySOC\ncommands=syslog\n"
_MAX_HEADER_FIELD = 32  # txnr (9 digits), command names, datalen


class RelpError(Exception):
    """The peer broke the protocol: answered with an error, then the connection closes."""


class RelpListener(AsyncTcpListener):
    """The RELP server side, with the syslog TCP listener's limits and connection caps."""

    thread_name = default_source = "syslog-relp"
    reader_limit = 1 << 16

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str
    ) -> None:
        try:
            async with asyncio.timeout(None) as idle:
                while True:
                    idle.reschedule(asyncio.get_running_loop().time() + self.limits.idle_seconds)
                    if not await self._frame(reader, writer, peer):
                        break
        except TimeoutError:
            self.stats.closed_idle += 1
        except RelpError as exc:
            log.warning("RELP from %s: %s; connection closed", peer, exc)
            writer.write(b"0 serverclose 0\n")
        except (OSError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the peer went away (or we stop): what was not acknowledged, it resends

    async def _frame(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str
    ) -> bool:
        """Read and answer one frame; False when the session ends."""
        txnr = await _field(reader, b" ")
        if not txnr:
            return False
        command = await _field(reader, b" \n", allow_newline=True)
        if command.endswith(b"\n"):  # "TXNR COMMAND\n": no length (not sent by librelp)
            command, length = command[:-1], 0
        else:
            length_field = await _field(reader, b" \n", allow_newline=True)
            if not length_field.rstrip(b"\n").isdigit() or not txnr.isdigit():
                raise RelpError("malformed frame header")
            length = int(length_field.rstrip(b"\n"))
            if length > self.limits.max_frame_bytes:
                raise RelpError(
                    f"frame of {length} bytes is over CITYSOC_MAX_RECORD_BYTES "
                    f"({self.limits.max_frame_bytes})"
                )
            if not length_field.endswith(b"\n"):
                data = await reader.readexactly(length)
                if await reader.readexactly(1) != b"\n":
                    raise RelpError("frame does not end with a newline")
            else:
                data = b""
            if length and length_field.endswith(b"\n"):
                raise RelpError("frame announces data but has none")
        if command == b"open":
            _answer(writer, txnr, _OFFERS)
        elif command == b"syslog":
            record = RawRecord(
                source=self._source,
                data=data.rstrip(b"\n"),
                received_at=self._clock.now(),
                sender=peer,
            )
            self.stats.frames += 1
            await self._deliver([record])  # returns once the line is journalled
            _answer(writer, txnr, b"200 OK")
        elif command == b"close":
            _answer(writer, txnr, b"")
            await writer.drain()
            return False
        else:
            _answer(writer, txnr, b"500 command not supported")
        await writer.drain()
        return True


async def _field(
    reader: asyncio.StreamReader, ends: bytes, *, allow_newline: bool = False
) -> bytes:
    """Bytes up to and including one of ``ends`` (the space is dropped), short fields only."""
    out = bytearray()
    while len(out) <= _MAX_HEADER_FIELD:
        byte = await reader.read(1)
        if not byte:
            if out:
                raise RelpError("connection closed inside a frame header")
            return b""
        if byte in ends:
            return bytes(out) + (byte if byte == b"\n" and allow_newline else b"")
        out += byte
    raise RelpError("frame header field too long")


def _answer(writer: asyncio.StreamWriter, txnr: bytes, data: bytes) -> None:
    if data:
        writer.write(b"%s rsp %d %s\n" % (txnr, len(data), data))
    else:
        writer.write(b"%s rsp 0\n" % txnr)

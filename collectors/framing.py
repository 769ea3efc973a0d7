"""RFC 6587 syslog frames from a TCP byte stream, decoded incrementally in linear time.

Two framings share one stream: octet counting (``LEN SP MSG``) and newline termination.
A frame is read as octet-counted only when it starts with digits, a space and then ``<``
(every syslog message starts with its PRI), so a newline-framed line such as
``12 apples fell`` is never taken for a count.

Memory is bounded: a frame longer than ``max_frame_bytes`` keeps only its first
``max_frame_bytes`` (its full size is counted) while the rest is read and discarded, so an
octet count of 999999999 costs no more memory than any other frame.
"""

from dataclasses import dataclass
from enum import Enum, auto

__all__ = ["UNTERMINATED", "Frame", "FrameDecoder"]

UNTERMINATED = "unterminated frame"  # the peer closed (or went idle) in the middle of a frame
_MAX_COUNT_DIGITS = 9  # RFC 6587 gives no limit; more than 999,999,999 bytes is not a count
_SPACE = 0x20
_PRI_START = 0x3C  # "<"
_CR = 0x0D


@dataclass(frozen=True, slots=True)
class Frame:
    data: bytes  # the frame's bytes (without count or newline), at most max_frame_bytes
    size: int  # the frame's full size: more than len(data) when it was cut
    note: str | None = None  # a framing problem, such as UNTERMINATED

    @property
    def truncated(self) -> bool:
        return self.size > len(self.data)


class _Mode(Enum):
    START = auto()  # at the first byte of a frame
    OCTETS = auto()  # an octet-counted frame that fits: wait for all of it
    LINE = auto()  # a newline-terminated frame: wait for the newline
    SKIP_OCTETS = auto()  # an octet-counted frame over the limit: keep the head, skip the rest
    SKIP_LINE = auto()  # a line over the limit: keep the head, skip to the newline


class FrameDecoder:
    """Feed it what a connection reads; it returns each frame as soon as it is complete.

    Bytes are appended once and searched once (the newline search resumes where it
    stopped), and consumed bytes are dropped once per ``feed``: linear in the input.
    """

    def __init__(self, max_frame_bytes: int) -> None:
        self.max_frame_bytes = max_frame_bytes
        self._reset()

    def _reset(self) -> None:
        self._buf = bytearray()
        self._start = 0  # the current frame's first byte in _buf
        self._scanned = 0  # LINE: no newline in _buf before this
        self._mode = _Mode.START
        self._header = 0  # OCTETS: length of "LEN " before the message
        self._count = 0  # OCTETS, SKIP_OCTETS: the announced length
        self._left = 0  # SKIP_OCTETS: bytes still to skip
        self._kept = bytearray()  # SKIP_*: the frame's first max_frame_bytes
        self._size = 0  # SKIP_*: bytes of the frame seen so far
        self._ends_cr = False  # SKIP_LINE: the last byte seen was "\r" (it may end the line)

    @property
    def buffered(self) -> int:
        """Bytes held for frames not yet complete (bounded by about max_frame_bytes)."""
        return len(self._buf) - self._start + len(self._kept)

    def feed(self, data: bytes) -> list[Frame]:
        self._buf += data
        frames: list[Frame] = []
        while True:
            if self._mode is _Mode.START and not self._lines(frames):
                break
            if not self._step(frames):
                break
        if self._start:  # drop what was consumed, once per feed (not once per frame)
            del self._buf[: self._start]
            self._scanned = max(0, self._scanned - self._start)
            self._start = 0
        return frames

    def finish(self) -> list[Frame]:
        """The incomplete frame the stream ended in, if any, noted UNTERMINATED."""
        if self._mode in (_Mode.SKIP_OCTETS, _Mode.SKIP_LINE):
            frame = Frame(bytes(self._kept), self._size, UNTERMINATED)
        else:
            rest = bytes(self._buf[self._start :]).rstrip(b"\r\n")
            if not rest:
                return []
            frame = Frame(rest[: self.max_frame_bytes], len(rest), UNTERMINATED)
        self._reset()
        return [frame]

    def _lines(self, frames: list[Frame]) -> bool:
        """The common case in bulk: complete newline-framed lines that start with ``<`` (a
        PRI, so never an octet count) are split off at once; the first frame that is
        anything else is left to ``_step``. False when no complete frame is left."""
        buf, start = self._buf, self._start
        last = buf.rfind(b"\n", start)
        if last == -1:
            return start < len(buf)  # an incomplete frame: _step decides how to wait
        limit = self.max_frame_bytes
        pos = start
        for line in bytes(buf[start:last]).split(b"\n"):
            if line[:1] != b"<":
                break  # digits (maybe a count), an empty line, or anything else
            pos += len(line) + 1
            if line[-1:] == b"\r":  # CRLF: one CR belongs to the line end, as in _step
                line = line[:-1]
            frames.append(
                Frame(line[:limit], len(line)) if len(line) > limit else Frame(line, len(line))
            )
        self._start = self._scanned = pos
        return pos < len(buf)

    def _step(self, frames: list[Frame]) -> bool:
        """Advance by one frame or one decision; False when more input is needed."""
        buf, start, end = self._buf, self._start, len(self._buf)
        if self._mode is _Mode.START:
            if start >= end:
                return False
            return self._choose_framing(buf, start, end)
        if self._mode is _Mode.OCTETS:
            total = self._header + self._count
            if end - start < total:
                return False
            frames.append(Frame(bytes(buf[start + self._header : start + total]), self._count))
            self._next_frame(start + total)
            return True
        if self._mode is _Mode.LINE:
            newline = buf.find(b"\n", max(start, self._scanned))
            if newline == -1:
                self._scanned = end
                if end - start > self.max_frame_bytes + 1:  # + a "\r" that may end it
                    self._kept[:] = buf[start : start + self.max_frame_bytes]
                    self._size = end - start
                    self._ends_cr = buf[end - 1] == _CR
                    self._mode, self._start = _Mode.SKIP_LINE, end
                return False
            line = bytes(buf[start:newline])
            if line[-1:] == b"\r":  # CRLF: one CR (as SKIP_LINE does for a cut line)
                line = line[:-1]
            if line:
                frames.append(Frame(line[: self.max_frame_bytes], len(line)))
            self._next_frame(newline + 1)
            return True
        if self._mode is _Mode.SKIP_OCTETS:
            take = min(self._left, end - start)
            self._keep(buf, start, start + take)
            self._left -= take
            self._start = start + take
            if self._left:
                return False
            frames.append(Frame(bytes(self._kept), self._count))
            self._next_frame(self._start)
            return True
        # SKIP_LINE
        newline = buf.find(b"\n", start)
        if newline == -1:
            self._keep(buf, start, end)
            self._start = end
            return False
        self._keep(buf, start, newline)
        size = self._size - (1 if self._ends_cr else 0)  # the "\r" may have come in a read before
        frames.append(Frame(bytes(self._kept[:size]), size))
        self._next_frame(newline + 1)
        return True

    def _choose_framing(self, buf: bytearray, start: int, end: int) -> bool:
        digits = start
        while digits < end and digits - start <= _MAX_COUNT_DIGITS and 0x30 <= buf[digits] <= 0x39:
            digits += 1
        count_length = digits - start
        if 0 < count_length <= _MAX_COUNT_DIGITS:
            if digits == end or (buf[digits] == _SPACE and digits + 1 == end):
                return False  # the count, its space or the "<" may still be arriving
            if buf[digits] == _SPACE and buf[digits + 1] == _PRI_START and int(buf[start:digits]):
                self._count = int(buf[start:digits])
                self._header = count_length + 1
                if self._count <= self.max_frame_bytes:
                    self._mode = _Mode.OCTETS
                else:
                    self._mode, self._left, self._size = _Mode.SKIP_OCTETS, self._count, 0
                    self._kept.clear()
                    self._start = start + self._header
                return True
        self._mode, self._scanned = _Mode.LINE, start
        return True

    def _keep(self, buf: bytearray, start: int, stop: int) -> None:
        room = self.max_frame_bytes - len(self._kept)
        if room > 0:
            self._kept += buf[start : min(stop, start + room)]
        self._size += stop - start
        if stop > start:
            self._ends_cr = buf[stop - 1] == _CR

    def _next_frame(self, start: int) -> None:
        self._mode, self._start, self._scanned = _Mode.START, start, start
        self._kept = bytearray()
        self._size = 0
        self._ends_cr = False

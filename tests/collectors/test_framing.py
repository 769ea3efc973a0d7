"""RFC 6587 frame decoding: both framings, frames split across reads, bounded memory."""

import random

import pytest

from collectors.framing import UNTERMINATED, Frame, FrameDecoder

MSG = b"<38>1 2026-03-02T09:00:00+08:00 h app - - - "


def decode(chunks: list[bytes], limit: int = 1024) -> list[Frame]:
    decoder = FrameDecoder(limit)
    frames = [f for chunk in chunks for f in decoder.feed(chunk)]
    return frames + decoder.finish()


def test_octet_counted_and_newline_framed_messages_share_a_stream():
    first = MSG + b"framed with a\nnewline inside"
    stream = str(len(first)).encode() + b" " + first + b"<38>Mar  2 09:00:01 h app: line\r\n\n"
    assert [f.data for f in decode([stream])] == [first, b"<38>Mar  2 09:00:01 h app: line"]


def test_any_split_of_the_stream_gives_the_same_frames():
    messages = [MSG + b"one", b"<38>Mar  2 09:00:01 h app: two", MSG + b"three\nlines"]
    stream = (
        str(len(messages[0])).encode() + b" " + messages[0]
        + messages[1] + b"\n"
        + str(len(messages[2])).encode() + b" " + messages[2]
    )  # fmt: skip
    rng = random.Random(6587)  # noqa: S311 - a fixed seed for reproducible splits
    for _ in range(200):
        cuts = sorted(rng.sample(range(1, len(stream)), rng.randint(1, 12)))
        chunks = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]
        assert [f.data for f in decode(chunks)] == messages


@pytest.mark.parametrize(
    "line",
    [b"12 apples fell from the tree", b"2026 was a good year", b"7 days <38> later", b"12345"],
)
def test_a_newline_framed_line_starting_with_digits_is_not_an_octet_count(line):
    """Only digits, a space and then "<" start an octet-counted frame."""
    assert decode([line + b"\n<38>Mar  2 09:00:01 h app: next\n"]) == [
        Frame(line, len(line)),
        Frame(b"<38>Mar  2 09:00:01 h app: next", 31),
    ]


def test_a_huge_octet_count_keeps_only_the_first_bytes_and_bounded_memory():
    decoder = FrameDecoder(1024)
    frames = decoder.feed(b"999999999 <38>")
    for _ in range(200):  # 12.8 MB of a frame announced as 1 GB
        frames += decoder.feed(b"x" * 65536)
        assert decoder.buffered <= 1024 + 65536
    assert frames == []
    [cut] = decoder.finish()
    assert cut.note == UNTERMINATED and cut.data == b"<38>" + b"x" * 1020
    assert cut.size == 4 + 200 * 65536


def test_an_oversized_frame_is_cut_to_the_limit_and_the_next_frame_still_decodes():
    big = b"<38>" + b"y" * 5000
    counted = str(len(big)).encode() + b" " + big
    frames = decode([counted[:3000], counted[3000:] + big + b"\r\n" + b"<38>after\n"])
    assert frames == [
        Frame(big[:1024], len(big)),
        Frame(big[:1024], len(big)),
        Frame(b"<38>after", 9),
    ]


def test_a_stream_that_ends_mid_frame_gives_the_rest_noted_unterminated():
    assert decode([b"<38>complete\n<38>Mar  2 09:0"]) == [
        Frame(b"<38>complete", 12),
        Frame(b"<38>Mar  2 09:0", 15, UNTERMINATED),
    ]
    assert decode([b"40 <38>short"]) == [Frame(b"40 <38>short", 12, UNTERMINATED)]
    assert decode([b"<38>done\n"]) == [Frame(b"<38>done", 8)]


def test_lines_split_in_bulk_decode_exactly_as_frame_by_frame():
    """Newline-framed lines starting with '<' are split off in bulk; any other frame goes
    through the frame-by-frame path. Where a read ends must not change a single frame."""
    rng = random.Random(12)  # noqa: S311 - a fixed corpus, not a secret
    parts = []
    for n in range(400):
        kind = rng.randrange(6)
        if kind == 0:
            body = b"<13>counted %d" % n
            parts.append(b"%d %s" % (len(body), body))
        elif kind == 1:
            parts.append(b"12 apples fell %d\n" % n)  # digits and a space, not a count
        elif kind == 2:
            parts.append(b"\r\n" if n % 2 else b"\n")  # empty lines
        elif kind == 3:
            parts.append(b"<38>" + b"z" * rng.randrange(900, 1100) + b"\r\r\n")  # near the limit
        else:
            parts.append(b"<38>Mar  2 09:00:%02d host app: line %d\r\n" % (n % 60, n))
    stream = b"".join(parts) + b"<38>the end\n"
    whole = FrameDecoder(1024).feed(stream)
    for size in (1, 2, 3, 7, 64, 1000, 4096):
        decoder = FrameDecoder(1024)
        chunked = [
            f for i in range(0, len(stream), size) for f in decoder.feed(stream[i : i + size])
        ]
        assert chunked + decoder.finish() == whole, size
    assert whole[-1] == Frame(b"<38>the end", 11)

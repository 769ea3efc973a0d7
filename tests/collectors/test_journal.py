"""The on-disk syslog journal (issue 19, item 4): real files in a temporary folder."""

import os
from datetime import UTC, datetime

import pytest

from collectors.journal import Journal, JournalFull
from collectors.records import RawRecord

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def record(n: int, size: int = 0) -> RawRecord:
    data = f"<38>Mar  2 09:00:00 h app: line {n}".encode() + b"x" * size
    return RawRecord("syslog-tcp", data, AT, sender="10.1.2.3", position=None)


def read_all(journal: Journal) -> list[RawRecord]:
    out: list[RawRecord] = []
    while batch := journal.read(1000, timeout=0)[0]:
        out.extend(batch)
    return out


def test_records_come_back_whole_and_numbered_by_position(tmp_path):
    journal = Journal(tmp_path, 1 << 20)
    sent = [record(n) for n in range(3)] + [
        RawRecord("syslog-udp", b"\x00\xffbinary", AT, position="UNTERMINATED", original_size=9)
    ]
    end = journal.append(sent)
    got, at = journal.read(10, timeout=0)
    assert at == end
    assert [(r.data, r.sender, r.position, r.original_size, r.received_at) for r in got] == [
        (r.data, r.sender, r.position, r.original_size, r.received_at) for r in sent
    ]
    positions = [r.sequence for r in got]
    assert positions[0] == 0 and positions == sorted(set(positions))


def test_what_was_not_committed_is_read_again_after_a_restart_with_the_same_positions(tmp_path):
    journal = Journal(tmp_path, 1 << 20)
    journal.append([record(n) for n in range(10)])
    first, end = journal.read(4, timeout=0)
    journal.commit(end, len(first))
    rest = read_all(journal)
    journal.close()  # (a kill -9 closes nothing: the files are the same)

    again = Journal(tmp_path, 1 << 20)
    replayed = read_all(again)
    assert [(r.sequence, r.data) for r in replayed] == [(r.sequence, r.data) for r in rest]
    # new records continue after the old positions: sequence numbers never repeat
    again.append([record(99)])
    [new] = read_all(again)
    assert new.sequence is not None and new.sequence > max(r.sequence or 0 for r in replayed)


def test_a_record_torn_by_a_crash_is_cut_off_and_the_journal_goes_on(tmp_path):
    journal = Journal(tmp_path, 1 << 20)
    journal.append([record(1)])
    journal.close()
    [segment] = tmp_path.glob("*.seg")
    with segment.open("ab") as handle:
        handle.write(b"\x40\x00\x00\x00garbage")  # half a header and payload: a torn write
    again = Journal(tmp_path, 1 << 20)
    again.append([record(2)])
    assert [r.data for r in read_all(again)] == [record(1).data, record(2).data]


def test_the_journal_is_bounded_and_frees_space_as_records_are_stored(tmp_path):
    journal = Journal(tmp_path, 1 << 20, segment_bytes=64 << 10)
    with pytest.raises(JournalFull, match="not yet stored"):
        while True:
            journal.append([record(0, size=1000)])
    on_disk = sum(p.stat().st_size for p in tmp_path.glob("*.seg"))
    assert on_disk <= 1 << 20
    assert not journal.wait_for_room(2000, timeout=0)
    stored = read_all(journal)
    journal.commit(journal.read(1, timeout=0)[1], len(stored))
    assert journal.wait_for_room(2000, timeout=0)
    assert len(list(tmp_path.glob("*.seg"))) == 1  # stored segments are deleted
    stats = journal.stats()
    assert stats.unstored_bytes == 0 and stats.oldest_unstored_at is None


def test_stats_give_the_oldest_unstored_line(tmp_path):
    journal = Journal(tmp_path, 1 << 20)
    journal.append([record(1)])
    stats = journal.stats()
    assert stats.oldest_unstored_at == AT and stats.unstored_bytes > 0
    assert stats.bytes_on_disk == os.path.getsize(next(tmp_path.glob("*.seg")))


def test_a_second_process_cannot_open_a_journal_in_use(tmp_path):
    import subprocess
    import sys

    journal = Journal(tmp_path, 1 << 20)
    journal.append([record(1)])
    probe = (
        "import sys; from pathlib import Path; from collectors.journal import Journal, JournalBusy\n"
        "try:\n    Journal(Path(sys.argv[1]), 1 << 20)\nexcept JournalBusy as e:\n    print(e)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, check=True
    )
    assert "in use by another CitySOC process" in done.stdout
    journal.close()
    Journal(tmp_path, 1 << 20).close()

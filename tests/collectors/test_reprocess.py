"""Reprocessing dead letters with today's parsers (issue 16 item 7), on a real store: an
IIS log dead-lettered by the old behaviour (every line read as syslog) becomes events;
what still fails stays with its new reason; nothing is lost; every run is audited."""

from pathlib import Path

import pytest

from collectors.files import ingest_paths
from collectors.ingest import Ingestor
from collectors.records import RawRecord
from collectors.reprocess import reprocess_dead_letters
from core.access import Actor, Role
from core.errors import ForbiddenError
from core.events import ALL_DEAD_LETTERS, DeadLetterQuery
from tests.collectors.test_auth_and_web_logs import IIS

ANALYST = Actor("amy", Role.ANALYST)


@pytest.fixture
def engine(both_engines):
    """Every test here on SQLite and on Elasticsearch."""
    return both_engines


@pytest.fixture
def ingestor(store, registry, clock):
    return Ingestor(store, registry, clock=clock)


def _dead_lettered_as_before(path: Path, ingestor: Ingestor) -> None:
    """What ingest did with an IIS file before W3C was read: every line, as syslog."""
    received = ingestor.clock.now()
    for number, line in enumerate(path.read_bytes().splitlines(), 1):
        record = RawRecord(f"file:{path}", line, received, position=f"line {number}")
        ingestor.submit(record, "syslog")
    ingestor.flush()


def _run(store, ingestor, clock, query=ALL_DEAD_LETTERS, **options):
    return reprocess_dead_letters(
        store=store, actor=ANALYST, ingestor=ingestor, query=query, clock=clock, **options
    )


def test_an_iis_log_dead_lettered_before_becomes_events(tmp_path, store, ingestor, clock):
    path = tmp_path / "u_ex260302.log"
    path.write_text(IIS, encoding="utf-8")
    _dead_lettered_as_before(path, ingestor)
    assert store.dead_letters.count() == 6 and store.events.count() == 0
    assert "must start with a PRI" in store.dead_letters.list()[-1].reason

    report = _run(store, ingestor, clock)

    assert (report.examined, report.stored, report.directives) == (6, 2, 4)
    assert (report.still_failing, report.not_reprocessable, report.left) == (0, 0, 0)
    assert store.dead_letters.count() == 0
    get, post = store.events.list()
    assert get.dataset == "iis.access" and get.fields["url.path"] == "/default.aspx"
    assert post.fields["http.request.method"] == "POST"
    assert str(post.fields["http.response.status_code"]) == "404"
    # The same event a fresh read of the file gives today: reading it again adds nothing.
    assert ingest_paths([path], ingestor).stored == 0
    [entry] = [r for r in store.audit.rows() if r.action == "deadletters.reprocess"]
    assert entry.actor.startswith("amy") and '"stored": 2' in entry.detail


def test_one_line_is_reprocessed_with_its_files_header(tmp_path, store, ingestor, clock):
    path = tmp_path / "u_ex.log"
    path.write_text(IIS, encoding="utf-8")
    _dead_lettered_as_before(path, ingestor)
    last = store.dead_letters.list()[-1]
    report = _run(store, ingestor, clock, DeadLetterQuery(ids=(last.id,)))
    assert (report.examined, report.stored) == (1, 1)
    [event] = store.events.list()
    assert event.fields["url.path"] == "/upload/cmd.aspx"  # read by the #Fields: letter
    assert store.dead_letters.count() == 5


def test_what_still_fails_stays_with_todays_reason_and_the_rest_is_counted(
    tmp_path, store, ingestor, clock
):
    path = tmp_path / "mixed.log"
    path.write_text("2026-03-02 01:00:00 too few\n", encoding="utf-8")
    _dead_lettered_as_before(path, ingestor)  # then: "must start with a PRI"
    big = RawRecord("file:/x/y.jsonl", b"{" * 100, clock.now(), position="line 1")
    ingestor.dead_letter(big, "TRUNCATED: record is 2000000 bytes")
    ingestor.dead_letter(RawRecord("file:/x/a.evtx", b"chunk", clock.now()), "corrupt EVTX")
    ingestor.flush()

    report = _run(store, ingestor, clock)

    assert (report.examined, report.stored, report.still_failing) == (3, 0, 1)
    assert report.not_reprocessable == 2
    assert store.dead_letters.count() == 3  # nothing lost
    reasons = [d.reason for d in store.dead_letters.list()]
    assert "W3C log line has 4 columns" in reasons[0]
    assert reasons[1:] == ["TRUNCATED: record is 2000000 bytes", "corrupt EVTX"]


def test_network_syslog_letters_are_rebuilt_with_sender_and_sequence(store, ingestor, clock):
    line = b"<38>Mar  2 09:00:01 web02 sshd[7]: Invalid user oracle from 198.51.100.8 port 1"
    record = RawRecord("syslog-udp", line, clock.now(), sender="10.30.6.9", sequence=42)
    ingestor.dead_letter(record, "an old parser's reason")
    ingestor.flush()
    [letter] = store.dead_letters.list()
    assert letter.source == "syslog-udp:10.30.6.9" and letter.position == "received #42"

    assert _run(store, ingestor, clock).stored == 1

    [event] = store.events.list()
    assert event.fields["user.name"] == "oracle"
    assert event.organization_id == "district-xitun"  # by its sender, as at receipt
    ingestor.submit(record, "syslog")  # the same datagram again: the same event id
    ingestor.flush()
    assert store.events.count() == 1


def test_a_run_stops_at_its_limit_and_says_how_many_are_left(tmp_path, store, ingestor, clock):
    path = tmp_path / "u_ex.log"
    path.write_text(IIS, encoding="utf-8")
    _dead_lettered_as_before(path, ingestor)
    report = _run(store, ingestor, clock, limit=5)
    assert (report.examined, report.left) == (5, 1)
    assert _run(store, ingestor, clock).stored == 1


def test_only_the_city_soc_may_reprocess(store, ingestor, clock):
    for actor in (Actor("x", Role.REPORTER, agency="police"), Actor("a", Role.AUDITOR)):
        with pytest.raises(ForbiddenError):
            reprocess_dead_letters(
                store=store, actor=actor, ingestor=ingestor, query=ALL_DEAD_LETTERS, clock=clock
            )

from datetime import UTC, datetime

import pytest

from collectors.parsers.syslog import parse_syslog
from core.errors import RecordParseError

RECEIVED = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def test_rfc5424_with_structured_data():
    line = (
        "<165>1 2026-03-02T09:00:01.123+08:00 d-xitun-web02 sshd 4242 ID47 "
        '[exampleSDID@32473 iut="3" eventSource="App"] Accepted publickey for ops'
    )
    at, fields = parse_syslog(line, received_at=RECEIVED)
    assert at == datetime(2026, 3, 2, 1, 0, 1, 123000, tzinfo=UTC)
    assert fields["host.name"] == "d-xitun-web02"
    assert fields["process.name"] == "sshd"
    assert fields["log.syslog.facility.code"] == 20
    assert fields["log.syslog.severity.code"] == 5
    assert fields["log.syslog.structured_data"].startswith("[exampleSDID@32473")
    assert fields["message"] == "Accepted publickey for ops"


def test_rfc3164_is_taipei_local_time_in_the_receive_year():
    at, fields = parse_syslog(
        "<38>Mar  2 09:00:05 D-XITUN-WEB02 sshd[77]: Failed password", received_at=RECEIVED
    )
    assert at == datetime(2026, 3, 2, 1, 0, 5, tzinfo=UTC)
    assert fields["process.pid"] == "77"
    assert fields["message"] == "Failed password"


def test_rfc3164_from_december_received_in_january_belongs_to_last_year():
    at, _ = parse_syslog(
        "<38>Dec 31 23:59:59 h app: x", received_at=datetime(2027, 1, 1, 0, 0, 5, tzinfo=UTC)
    )
    assert at.year == 2026


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("<999>not syslog", "PRI must be 0-191, got 999"),
        ("no header at all", "must start with a PRI"),
        ("<34>", "neither RFC 5424"),
        ("<34>1 2026-03-02T09:00:00Z host app - - [unclosed", "not closed"),
        ("<34>Foo 31 10:00:00 host app: x", "unknown month"),
        ("<34>Feb 31 10:00:00 host app: x", "invalid RFC 3164 timestamp"),
        ("<34>1 yesterday host app - - - msg", "unrecognized timestamp"),
    ],
)
def test_malformed_syslog_says_what_is_wrong(line, reason):
    with pytest.raises(RecordParseError, match=reason):
        parse_syslog(line, received_at=RECEIVED)

"""sshd, sudo and IIS (W3C) logs through the real file and syslog ingest paths into a real
SQLite store, parsed into ECS fields (issue 16 item 6)."""

from pathlib import Path

import pytest

from collectors.files import ingest_paths
from collectors.ingest import Ingestor
from collectors.parsers.w3c import parse_w3c
from collectors.syslog import SyslogServer
from core.errors import RecordParseError
from tests.collectors.test_syslog_listener import send_udp

SSHD = [
    "<38>Mar  2 09:00:01 D-XITUN-WEB02 sshd[7999]: Accepted password for root from "
    "198.51.100.7 port 40999 ssh2",
    "<38>Mar  2 09:00:02 D-XITUN-WEB02 sshd[7001]: Failed password for invalid user admin "
    "from 198.51.100.7 port 40001 ssh2",
    "<38>Mar  2 09:00:03 D-XITUN-WEB02 sshd[7002]: Invalid user oracle from 198.51.100.8 "
    "port 40002",
    "<38>Mar  2 09:00:04 D-XITUN-WEB02 sshd[7003]: Failed password for ops from 10.30.6.9 "
    "port 40003 ssh2",
]
SUDO = [
    "<85>Mar  2 09:01:00 D-XITUN-WEB02 sudo:      amy : TTY=pts/0 ; PWD=/home/amy ; "
    "USER=root ; COMMAND=/usr/bin/systemctl restart nginx ; echo done",
    "<85>Mar  2 09:01:05 D-XITUN-WEB02 sudo:      eve : 3 incorrect password attempts ; "
    "TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/bash",
]
IIS = """#Software: Microsoft Internet Information Services 10.0
#Version: 1.0
#Date: 2026-03-02 01:00:00
#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken
2026-03-02 01:00:00 10.30.6.20 GET /default.aspx id=7&q=x 443 - 203.0.113.5 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 15
2026-03-02 01:00:01 10.30.6.20 POST /upload/cmd.aspx - 443 XITUN\\amy 203.0.113.5 curl/8.5.0 https://x.example/ 404 0 2 3
"""


@pytest.fixture
def ingestor(store, registry, clock):
    return Ingestor(store, registry, clock=clock)


def _by_message(store):
    return {e.fields.get("message"): e for e in store.events.list()}


def test_sshd_and_sudo_lines_in_a_file_get_user_address_and_outcome(tmp_path, ingestor, store):
    path = tmp_path / "auth.log"
    path.write_text("\n".join(SSHD + SUDO) + "\n", encoding="utf-8")
    report = ingest_paths([path], ingestor)
    assert report.stored == 6 and report.dead_lettered == 0
    events = [e.fields for e in store.events.list()]
    accepted, failed, invalid, ops, sudo_ok, sudo_bad = events
    assert accepted["user.name"] == "root" and accepted["event.outcome"] == "success"
    assert accepted["source.ip"] == "198.51.100.7" and str(accepted["source.port"]) == "40999"
    assert accepted["system.auth.ssh.method"] == "password"
    assert failed["user.name"] == "admin" and failed["event.outcome"] == "failure"
    assert failed["event.reason"] == "invalid user"
    assert invalid["event.action"] == "ssh_invalid_user" and invalid["user.name"] == "oracle"
    assert ops["user.name"] == "ops" and ops["source.ip"] == "10.30.6.9"
    assert sudo_ok["user.name"] == "amy" and sudo_ok["user.effective.name"] == "root"
    assert sudo_ok["process.command_line"] == "/usr/bin/systemctl restart nginx ; echo done"
    assert sudo_ok["process.working_directory"] == "/home/amy"
    assert sudo_ok["event.outcome"] == "success"
    assert sudo_bad["event.outcome"] == "failure"
    assert sudo_bad["event.reason"] == "3 incorrect password attempts"
    # The attacker's address names no agency: the host does (D-XITUN-*), as before.
    assert {e.organization_id for e in store.events.list()} == {"district-xitun"}


def test_sshd_over_syslog_udp_is_parsed_and_owned_by_its_sender(store, registry, clock):
    server = SyslogServer(
        Ingestor(store, registry, clock=clock, batch_size=50),
        host="127.0.0.1",
        udp_port=0,
        tcp_port=0,
    )
    with server:
        send_udp(server.udp_address, SSHD[1].encode())
        server.drain(expect=1)
    [event] = store.events.list()
    assert event.fields["user.name"] == "admin"
    assert event.fields["source.ip"] == "198.51.100.7"
    assert event.fields["log.source.address"] == "127.0.0.1"


def test_other_sshd_messages_stay_plain_syslog(tmp_path, ingestor, store):
    path = tmp_path / "auth.log"
    path.write_text(
        "<38>Mar  2 09:00:01 D-XITUN-WEB02 sshd[1]: Received disconnect from 10.0.0.1\n"
        "<38>Mar  2 09:00:01 D-XITUN-WEB02 sudo: pam_unix(sudo:session): session opened\n",
        encoding="utf-8",
    )
    ingest_paths([path], ingestor)
    assert all("user.name" not in e.fields for e in store.events.list())


def test_an_iis_log_file_is_read_by_its_fields_header(tmp_path, ingestor, store):
    path = tmp_path / "u_ex260302.log"
    path.write_text(IIS, encoding="utf-8")
    report = ingest_paths([path], ingestor)
    assert (report.read, report.stored, report.dead_lettered) == (2, 2, 0)  # directives: header
    get, post = store.events.list()
    assert get.dataset == "iis.access" and get.organization_id == "district-xitun"
    assert get.timestamp.isoformat() == "2026-03-02T01:00:00+00:00"  # IIS logs UTC
    assert get.fields["source.ip"] == "203.0.113.5"
    assert get.fields["destination.ip"] == "10.30.6.20"
    assert get.fields["http.request.method"] == "GET"
    assert get.fields["url.path"] == "/default.aspx"
    assert get.fields["url.query"] == "id=7&q=x"
    assert get.fields["url.original"] == "/default.aspx?id=7&q=x"
    assert str(get.fields["http.response.status_code"]) == "200"
    assert get.fields["user_agent.original"] == "Mozilla/5.0 (Windows NT 10.0)"
    assert get.fields["event.outcome"] == "success"
    assert "user.name" not in get.fields  # "-": no user
    assert post.fields["user.name"] == "XITUN\\amy"
    assert post.fields["event.outcome"] == "failure"
    assert post.fields["http.request.referrer"] == "https://x.example/"
    assert str(post.fields["event.duration"]) == "3000000"
    assert ingest_paths([path], ingestor).stored == 0  # read again: nothing new


def test_a_fields_header_may_change_within_the_file(tmp_path, ingestor, store):
    path = tmp_path / "u_ex.log"
    path.write_text(
        "#Fields: date time c-ip cs-method cs-uri-stem sc-status\n"
        "2026-03-02 01:00:00 10.30.6.9 GET /a 200\n"
        "#Fields: date time s-computername cs-method cs-uri-stem sc-status cs-host\n"
        "2026-03-02 01:00:01 D-XITUN-WEB02 GET /b 500 www.example\n",
        encoding="utf-8",
    )
    ingest_paths([path], ingestor)
    first, second = store.events.list()
    assert first.fields["url.path"] == "/a" and first.fields["source.ip"] == "10.30.6.9"
    assert second.fields["host.name"] == "D-XITUN-WEB02" and second.fields["url.domain"] == (
        "www.example"
    )
    assert second.organization_id == "district-xitun"


def test_an_iis_line_without_a_header_is_read_with_the_default_fields(tmp_path, ingestor, store):
    path = tmp_path / "cut.log"
    path.write_text(IIS.splitlines()[4] + "\n" + "2026-03-02 01:00:00 too few\n")
    report = ingest_paths([path], ingestor)
    assert report.stored == 1 and report.dead_lettered == 1
    [dead] = store.dead_letters.list()
    assert "has 4 columns, IIS's default W3C fields (no #Fields:) names 15" in dead.reason


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("2026-03-02 01:00:00 10.0.0.1 GET / - x - 1.2.3.4 ua - 200 0 0 1", "s-port must be"),
        ("2026-13-02 01:00:00 10.0.0.1 GET / - 80 - 1.2.3.4 ua - 200 0 0 1", "timestamp"),
    ],
)
def test_a_bad_w3c_line_says_which_column(line, reason):
    with pytest.raises(RecordParseError, match=reason):
        parse_w3c(line, None)


def test_a_header_without_date_and_time_is_refused():
    with pytest.raises(RecordParseError, match="no date and time"):
        parse_w3c("GET /", ("cs-method", "cs-uri-stem"))


def test_detection_keywords_still_match_sshd_lines(tmp_path: Path, ingestor, store):
    """The city rules search the original record: enrichment changes none of it."""
    path = tmp_path / "auth.log"
    path.write_text(SSHD[0] + "\n", encoding="utf-8")
    ingest_paths([path], ingestor)
    [event] = store.events.list()
    assert event.original == SSHD[0]
    assert "Accepted password for root" in str(event.fields["message"])

"""Syslog messages, RFC 5424 and RFC 3164 (BSD), into ECS-style fields.

RFC 3164 carries no year and no zone: the year is taken from the receive time and the
zone is Asia/Taipei, as city devices log local time.
"""

import functools
import re
from datetime import datetime

from collectors.parsers.auth_logs import auth_fields
from collectors.parsers.common import parse_timestamp
from core.clock import TAIPEI, UTC
from core.errors import RecordParseError
from core.events import FieldValue

__all__ = ["ParsedSyslog", "parse_syslog"]

ParsedSyslog = tuple[datetime, dict[str, FieldValue]]

_PRI = re.compile(r"<(\d{1,3})>")
_RFC5424 = re.compile(
    r"(?P<version>[1-9]\d{0,2}) (?P<ts>\S+) (?P<host>\S+) (?P<app>\S+) (?P<procid>\S+) "
    r"(?P<msgid>\S+) (?P<rest>.*)",
    re.DOTALL,
)
_RFC3164 = re.compile(
    r"(?P<ts>[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}) (?P<host>\S+) (?P<msg>.*)", re.DOTALL
)
_TAG = re.compile(r"(?P<app>[^\s\[:]{1,48})(?:\[(?P<pid>[^\]]{1,32})\])?: ?(?P<msg>.*)", re.DOTALL)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}


def _structured_data(rest: str) -> tuple[str, str]:
    """Split '[id k="v"][...] msg' or '- msg' into (sd, msg)."""
    if rest.startswith("-"):
        return "-", rest[2:] if rest.startswith("- ") else rest[1:]
    if not rest.startswith("["):
        raise RecordParseError("RFC 5424 structured data must be '-' or start with '['")
    depth, escaped = 0, False
    for i, ch in enumerate(rest):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0 and (i + 1 == len(rest) or rest[i + 1] != "["):
                return rest[: i + 1], rest[i + 2 :]
    raise RecordParseError("RFC 5424 structured data is not closed with ']'")


def parse_syslog(text: str, *, received_at: datetime) -> ParsedSyslog:
    """Parse one syslog message. Raises RecordParseError naming the part that is wrong."""
    line = text.rstrip("\r\n\x00")
    pri_match = _PRI.match(line)
    if pri_match is None:
        raise RecordParseError("syslog message must start with a PRI such as '<34>'")
    pri = int(pri_match.group(1))
    if pri > 191:
        raise RecordParseError(f"syslog PRI must be 0-191, got {pri}")
    body = line[pri_match.end() :]
    fields: dict[str, FieldValue] = {
        "log.syslog.priority": pri,
        "log.syslog.facility.code": pri // 8,
        "log.syslog.severity.code": pri % 8,
    }
    m5424 = _RFC5424.match(body)
    if m5424:
        ts_text = m5424["ts"]
        timestamp = received_at if ts_text == "-" else parse_timestamp(ts_text)
        sd, msg = _structured_data(m5424["rest"])
        fields.update(
            {
                "log.syslog.version": int(m5424["version"]),
                "host.name": None if m5424["host"] == "-" else m5424["host"],
                "log.syslog.appname": None if m5424["app"] == "-" else m5424["app"],
                "process.name": None if m5424["app"] == "-" else m5424["app"],
                "process.pid": None if m5424["procid"] == "-" else m5424["procid"],
                "log.syslog.msgid": None if m5424["msgid"] == "-" else m5424["msgid"],
                "log.syslog.structured_data": None if sd == "-" else sd,
                "message": msg.removeprefix("\ufeff"),
            }
        )
        fields.update(auth_fields(m5424["app"], str(fields["message"])))
        return timestamp, {k: v for k, v in fields.items() if v is not None}
    m3164 = _RFC3164.match(body)
    if m3164 is None:
        raise RecordParseError(
            "syslog header is neither RFC 5424 ('<PRI>1 TIMESTAMP HOST ...') nor RFC 3164 "
            "('<PRI>Mmm dd hh:mm:ss HOST TAG: MSG')"
        )
    local_now = received_at.astimezone(TAIPEI)
    timestamp = _rfc3164_time(m3164["ts"], local_now.year, local_now.month)
    fields["host.name"] = m3164["host"]
    tag = _TAG.match(m3164["msg"])
    if tag:
        fields["log.syslog.appname"] = tag["app"]
        fields["process.name"] = tag["app"]
        if tag["pid"]:
            fields["process.pid"] = tag["pid"]
        fields["message"] = tag["msg"]
        fields.update(auth_fields(tag["app"], tag["msg"]))
    else:
        fields["message"] = m3164["msg"]
    return timestamp, fields


@functools.lru_cache(maxsize=4096)
def _rfc3164_time(text: str, year: int, month: int) -> datetime:
    """'Mar  2 09:00:05' in Taipei time, in the receive year (cached: logs repeat seconds)."""
    month_text, day, clock = text[:3], int(text[4:6]), text[7:]
    if month_text not in _MONTHS:
        raise RecordParseError(f"unknown month {month_text!r} in RFC 3164 timestamp")
    hour, minute, second = (int(p) for p in clock.split(":"))
    try:
        local = datetime(year, _MONTHS[month_text], day, hour, minute, second, tzinfo=TAIPEI)
    except ValueError as exc:
        raise RecordParseError(f"invalid RFC 3164 timestamp {text!r}: {exc}") from exc
    if _MONTHS[month_text] == 12 and month == 1:  # December message received in January
        local = local.replace(year=year - 1)
    return local.astimezone(UTC)

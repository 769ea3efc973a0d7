"""W3C extended log files (IIS access logs) into ECS fields.

A W3C file starts with directives (``#Software:``, ``#Version:``, ``#Date:``, ``#Fields:``);
``#Fields:`` names the space-separated columns of the lines after it, and may change within
a file. A line read without a header is read with IIS's default fields when it has that many
columns. IIS writes times in UTC, ``-`` for an empty value and ``+`` for a space in the
user agent. Columns and their ECS names:

| W3C field | ECS field |
| --- | --- |
| date + time | @timestamp (UTC) |
| s-ip / s-port | destination.ip / destination.port (the server: whose record it is) |
| c-ip | source.ip |
| cs-username | user.name |
| cs-method | http.request.method |
| cs-uri-stem / cs-uri-query | url.path / url.query (and url.original) |
| sc-status | http.response.status_code (event.outcome: failure from 400 on) |
| cs(User-Agent) / cs(Referer) | user_agent.original / http.request.referrer |
| cs-host, s-computername, s-sitename | url.domain, host.name, iis.access.site_name |
| sc-substatus, sc-win32-status | iis.access.sub_status, iis.access.win32_status |
| sc-bytes / cs-bytes | http.response.bytes / http.request.bytes |
| time-taken (ms) | event.duration (ns) |

Any other column is kept as ``w3c.<name>``; ``cs(Cookie)`` is left in the original only.
"""

import re
from collections.abc import Sequence
from datetime import datetime

from collectors.parsers.common import parse_timestamp
from core.errors import RecordParseError
from core.events import FieldValue

__all__ = ["IIS_DEFAULT_FIELDS", "W3cHeader", "parse_w3c"]

IIS_DEFAULT_FIELDS = (
    "date",
    "time",
    "s-ip",
    "cs-method",
    "cs-uri-stem",
    "cs-uri-query",
    "s-port",
    "cs-username",
    "c-ip",
    "cs(User-Agent)",
    "cs(Referer)",
    "sc-status",
    "sc-substatus",
    "sc-win32-status",
    "time-taken",
)
_DIRECTIVES = (b"#Software:", b"#Version:", b"#Date:", b"#Fields:", b"#Remark:")
_DATED_LINE = re.compile(rb"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} ")
_ECS = {
    "s-ip": "destination.ip",
    "s-port": "destination.port",
    "c-ip": "source.ip",
    "cs-username": "user.name",
    "cs-method": "http.request.method",
    "cs-uri-stem": "url.path",
    "cs-uri-query": "url.query",
    "sc-status": "http.response.status_code",
    "cs(user-agent)": "user_agent.original",
    "cs(referer)": "http.request.referrer",
    "cs-host": "url.domain",
    "cs-version": "http.version",
    "s-computername": "host.name",
    "s-sitename": "iis.access.site_name",
    "sc-substatus": "iis.access.sub_status",
    "sc-win32-status": "iis.access.win32_status",
    "sc-bytes": "http.response.bytes",
    "cs-bytes": "http.request.bytes",
}
_NUMBERS = frozenset(
    {
        "destination.port",
        "http.response.status_code",
        "http.response.bytes",
        "http.request.bytes",
        "iis.access.sub_status",
        "iis.access.win32_status",
    }
)
_SKIPPED = frozenset({"date", "time", "cs(cookie)", "time-taken"})


class W3cHeader:
    """The directives of one file read so far: the columns of the lines that follow."""

    def __init__(self) -> None:
        self.fields: tuple[str, ...] | None = None

    def read(self, line: bytes) -> bool:
        """Whether ``line`` is a W3C directive (then it is the header, not a record)."""
        if not line.startswith(_DIRECTIVES):
            return False
        if line.startswith(b"#Fields:"):
            text = line[len(b"#Fields:") :].decode("utf-8", "replace")
            self.fields = tuple(text.split())
        return True

    def claims(self, line: bytes) -> bool:
        """Whether ``line`` is a W3C log line: the file had a header, or the line opens
        with a date and time as IIS's lines do (a syslog line opens with ``<PRI>``)."""
        return self.fields is not None or _DATED_LINE.match(line) is not None


def parse_w3c(text: str, fields: Sequence[str] | None) -> tuple[datetime, dict[str, FieldValue]]:
    """One W3C line with the columns its ``#Fields:`` header named (None: IIS's default).
    Raises RecordParseError naming the column at fault."""
    names = tuple(fields) if fields else IIS_DEFAULT_FIELDS
    values = text.split(" ")
    if len(values) != len(names):
        header = "its #Fields: header" if fields else "IIS's default W3C fields (no #Fields:)"
        raise RecordParseError(
            f"W3C log line has {len(values)} columns, {header} names {len(names)}"
        )
    row = {name.lower(): value for name, value in zip(names, values, strict=True)}
    if "date" not in row or "time" not in row:
        raise RecordParseError("W3C log line has no date and time columns (see #Fields:)")
    timestamp = parse_timestamp(f"{row['date']}T{row['time']}+00:00")
    out: dict[str, FieldValue] = {"event.kind": "event", "event.category": "web"}
    for name, value in row.items():
        if value == "-" or name in _SKIPPED:
            continue
        ecs = _ECS.get(name, f"w3c.{name}")
        if ecs in _NUMBERS:
            if not value.isdigit():
                raise RecordParseError(f"W3C column {name} must be a number, got {value[:40]!r}")
            out[ecs] = int(value)
        else:
            out[ecs] = value.replace("+", " ") if ecs == "user_agent.original" else value
    _derived(row, out)
    return timestamp, out


def _derived(row: dict[str, str], out: dict[str, FieldValue]) -> None:
    """What ECS states beside the columns: the whole URL, the outcome, the duration."""
    if "url.path" in out:
        query = out.get("url.query")
        out["url.original"] = f"{out['url.path']}?{query}" if query else str(out["url.path"])
    status = out.get("http.response.status_code")
    if isinstance(status, int):
        out["event.outcome"] = "failure" if status >= 400 else "success"
    taken = row.get("time-taken", "-")
    if taken.isdigit():
        out["event.duration"] = int(taken) * 1_000_000  # milliseconds, as nanoseconds

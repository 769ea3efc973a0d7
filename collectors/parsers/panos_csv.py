"""Palo Alto Networks PAN-OS traffic logs, CSV as the firewall sends them (no header).

The layout is PAN-OS's documented TRAFFIC format; CitySOC reads the first 34 columns:

| col | PAN-OS field | ECS field |
| --- | --- | --- |
| 1 | Receive Time | (event.created) |
| 2 | Serial Number | observer.serial_number |
| 3 | Type (must be TRAFFIC) | event.kind |
| 4 | Threat/Content Type (start, end, drop, deny) | event.action |
| 6 | Generated Time (device local time, Asia/Taipei) | @timestamp |
| 7 / 8 | Source / Destination Address | source.ip / destination.ip |
| 11 | Rule Name | rule.name |
| 12 | Source User | source.user.name |
| 14 | Application | network.application |
| 16 / 17 | Source / Destination Zone | observer.ingress.zone / observer.egress.zone |
| 24 / 25 | Source / Destination Port | source.port / destination.port |
| 29 | IP Protocol | network.transport |
| 30 | Action (allow, deny, drop, reset-*) | event.outcome |
| 31 | Bytes | network.bytes |
"""

import csv

from collectors.parsers.common import parse_timestamp
from core.errors import RecordParseError
from core.events import FieldValue

__all__ = ["PANOS_MIN_COLUMNS", "parse_panos_traffic"]

PANOS_MIN_COLUMNS = 32
_COLUMNS = {
    2: "observer.serial_number",
    4: "event.action",
    7: "source.ip",
    8: "destination.ip",
    11: "rule.name",
    12: "source.user.name",
    14: "network.application",
    16: "observer.ingress.zone",
    17: "observer.egress.zone",
    24: "source.port",
    25: "destination.port",
    29: "network.transport",
    30: "event.outcome",
    31: "network.bytes",
}


def parse_panos_traffic(text: str) -> tuple[object, dict[str, FieldValue]]:
    """Returns (timestamp, fields). Raises RecordParseError naming the column at fault."""
    try:
        [row] = list(csv.reader([text]))
    except (csv.Error, ValueError) as exc:
        raise RecordParseError(f"not one CSV row: {exc}") from exc
    if len(row) < PANOS_MIN_COLUMNS:
        raise RecordParseError(
            f"PAN-OS traffic log needs at least {PANOS_MIN_COLUMNS} columns, got {len(row)}"
        )
    if row[3] != "TRAFFIC":
        raise RecordParseError(f"column 4 (Type) must be TRAFFIC, got {row[3]!r}")
    try:
        timestamp = parse_timestamp(row[6])
    except RecordParseError as exc:
        raise RecordParseError(f"column 7 (Generated Time): {exc.message}") from exc
    fields: dict[str, FieldValue] = {"event.kind": "event", "observer.vendor": "Palo Alto Networks"}
    for index, name in _COLUMNS.items():
        value = row[index].strip()
        if value:
            fields[name] = value
    for numeric in ("source.port", "destination.port", "network.bytes"):
        found = fields.get(numeric)
        if found is not None and not str(found).isdigit():
            raise RecordParseError(f"{numeric} must be a number, got {found!r}")
    return timestamp, fields

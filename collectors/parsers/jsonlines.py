"""JSON lines: Winlogbeat/ECS documents or any flat or nested JSON object."""

import json
from collections.abc import Mapping
from datetime import datetime

import orjson

from collectors.parsers.common import parse_timestamp, timestamp_from_epoch
from collectors.parsers.winlog import fields_from_winlogbeat
from core.errors import RecordParseError
from core.events import FieldValue, flatten

__all__ = ["parse_json_line"]

_TIME_KEYS = ("@timestamp", "timestamp", "time", "ts", "event.created")
_HOST_KEYS = ("host.name", "hostname", "host", "computer_name")


def parse_json_line(
    text: str, *, received_at: datetime
) -> tuple[str, datetime, dict[str, FieldValue]]:
    """Returns (dataset, timestamp, fields). Raises RecordParseError."""
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError:
        # orjson is strict where the standard library is lenient (NaN, integers past 64
        # bits): give the line its second chance, and the standard library's message.
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RecordParseError(f"not valid JSON: {exc.msg} at column {exc.colno}") from exc
        except RecursionError as exc:
            raise RecordParseError(
                "not readable JSON: arrays or objects are nested too deeply to parse"
            ) from exc
        except ValueError as exc:  # an integer of more than 4,300 digits
            raise RecordParseError(f"not readable JSON: {exc}") from exc
    if not isinstance(doc, Mapping):
        raise RecordParseError(f"a JSON line must hold an object, got {type(doc).__name__}")
    if isinstance(doc.get("winlog"), Mapping):
        timestamp, fields = fields_from_winlogbeat(doc)
        return "winlog", timestamp, fields
    fields = flatten(doc)
    timestamp = received_at
    for key in _TIME_KEYS:
        value = fields.get(key)
        if isinstance(value, str) and value:
            timestamp = parse_timestamp(value)
            break
        if isinstance(value, int | float) and not isinstance(value, bool):
            timestamp = timestamp_from_epoch(value, key=key)
            break
    for key in _HOST_KEYS:
        value = fields.get(key)
        if isinstance(value, str) and value:
            fields["host.name"] = value
            break
    fields.pop("@timestamp", None)
    dataset = fields.pop("event.dataset", None)
    return (str(dataset) if dataset else "json"), timestamp, fields

"""Windows events, from EVTX records (the `evtx` package's JSON) and Winlogbeat/ECS JSON.

Both become the same fields: ``winlog.channel``, ``winlog.event_id``,
``winlog.provider_name``, ``winlog.computer_name``, ``winlog.record_id``, ``host.name`` and
``winlog.event_data.<Name>``. Leaf values of ``UserData`` are put under ``event_data`` too,
so that Sigma field names (which do not distinguish the two) find them.
"""

import json
from collections.abc import Mapping
from datetime import datetime

from collectors.parsers.common import parse_timestamp
from core.errors import RecordParseError
from core.events import FieldValue, flatten

__all__ = ["fields_from_evtx_json", "fields_from_winlogbeat"]

ParsedWinlog = tuple[datetime, dict[str, FieldValue]]


def _text(node: object) -> object:
    """'#text' of an XML-ish node, or the node itself."""
    if isinstance(node, Mapping):
        return node.get("#text")
    return node


def _event_data(node: object, out: dict[str, FieldValue]) -> None:
    if not isinstance(node, Mapping):
        if node is not None:
            out["winlog.event_data.Data"] = str(node)
        return
    for key, value in node.items():
        if key == "#attributes":
            continue
        if key == "#text":
            text = ",".join(str(v) for v in value) if isinstance(value, list) else value
            out["winlog.event_data.Data"] = None if text is None else str(text)
        elif isinstance(value, Mapping) and "#text" not in value:
            _event_data(value, out)  # UserData nests one element deeper: flatten its leaves
        else:
            leaf = _text(value)
            name = f"winlog.event_data.{key}"
            if isinstance(leaf, list):
                out[name] = ",".join(str(v) for v in leaf)
            elif leaf is None or isinstance(leaf, str | int | float | bool):
                out[name] = leaf
            else:
                out[name] = str(leaf)


def fields_from_evtx_json(data: str) -> ParsedWinlog:
    """One EVTX record as the `evtx` package renders it (``{"Event": {...}}``)."""
    try:
        doc = json.loads(data)
        event = doc["Event"]
        system = event["System"]
    except (ValueError, KeyError, TypeError) as exc:
        raise RecordParseError(f"EVTX record has no Event/System element: {exc}") from exc
    provider = system.get("Provider", {}).get("#attributes", {})
    time_created = system.get("TimeCreated", {}).get("#attributes", {}).get("SystemTime")
    if not time_created:
        raise RecordParseError("EVTX record has no System/TimeCreated/SystemTime")
    event_id = _text(system.get("EventID"))
    fields: dict[str, FieldValue] = {
        "winlog.channel": system.get("Channel"),
        "winlog.event_id": event_id if isinstance(event_id, int | str) else None,
        "winlog.provider_name": provider.get("Name"),
        "winlog.provider_guid": provider.get("Guid"),
        "winlog.computer_name": system.get("Computer"),
        "winlog.record_id": system.get("EventRecordID"),
        "winlog.level": system.get("Level"),
        "winlog.task": system.get("Task"),
        "winlog.keywords": system.get("Keywords"),
        "winlog.user.identifier": system.get("Security", {}).get("#attributes", {}).get("UserID")
        if isinstance(system.get("Security"), Mapping)
        else None,
        "host.name": system.get("Computer"),
    }
    execution = system.get("Execution")
    if isinstance(execution, Mapping):
        attrs = execution.get("#attributes", {})
        fields["winlog.process.pid"] = attrs.get("ProcessID")
        fields["winlog.process.thread.id"] = attrs.get("ThreadID")
    _event_data(event.get("EventData"), fields)
    _event_data(event.get("UserData"), fields)
    return parse_timestamp(str(time_created)), {k: v for k, v in fields.items() if v is not None}


def fields_from_winlogbeat(doc: Mapping[str, object]) -> ParsedWinlog:
    """A Winlogbeat (ECS) document: already in our naming, so flatten and normalize."""
    winlog = doc.get("winlog")
    if not isinstance(winlog, Mapping) or "channel" not in winlog:
        raise RecordParseError("Winlogbeat document has no winlog.channel")
    stamp = doc.get("@timestamp")
    if not isinstance(stamp, str):
        raise RecordParseError("Winlogbeat document has no @timestamp")
    fields = flatten({k: v for k, v in doc.items() if k not in ("@timestamp",)})
    fields.setdefault("host.name", fields.get("winlog.computer_name"))
    user_data = winlog.get("user_data")
    if isinstance(user_data, Mapping):
        for key, value in flatten(user_data).items():
            fields.setdefault(f"winlog.event_data.{key.rsplit('.', 1)[-1]}", value)
    return parse_timestamp(stamp), {k: v for k, v in fields.items() if v is not None}

"""Windows events, from EVTX records (the `evtx` package's JSON) and Winlogbeat/ECS JSON.

Both become the same fields: ``winlog.channel``, ``winlog.event_id``,
``winlog.provider_name``, ``winlog.computer_name``, ``winlog.record_id``, ``host.name`` and
``winlog.event_data.<Name>``. Leaf values of ``UserData`` are put under ``event_data`` too,
so that Sigma field names (which do not distinguish the two) find them. Both then go through
``winlog_native.normalise`` (Windows' spellings, Sysmon names for native events).
"""

from collections.abc import Mapping
from datetime import datetime

import orjson

from collectors.parsers.common import parse_timestamp
from collectors.parsers.winlog_native import normalise
from core.errors import RecordParseError
from core.events import FieldValue, flatten

__all__ = ["fields_from_evtx_json", "fields_from_winlogbeat"]

ParsedWinlog = tuple[datetime, dict[str, FieldValue]]


def _text(node: object) -> object:
    """'#text' of an XML-ish node, or the node itself."""
    if type(node) is dict:
        return node.get("#text")
    return node


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _scalar(value: object) -> FieldValue:
    if type(value) in _PLAIN:
        return value  # type: ignore[return-value]
    if type(value) is list:
        return ",".join(str(v) for v in value)
    return str(value)


def _event_data(node: object, out: dict[str, FieldValue]) -> None:
    # The JSON comes from orjson, so containers are plain dicts and lists: checking
    # ``type(x) is dict`` instead of ``isinstance(x, Mapping)`` matters on this hot path.
    if type(node) is not dict:
        if node is not None:
            out["winlog.event_data.Data"] = str(node)
        return
    for key, value in node.items():
        if key == "#attributes":
            continue
        if key == "#text":
            out["winlog.event_data.Data"] = _scalar(value)
        elif type(value) is dict and "#text" not in value:
            _event_data(value, out)  # UserData nests one element deeper: flatten its leaves
        else:
            out[f"winlog.event_data.{key}"] = _scalar(_text(value))


def _attrs(node: object) -> dict[str, object]:
    if type(node) is dict:
        attrs = node.get("#attributes")
        if type(attrs) is dict:
            return attrs
    return {}


def fields_from_evtx_json(data: str) -> ParsedWinlog:
    """One EVTX record as the `evtx` package renders it (``{"Event": {...}}``)."""
    try:
        event = orjson.loads(data)["Event"]
        system = event["System"]
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise RecordParseError(f"EVTX record has no Event/System element: {exc}") from exc
    provider = _attrs(system.get("Provider"))
    time_created = _attrs(system.get("TimeCreated")).get("SystemTime")
    if not time_created:
        raise RecordParseError("EVTX record has no System/TimeCreated/SystemTime")
    computer = system.get("Computer")
    execution = _attrs(system.get("Execution"))
    candidates: dict[str, object] = {
        "winlog.channel": system.get("Channel"),
        "winlog.event_id": _text(system.get("EventID")),
        "winlog.provider_name": provider.get("Name"),
        "winlog.provider_guid": provider.get("Guid"),
        "winlog.computer_name": computer,
        "winlog.record_id": system.get("EventRecordID"),
        "winlog.level": system.get("Level"),
        "winlog.task": system.get("Task"),
        "winlog.keywords": system.get("Keywords"),
        "winlog.user.identifier": _attrs(system.get("Security")).get("UserID"),
        "winlog.process.pid": execution.get("ProcessID"),
        "winlog.process.thread.id": execution.get("ThreadID"),
        "host.name": computer,
    }
    fields: dict[str, FieldValue] = {k: _scalar(v) for k, v in candidates.items() if v is not None}
    _event_data(event.get("EventData"), fields)
    _event_data(event.get("UserData"), fields)
    return parse_timestamp(str(time_created)), normalise(fields)


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
    return parse_timestamp(stamp), normalise({k: v for k, v in fields.items() if v is not None})

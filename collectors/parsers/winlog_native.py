"""Windows' own events in the names Sigma rules use, applied to every Windows event at ingest.

Both parsers (EVTX and Winlogbeat) call ``normalise`` on the fields they made, so SQLite and
Elasticsearch store, and therefore match, exactly the same values; the original record stays
verbatim in ``event.original``. Two things happen here:

* **Windows' spellings.** Event data names with spaces (Defender's ``Threat Name``) are stored
  without them (``ThreatName``), as Sigma rules write them; values Windows pads to a fixed
  width (``LogonProcessName`` = ``"NtLmSsp "``) are stored trimmed.
* **Native equivalents of Sysmon events.** A built-in audit event that records what a Sysmon
  event records (Security 4688 = Sysmon 1, process creation) also gets the Sysmon names, with
  Sysmon's value formats (decimal process ids, ``DOMAIN\\user``, ``High`` for a mandatory label).
  ``NATIVE_SOURCES`` says which fields each native event gives; ``detections.pipeline`` lets a
  rule of that category look at the native event too when those fields can judge the rule.

Doing this at ingest rather than as pipeline aliases is what makes composed values possible
(``User`` is two fields joined) and keeps each compiled rule one query on both engines.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from core.events import FieldValue

__all__ = ["NATIVE_SOURCES", "NativeSource", "normalise"]

_DATA = "winlog.event_data."


Mapper = Callable[[dict[str, FieldValue]], dict[str, FieldValue]]


@dataclass(frozen=True, slots=True)
class NativeSource:
    """A built-in event standing in for a Sysmon event of a Sigma log-source category."""

    category: str  # Sigma log-source category, e.g. process_creation
    channel: str
    event_id: int
    # Sysmon-taxonomy fields this event is given with Sysmon's meaning and spelling.
    fields: frozenset[str]
    # Given, but spelled differently from Sysmon (a device path for a drive path, a registry
    # path Sysmon abbreviates otherwise): good enough to match, not to rule a match out.
    plain_only: frozenset[str]
    # Native event data the event must have to stand in (a 4663 is a file access only on a
    # File object), as (name, accepted values).
    where: tuple[tuple[str, tuple[str, ...]], ...]
    sysmon_names: Mapper = field(compare=False, repr=False)

    def applies_to(self, data: dict[str, FieldValue]) -> bool:
        return all(str(data.get(name)) in values for name, values in self.where)


# Values Windows pads to a fixed width: the LSA logon process name is 8 characters
# ("NtLmSsp ", "Advapi  ", "User32  "). Only these: free text such as a command line keeps
# its trailing blanks, which rules match on ('copy ').
PADDED_FIELDS = frozenset({"LogonProcessName"})

# Well-known service accounts: Sysmon names them, 4688 gives the machine account instead.
_WELL_KNOWN_USERS = {
    "S-1-5-18": "NT AUTHORITY\\SYSTEM",
    "S-1-5-19": "NT AUTHORITY\\LOCAL SERVICE",
    "S-1-5-20": "NT AUTHORITY\\NETWORK SERVICE",
}

# 4688's MandatoryLabel (a SID) -> Sysmon's IntegrityLevel word.
_INTEGRITY_LEVELS = {
    "S-1-16-4096": "Low",
    "S-1-16-8192": "Medium",
    "S-1-16-12288": "High",
    "S-1-16-16384": "System",
}


def _pid(value: FieldValue) -> int | None:
    """A process id as Sysmon writes it (decimal); Security events write hex ('0x1fc')."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    try:
        return int(text, 16) if text.startswith("0x") else int(text)
    except ValueError:
        return None


def _given(data: dict[str, FieldValue], name: str) -> str | None:
    """An event data value that names something ('-' and '' are Windows' 'nobody')."""
    value = data.get(name)
    text = str(value).strip() if value is not None else ""
    return text if text and text != "-" else None


def _account(data: dict[str, FieldValue], prefix: str) -> str | None:
    sid = _given(data, f"{prefix}UserSid")
    if sid in _WELL_KNOWN_USERS:
        return _WELL_KNOWN_USERS[sid]
    name = _given(data, f"{prefix}UserName")
    if name is None:
        return None
    domain = _given(data, f"{prefix}DomainName")
    return f"{domain}\\{name}" if domain else name


def _process_creation(data: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """Security 4688 -> Sysmon 1. 4688 v2 (Windows 10 / 2016) names the account the new
    process runs as (Target*) when it differs from the creator's (Subject*); Sysmon's User
    and LogonId are that account's. 4688's ProcessId is the creator's: ParentProcessId."""
    target = _account(data, "Target")
    out: dict[str, FieldValue] = {
        "Image": _given(data, "NewProcessName"),
        "ParentImage": _given(data, "ParentProcessName"),
        "User": target or _account(data, "Subject"),
        "LogonId": _given(data, "TargetLogonId" if target else "SubjectLogonId"),
        "IntegrityLevel": _INTEGRITY_LEVELS.get(str(data.get("MandatoryLabel"))),
        "ProcessId": _pid(data.get("NewProcessId")),
        "ParentProcessId": _pid(data.get("ProcessId")),
    }
    given: dict[str, FieldValue] = {k: v for k, v in out.items() if v is not None}
    # An empty command line means command-line auditing is off, not an empty command: leave
    # it out (None removes it), so that rules reading CommandLine do not judge this event.
    given["CommandLine"] = data["CommandLine"] if _given(data, "CommandLine") else None
    return given


_INITIATED = {"%%14593": True, "%%14592": False}  # 5156 Direction: outbound, inbound
_PROTOCOLS = {"6": "tcp", "17": "udp"}  # IANA numbers -> Sysmon's words


def _network_connection(data: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """Security 5156 (the filtering platform permitted a connection) -> Sysmon 3. Both put
    the local end in Source* whichever side initiated; Application is a device path
    (\\device\\harddiskvolume2\\windows\\...), so Image is plain-only."""
    out: dict[str, FieldValue] = {
        "Image": _given(data, "Application"),
        "ProcessId": _pid(data.get("ProcessID")),
        "Initiated": _INITIATED.get(str(data.get("Direction"))),
        "Protocol": _PROTOCOLS.get(str(data.get("Protocol"))),
        "SourceIp": _given(data, "SourceAddress"),
        "SourcePort": _pid(data.get("SourcePort")),
        "DestinationIp": _given(data, "DestAddress"),
        "DestinationPort": _pid(data.get("DestPort")),
    }
    return {k: v for k, v in out.items() if v is not None}


def _file_access(data: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """Security 4663 on a File object -> the file_access taxonomy (FileName, Image)."""
    out: dict[str, FieldValue] = {
        "FileName": _given(data, "ObjectName"),
        "Image": _given(data, "ProcessName"),
        "ProcessId": _pid(data.get("ProcessId")),
    }
    return {k: v for k, v in out.items() if v is not None}


_HIVES = (("\\REGISTRY\\MACHINE\\", "HKLM\\"), ("\\REGISTRY\\USER\\", "HKU\\"))
_CONTROL_SET = re.compile(r"^(HKLM\\SYSTEM\\)ControlSet\d{3}(?=\\|$)", re.IGNORECASE)
_REGISTRY_OPERATIONS = {"%%1904": "SetValue", "%%1905": "SetValue", "%%1906": "DeleteValue"}


def _registry_value(data: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """Security 4657 (a registry value was modified) -> Sysmon 13/12. Sysmon names the value
    in TargetObject (key\\value), abbreviates the hive and shows the current control set."""
    out: dict[str, FieldValue] = {
        "Image": _given(data, "ProcessName"),
        "ProcessId": _pid(data.get("ProcessId")),
        "EventType": _REGISTRY_OPERATIONS.get(str(data.get("OperationType"))),
    }
    key = _given(data, "ObjectName")
    if key is not None:
        for native, short in _HIVES:
            if key.upper().startswith(native):
                key = short + key[len(native) :]
        key = _CONTROL_SET.sub(r"\1CurrentControlSet", key)
        value = _given(data, "ObjectValueName")
        out["TargetObject"] = f"{key}\\{value}" if value is not None else key
    return {k: v for k, v in out.items() if v is not None}


_PROCESS = frozenset(
    {"Image", "ParentImage", "CommandLine", "User", "LogonId", "IntegrityLevel"}
    | {"ProcessId", "ParentProcessId"}
)
_NETWORK = frozenset(
    {"ProcessId", "Initiated", "Protocol", "SourceIp", "SourcePort"}
    | {"DestinationIp", "DestinationPort"}
)
_REGISTRY = frozenset({"Image", "ProcessId", "EventType"})
_SET_VALUE = (("OperationType", ("%%1904", "%%1905")),)

NATIVE_SOURCES: tuple[NativeSource, ...] = (
    NativeSource(
        "process_creation", "Security", 4688, _PROCESS, frozenset(), (), _process_creation
    ),
    NativeSource(
        "network_connection",
        "Security",
        5156,
        _NETWORK,
        frozenset({"Image"}),
        (),
        _network_connection,
    ),
    NativeSource(
        "file_access",
        "Security",
        4663,
        frozenset({"FileName", "Image", "ProcessId"}),
        frozenset(),
        (("ObjectType", ("File",)),),
        _file_access,
    ),
    NativeSource(
        "registry_set",
        "Security",
        4657,
        _REGISTRY,
        frozenset({"TargetObject"}),
        _SET_VALUE,
        _registry_value,
    ),
    NativeSource(
        "registry_event",
        "Security",
        4657,
        _REGISTRY,
        frozenset({"TargetObject"}),
        (),
        _registry_value,
    ),
)

# (channel, event id) -> the sources it may stand in for; one event gets each mapping once.
_BY_EVENT: dict[tuple[str, int], list[NativeSource]] = {}
for _source in NATIVE_SOURCES:
    _BY_EVENT.setdefault((_source.channel, _source.event_id), []).append(_source)


def normalise(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """The fields of one Windows event with Windows' spellings and native names resolved;
    changes ``fields`` in place and returns it."""
    for key in [k for k in fields if k.startswith(_DATA)]:
        name = key[len(_DATA) :]
        value = fields[key]
        if name in PADDED_FIELDS and isinstance(value, str):
            fields[key] = value = value.strip()
        if " " in name:
            del fields[key]
            fields[_DATA + name.replace(" ", "")] = value
    code = _event_code(fields)
    sources = _BY_EVENT.get((str(fields.get("winlog.channel")), code)) if code else None
    if sources:
        data = {k[len(_DATA) :]: v for k, v in fields.items() if k.startswith(_DATA)}
        mappers = {s.sysmon_names for s in sources if s.applies_to(data)}
        for mapper in mappers:
            for name, value in mapper(data).items():
                if value is None:
                    fields.pop(_DATA + name, None)
                else:
                    fields[_DATA + name] = value
    return fields


def _event_code(fields: dict[str, FieldValue]) -> int | None:
    code = fields.get("winlog.event_id")
    if isinstance(code, int):
        return code
    return int(code) if isinstance(code, str) and code.isdigit() else None

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
  rule of that category look at the native event only when the rule reads nothing else.

Doing this at ingest rather than as pipeline aliases is what makes composed values possible
(``User`` is two fields joined) and keeps each compiled rule one query on both engines.
"""

from collections.abc import Callable
from dataclasses import dataclass

from core.events import FieldValue

__all__ = ["NATIVE_SOURCES", "NativeSource", "normalise"]

_DATA = "winlog.event_data."


@dataclass(frozen=True, slots=True)
class NativeSource:
    """A built-in event standing in for a Sysmon event of a Sigma log-source category."""

    category: str  # Sigma log-source category, e.g. process_creation
    channel: str
    event_id: int
    fields: frozenset[str]  # the Sysmon-taxonomy fields normalise() gives this event


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
    and LogonId are that account's."""
    out: dict[str, FieldValue] = {}
    if (image := _given(data, "NewProcessName")) is not None:
        out["Image"] = image
    if (parent := _given(data, "ParentProcessName")) is not None:
        out["ParentImage"] = parent
    target = _account(data, "Target")
    user = target or _account(data, "Subject")
    if user is not None:
        out["User"] = user
    logon = _given(data, "TargetLogonId") if target else _given(data, "SubjectLogonId")
    if logon is not None:
        out["LogonId"] = logon
    if (label := _INTEGRITY_LEVELS.get(str(data.get("MandatoryLabel")))) is not None:
        out["IntegrityLevel"] = label
    # 4688's ProcessId is the creator's: it becomes ParentProcessId, as in Sysmon.
    if (pid := _pid(data.get("NewProcessId"))) is not None:
        out["ProcessId"] = pid
    if (ppid := _pid(data.get("ProcessId"))) is not None:
        out["ParentProcessId"] = ppid
    # An empty command line means command-line auditing is off, not an empty command: leave
    # it out, so that rules reading CommandLine do not judge this event.
    out["CommandLine"] = data["CommandLine"] if _given(data, "CommandLine") else None
    return out


_MAPPERS: dict[tuple[str, int | None], Callable[[dict[str, FieldValue]], dict[str, FieldValue]]] = {
    ("Security", 4688): _process_creation,
}

NATIVE_SOURCES: tuple[NativeSource, ...] = (
    NativeSource(
        "process_creation",
        "Security",
        4688,
        frozenset(
            {
                "Image",
                "ParentImage",
                "CommandLine",
                "User",
                "LogonId",
                "IntegrityLevel",
                "ProcessId",
                "ParentProcessId",
            }
        ),
    ),
)


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
    mapper = _MAPPERS.get((str(fields.get("winlog.channel")), _event_code(fields)))
    if mapper is not None:
        data = {k[len(_DATA) :]: v for k, v in fields.items() if k.startswith(_DATA)}
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

"""Real Windows records for tests, as the `evtx` package renders them (what ingest reads).

Each file in tests/data/winlog/ is one record copied from the shared EVTX attack samples:

| file | from |
| --- | --- |
| security_4688_v2.json | Credential Access/tutto_malseclogon.evtx, record 1 |
| security_4624_ntlmssp.json | Command and Control/DE_RDP_Tunnel_5156.evtx, record 36 |
| security_5156_plink.json | Command and Control/DE_RDP_Tunnel_5156.evtx, record 17 |
| security_4663_file.json | Credential Access/CA_chrome_firefox_opera_4663.evtx, record 5 |
| defender_1116.json | AutomatedTestingTools/WinDefender_Events_1117_1116_AtomicRedTeam.evtx, record 1 |
"""

import json
from pathlib import Path

WINLOG = Path(__file__).resolve().parent / "winlog"


def record(name: str) -> str:
    return (WINLOG / name).read_text(encoding="utf-8").strip()


def with_data(name: str, **changes: str) -> str:
    """A real record with some event data values replaced (to reach other branches)."""
    doc = json.loads(record(name))
    doc["Event"]["EventData"].update(changes)
    return json.dumps(doc)


def registry_4657(object_name: str, value_name: str, operation: str = "%%1905") -> str:
    """No 4657 is in the shared set: the real 4663 above (same account, process and
    channel), given event id 4657 and the event data Microsoft documents for it."""
    doc = json.loads(record("security_4663_file.json"))
    doc["Event"]["System"]["EventID"] = 4657
    data = doc["Event"]["EventData"]
    for name in ("ObjectServer", "ObjectType", "AccessList", "AccessMask"):
        del data[name]
    data |= {
        "ObjectName": object_name,
        "ObjectValueName": value_name,
        "OperationType": operation,
        "OldValueType": "-",
        "OldValue": "-",
        "NewValueType": "%%1873",
        "NewValue": "C:\\Users\\Defau1t\\wsus.exe",
    }
    return json.dumps(doc)

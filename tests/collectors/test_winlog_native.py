"""Windows events in Sigma's names: native events get Sysmon's, Windows' spellings are undone.

The fixtures in tests/data/winlog/ are single records copied from the shared EVTX attack
samples (rendered by the `evtx` package exactly as ingest reads them):
security_4688_v2.json is tutto_malseclogon.evtx record 1, defender_1116.json is
WinDefender_Events_1117_1116_AtomicRedTeam.evtx record 1, security_4624_ntlmssp.json is
DE_RDP_Tunnel_5156.evtx record 36.
"""

import json

from collectors.ingest import Ingestor
from collectors.parsers.jsonlines import parse_json_line
from collectors.parsers.winlog import fields_from_evtx_json
from collectors.records import RawRecord
from tests.conftest import DATA
from tests.data.events import winlogbeat

WINLOG = DATA / "winlog"
D = "winlog.event_data."


def _record(name: str) -> str:
    return (WINLOG / name).read_text(encoding="utf-8").strip()


def _with_data(name: str, **changes: str) -> str:
    """A real record with some event data values replaced (to reach other branches)."""
    doc = json.loads(_record(name))
    doc["Event"]["EventData"].update(changes)
    return json.dumps(doc)


def test_a_real_4688_gets_the_sysmon_process_creation_names_and_formats():
    _, fields = fields_from_evtx_json(_record("security_4688_v2.json"))
    assert fields[D + "Image"].endswith("\\MalSeclogon.exe")
    assert fields[D + "ParentImage"] == "C:\\Windows\\System32\\cmd.exe"
    assert fields[D + "User"] == "MSEDGEWIN10\\IEUser"  # Target is '-': the creator runs it
    assert fields[D + "LogonId"] == "0x53ca2"
    assert fields[D + "IntegrityLevel"] == "High"  # MandatoryLabel S-1-16-12288
    assert fields[D + "ProcessId"] == 0x21A4  # NewProcessId, decimal as Sysmon writes it
    assert fields[D + "ParentProcessId"] == 0x2480  # 4688's ProcessId is the creator's
    # command-line auditing was off: no CommandLine, so rules reading it skip this event
    assert D + "CommandLine" not in fields
    # the native names stay
    assert fields[D + "NewProcessName"] == fields[D + "Image"]
    assert fields[D + "MandatoryLabel"] == "S-1-16-12288"


def test_4688_user_is_the_new_process_account_and_service_accounts_get_sysmon_names():
    system_starts_for_ieuser = _with_data(
        "security_4688_v2.json",
        SubjectUserSid="S-1-5-18",
        SubjectUserName="MSEDGEWIN10$",
        SubjectDomainName="WORKGROUP",
        SubjectLogonId="0x3e7",
        TargetUserSid="S-1-5-21-3461203602-4096304019-2269080069-1000",
        TargetUserName="IEUser",
        TargetDomainName="MSEDGEWIN10",
        TargetLogonId="0x53ca2",
        CommandLine='"C:\\Windows\\system32\\cmd.exe" /c whoami ',
    )
    _, fields = fields_from_evtx_json(system_starts_for_ieuser)
    assert fields[D + "User"] == "MSEDGEWIN10\\IEUser"
    assert fields[D + "LogonId"] == "0x53ca2"
    assert fields[D + "CommandLine"] == '"C:\\Windows\\system32\\cmd.exe" /c whoami '
    _, fields = fields_from_evtx_json(
        _with_data("security_4688_v2.json", SubjectUserSid="S-1-5-18", MandatoryLabel="S-1-16-0")
    )
    assert fields[D + "User"] == "NT AUTHORITY\\SYSTEM"
    assert D + "IntegrityLevel" not in fields  # no Sysmon word for it: left out, not guessed


def test_a_4688_from_winlogbeat_gets_the_same_names_as_from_evtx(clock):
    evtx_data = json.loads(_record("security_4688_v2.json"))["Event"]["EventData"]
    doc = winlogbeat("Security", 4688, evtx_data)
    _, _, from_beat = parse_json_line(json.dumps(doc), received_at=clock.now())
    _, from_evtx = fields_from_evtx_json(_record("security_4688_v2.json"))
    assert {k: v for k, v in from_beat.items() if k.startswith(D)} == {
        k: v for k, v in from_evtx.items() if k.startswith(D)
    }


def test_defender_names_with_spaces_answer_to_sigma_names_and_the_original_is_verbatim(
    store, registry, clock
):
    text = _record("defender_1116.json")
    ingestor = Ingestor(store, registry, clock=clock)
    ingestor.submit(RawRecord("file:/x.evtx", text.encode(), clock.now()), "evtx")
    ingestor.flush()
    (event,) = store.events.list(limit=5)
    assert event.fields[D + "ThreatName"] == "Trojan:PowerShell/Powersploit.M"
    assert event.fields[D + "SourceName"] == "%%818"
    assert event.fields[D + "ProcessName"].endswith("\\powershell.exe")
    assert not [k for k in event.fields if " " in k]
    assert event.original == text
    assert '"Threat Name"' in event.original


def test_padded_logon_process_name_is_trimmed_but_free_text_keeps_its_blanks(clock):
    _, fields = fields_from_evtx_json(_record("security_4624_ntlmssp.json"))
    assert fields[D + "LogonProcessName"] == "NtLmSsp"
    assert '"NtLmSsp "' in _record("security_4624_ntlmssp.json")
    doc = winlogbeat(
        "Microsoft-Windows-Sysmon/Operational",
        1,
        {"CommandLine": '"C:\\Windows\\system32\\cmd.exe" ', "LogonProcessName": "Advapi  "},
    )
    _, _, fields = parse_json_line(json.dumps(doc), received_at=clock.now())
    assert fields[D + "CommandLine"] == '"C:\\Windows\\system32\\cmd.exe" '
    assert fields[D + "LogonProcessName"] == "Advapi"

"""Windows events in Sigma's names: native events get Sysmon's, Windows' spellings are undone.

The records are real (tests/data/winlog_records.py says where each comes from)."""

import json

from collectors.ingest import Ingestor
from collectors.parsers.jsonlines import parse_json_line
from collectors.parsers.winlog import fields_from_evtx_json
from collectors.records import RawRecord
from tests.data.events import winlogbeat
from tests.data.winlog_records import record as _record
from tests.data.winlog_records import registry_4657
from tests.data.winlog_records import with_data as _with_data

D = "winlog.event_data."


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


def test_a_real_5156_gets_the_sysmon_network_connection_names_and_formats():
    _, fields = fields_from_evtx_json(_record("security_5156_plink.json"))
    assert fields[D + "Image"] == "\\device\\harddiskvolume1\\users\\user01\\desktop\\plink.exe"
    assert fields[D + "ProcessId"] == 3324
    assert fields[D + "Initiated"] is True  # Direction %%14593: outbound
    assert fields[D + "Protocol"] == "tcp"  # 6
    assert (fields[D + "SourceIp"], fields[D + "SourcePort"]) == ("10.0.2.17", 49269)
    assert (fields[D + "DestinationIp"], fields[D + "DestinationPort"]) == ("10.0.2.18", 80)
    assert fields[D + "DestAddress"] == "10.0.2.18"  # the native names stay
    _, inbound = fields_from_evtx_json(
        _with_data("security_5156_plink.json", Direction="%%14592", Protocol="17")
    )
    assert inbound[D + "Initiated"] is False
    assert inbound[D + "Protocol"] == "udp"


def test_a_real_4663_on_a_file_gets_the_file_access_names_and_one_on_a_key_does_not():
    _, fields = fields_from_evtx_json(_record("security_4663_file.json"))
    assert fields[D + "FileName"].endswith("\\Google\\Chrome\\User Data\\Default\\Login Data")
    assert fields[D + "Image"] == "C:\\Users\\Defau1t\\wsus.exe"
    assert fields[D + "ProcessId"] == 0x134C
    _, key = fields_from_evtx_json(_with_data("security_4663_file.json", ObjectType="Key"))
    assert D + "FileName" not in key and D + "Image" not in key


def test_a_4657_gets_sysmon_registry_names_with_sysmon_s_hive_and_control_set_spelling():
    run = "\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run"
    _, fields = fields_from_evtx_json(registry_4657(run, "wsus"))
    assert (
        fields[D + "TargetObject"]
        == "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\wsus"
    )
    assert fields[D + "EventType"] == "SetValue"
    assert fields[D + "Image"] == "C:\\Users\\Defau1t\\wsus.exe"
    service = "\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Services\\WinDefend"
    _, fields = fields_from_evtx_json(registry_4657(service, "Start", "%%1906"))
    assert (
        fields[D + "TargetObject"] == "HKLM\\SYSTEM\\CurrentControlSet\\Services\\WinDefend\\Start"
    )
    assert fields[D + "EventType"] == "DeleteValue"
    user = "\\REGISTRY\\USER\\S-1-5-21-1-2-3-1000\\Environment"
    _, fields = fields_from_evtx_json(registry_4657(user, "windir"))
    assert fields[D + "TargetObject"] == "HKU\\S-1-5-21-1-2-3-1000\\Environment\\windir"

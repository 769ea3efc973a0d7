"""Sysmon-category rules on Windows' built-in events (Security 4688, 5156, 4663, 4657),
through the one pipeline, on both engines; and Windows' spellings answering to Sigma's names.

Records are real (tests/data/winlog_records.py) and, where present, the shared EVTX set.
"""

import json
from pathlib import Path

import pytest

from collectors.files import ingest_paths
from collectors.ingest import Ingestor
from collectors.records import RawRecord
from detections.compile import compile_rule_dirs
from detections.runner import run_detections
from tests.conftest import EVTX_SAMPLES, SIGMAHQ_RULES, need_shared
from tests.data.winlog_records import record, registry_4657

PROCESS_RULE = """
title: Debug build started from cmd at high integrity
id: 5b0f9a55-0c57-4b43-9d0e-2f7d1b1f0001
level: high
logsource: {category: process_creation, product: windows}
detection:
  selection:
    Image|endswith: '\\MalSeclogon.exe'
    ParentImage|endswith: '\\cmd.exe'
    IntegrityLevel: High
    User|endswith: '\\IEUser'
  condition: selection
"""

# OriginalFileName, which 4688 does not have, as an alternative: the Image part judges 4688.
EITHER_NAME_RULE = """
title: MalSeclogon by image or PE name
id: 5b0f9a55-0c57-4b43-9d0e-2f7d1b1f0002
logsource: {category: process_creation, product: windows}
detection:
  image: {Image|endswith: '\\MalSeclogon.exe'}
  pe: {OriginalFileName: MalSeclogon.exe}
  condition: image or pe
"""

# OriginalFileName under a "not": 4688 cannot tell, so the rule stays Sysmon-only.
SYSMON_ONLY_RULE = """
title: MalSeclogon unless signed as such
id: 5b0f9a55-0c57-4b43-9d0e-2f7d1b1f0006
logsource: {category: process_creation, product: windows}
detection:
  image: {Image|endswith: '\\MalSeclogon.exe'}
  pe: {OriginalFileName: MalSeclogon.exe}
  condition: image and not pe
"""

# A filter on ParentImage: a 4688 that does not record the parent is not judged by it.
PARENT_FILTER_RULE = """
title: MalSeclogon not started by explorer
id: 5b0f9a55-0c57-4b43-9d0e-2f7d1b1f0003
logsource: {category: process_creation, product: windows}
detection:
  selection: {Image|endswith: '\\MalSeclogon.exe'}
  filter: {ParentImage|endswith: '\\explorer.exe'}
  condition: selection and not filter
"""

DEFENDER_RULE = """
title: Defender found PowerSploit in PowerShell
id: 5b0f9a55-0c57-4b43-9d0e-2f7d1b1f0004
logsource: {product: windows, service: windefend}
detection:
  selection:
    EventID: 1116
    ThreatName|contains: Powersploit
    ProcessName|endswith: '\\powershell.exe'
    SourceName: '%%818'
  condition: selection
"""

NTLM_RULE = """
title: NTLM network logon
id: 5b0f9a55-0c57-4b43-9d0e-2f7d1b1f0005
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4624, LogonProcessName: NtLmSsp}
  condition: selection
"""


NETWORK_RULE = """
title: plink talking HTTP
id: 5b0f9a55-0c57-4b43-9d0e-2f7d1b1f0007
logsource: {category: network_connection, product: windows}
detection:
  selection: {Image|endswith: '\\plink.exe', Initiated: 'true', DestinationPort: 80, Protocol: tcp}
  condition: selection
"""

# 5156 gives Image as a device path: a "not Image|startswith 'C:\\'" cannot be judged there.
NETWORK_FILTER_RULE = """
title: Outbound HTTP outside Program Files
id: 5b0f9a55-0c57-4b43-9d0e-2f7d1b1f0008
logsource: {category: network_connection, product: windows}
detection:
  selection: {Initiated: 'true', DestinationPort: 80}
  filter: {Image|startswith: 'C:\\Program Files\\'}
  condition: selection and not filter
"""

FILE_RULE = """
title: Chrome passwords read by another program
id: 5b0f9a55-0c57-4b43-9d0e-2f7d1b1f0009
logsource: {category: file_access, product: windows}
detection:
  selection: {FileName|contains|all: ['\\Google\\Chrome\\', '\\Login Data']}
  filter: {Image|endswith: '\\chrome.exe'}
  condition: selection and not filter
"""

REGISTRY_RULE = """
title: Run key set by a program outside Windows
id: 5b0f9a55-0c57-4b43-9d0e-2f7d1b1f0010
logsource: {category: registry_set, product: windows}
detection:
  selection: {TargetObject|contains: '\\CurrentVersion\\Run\\', EventType: SetValue}
  filter: {Image|startswith: 'C:\\Windows\\'}
  condition: selection and not filter
"""


@pytest.fixture
def engine(both_engines: str) -> str:
    """Everything here must hold on SQLite and on Elasticsearch alike."""
    return both_engines


def _v1(record: str) -> str:
    """The real 4688 as Windows before 10 writes it: no parent name, label or target."""
    doc = json.loads(record)
    data = doc["Event"]["EventData"]
    for name in ("TargetUserSid", "TargetUserName", "TargetDomainName", "TargetLogonId"):
        del data[name]
    del data["ParentProcessName"], data["MandatoryLabel"]
    doc["Event"]["System"]["EventRecordID"] += 1
    return json.dumps(doc)


def _fired(store, registry, clock, tmp_path: Path, rules: dict[str, str], *records: str):
    ingestor = Ingestor(store, registry, clock=clock)
    for text in records:
        ingestor.submit(RawRecord("file:/t.evtx", text.encode(), clock.now()), "evtx")
    ingestor.flush()
    for name, text in rules.items():
        (tmp_path / f"{name}.yml").write_text(text, encoding="utf-8")
    compiled = compile_rule_dirs([tmp_path], store=store)
    assert not compiled.issues, compiled.issues
    report = run_detections(store, compiled.compiled, clock=clock)
    assert report.failed == {}
    return sorted((a.rule_title, a.event.record_id) for a in store.alerts.list(limit=100))


def test_process_creation_rules_see_a_real_4688_only_through_fields_it_has(
    store, registry, clock, tmp_path
):
    v2 = record("security_4688_v2.json")
    fired = _fired(
        store,
        registry,
        clock,
        tmp_path,
        {
            "process": PROCESS_RULE,
            "either": EITHER_NAME_RULE,
            "sysmon_only": SYSMON_ONLY_RULE,
            "parent": PARENT_FILTER_RULE,
        },
        v2,
        _v1(v2),
    )
    # the v1 record (329915) has no ParentImage: the parent filter rule does not judge it
    assert fired == [
        ("Debug build started from cmd at high integrity", 329914),
        ("MalSeclogon by image or PE name", 329914),
        ("MalSeclogon by image or PE name", 329915),
        ("MalSeclogon not started by explorer", 329914),
    ]


def test_windows_spellings_match_sigma_names_on_real_records(store, registry, clock, tmp_path):
    fired = _fired(
        store,
        registry,
        clock,
        tmp_path,
        {"defender": DEFENDER_RULE, "ntlm": NTLM_RULE},
        record("defender_1116.json"),
        record("security_4624_ntlmssp.json"),
    )
    assert [title for title, _ in fired] == [
        "Defender found PowerSploit in PowerShell",
        "NTLM network logon",
    ]


def test_network_file_and_registry_rules_see_5156_4663_and_4657(store, registry, clock, tmp_path):
    run_key = "\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run"
    fired = _fired(
        store,
        registry,
        clock,
        tmp_path,
        {
            "network": NETWORK_RULE,
            "network_filter": NETWORK_FILTER_RULE,
            "file": FILE_RULE,
            "registry": REGISTRY_RULE,
        },
        record("security_5156_plink.json"),
        record("security_4663_file.json"),
        registry_4657(run_key, "wsus"),
    )
    assert [title for title, _ in fired] == [
        "Chrome passwords read by another program",
        "Run key set by a program outside Windows",
        "plink talking HTTP",
    ]


def test_a_process_creation_rule_compiles_to_sysmon_or_4688_and_others_to_sysmon_alone(tmp_path):
    (tmp_path / "process.yml").write_text(PROCESS_RULE, encoding="utf-8")
    (tmp_path / "sysmon_only.yml").write_text(SYSMON_ONLY_RULE, encoding="utf-8")
    both, sysmon = sorted(compile_rule_dirs([tmp_path]).compiled, key=lambda r: r.title)
    assert "4688" in both.condition and "event_code=1" in both.condition
    assert both.prefilter is not None and "4688" in both.prefilter
    assert "4688" not in sysmon.condition and "Security" not in sysmon.condition


@pytest.mark.shared_data
@pytest.mark.slow
def test_sigmahq_process_creation_rules_find_the_real_4688_events_in_the_shared_set(
    tmp_path, registry, clock
):
    """SQLite only: the cross-engine test in test_sigmahq_and_evtx.py runs every rule that
    fires here on Elasticsearch too."""
    from core.storage import SqliteStore

    samples = [
        p
        for p in sorted(need_shared(EVTX_SAMPLES).rglob("*.evtx"))
        if p.name in {"tutto_malseclogon.evtx", "NTLM2SelfRelay-med0x2e-security_4624_4688.evtx"}
    ]
    rules_dir = need_shared(SIGMAHQ_RULES / "windows" / "process_creation")
    with SqliteStore(tmp_path / "citysoc.db") as store:
        ingest_paths(samples, Ingestor(store, registry, clock=clock))
        compiled = compile_rule_dirs([rules_dir], store=store)
        run_detections(store, compiled.compiled, clock=clock)
        on_4688 = {
            (a.rule_title, a.event.record_id)
            for a in store.alerts.list(limit=10_000)
            if a.event.channel == "Security"
        }
    # lsass.exe started by lsass.exe (MalSeclogon's clone), notepad started by WmiPrvSE.exe
    assert on_4688 == {
        ("Potential Credential Dumping Via LSASS Process Clone", 329921),
        ("WmiPrvSE Spawned A Process", 21374),
    }

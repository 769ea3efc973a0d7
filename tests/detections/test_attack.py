"""The ATT&CK view (issue 16 item 4) from the city rules' real tags: technique names and
tactics from the ATT&CK data shipped offline, alerts and incidents of a period per tactic
and technique, agency isolation, the period's bounds."""

import json
from datetime import UTC, datetime, timedelta

from collectors.records import RawRecord
from core.access import Actor, Role
from detections.attack import (
    TACTICS,
    tactics_of_tags,
    technique,
    techniques_of_tags,
)
from detections.attack_view import NO_TACTIC, attack_view
from tests.data.events import winlogbeat
from tests.factories import ADMIN, XITUN

DAY = datetime(2026, 3, 2, tzinfo=UTC)
BEITUN = Actor("beitun", Role.REPORTER, agency="district-beitun")


def test_techniques_have_their_names_and_tactics_offline():
    powershell = technique("T1059.001")
    assert powershell.name == "PowerShell" and powershell.tactics == ("execution",)
    assert powershell.url == "https://attack.mitre.org/techniques/T1059/001"
    assert technique("T1098").tactics == ("persistence", "privilege-escalation")
    unknown = technique("T9999")
    assert unknown.name is None and unknown.url.endswith("/T9999")
    assert len(TACTICS) == 14


def test_tags_give_techniques_and_tactics_in_either_spelling():
    tags = [
        "attack.t1059.001",
        "attack.defense_evasion",
        "attack.execution",
        "cve.2021-1",
        "attack.s0002",
    ]
    assert techniques_of_tags(tags) == ["T1059.001"]
    assert tactics_of_tags(tags) == ["execution", "defense-evasion"]


def _ingest(soc, *docs):
    ingestor = soc.ingestor()
    for doc in docs:
        ingestor.submit(RawRecord("t", json.dumps(doc).encode(), soc.clock.now()), "jsonl")
    ingestor.flush()


def test_a_period_of_alerts_by_tactic_and_technique(soc):
    _ingest(
        soc,
        winlogbeat("Security", 4720, {"TargetUserName": "tmp1"}),
        winlogbeat("Security", 4720, {"TargetUserName": "tmp2"}),
        winlogbeat("Security", 4732, {"TargetSid": "S-1-5-32-544", "MemberName": "tmp1"}),
        winlogbeat("Security", 4720, {"TargetUserName": "old"}, at="2026-02-01T00:00:00Z"),
    )
    soc.process(min_severity="high")  # the admin group change becomes a suspected case
    view = attack_view(soc.store, actor=ADMIN, since=DAY, until=DAY + timedelta(days=1))
    assert view.alerts == 3 and view.untagged == 0 and not view.capped
    cells = {(c["tactic"], c["technique"]): c for c in view.as_dict()["cells"]}
    assert cells["persistence", "T1136"]["alerts"] == 2  # the old one is outside the period
    assert cells["persistence", "T1098"]["alerts"] == 1
    assert cells["privilege-escalation", "T1098"]["alerts"] == 1
    assert cells["persistence", "T1098"]["incidents"] == 1
    assert view.tactics == ["persistence", "privilege-escalation"]
    rows = {r["technique"]: r for r in view.rows()}
    assert rows["T1136"]["name"] == "Create Account" and rows["T1136"]["incidents"] == 0
    assert rows["T1098"]["alerts"] == 1  # one alert, under two tactics
    assert rows["T1098"]["tactics"] == ["persistence", "privilege-escalation"]
    assert view.peak == 2 and [c.technique.id for c in view.column("persistence")] == [
        "T1136",
        "T1098",
    ]
    assert NO_TACTIC not in view.tactics


def test_a_reporter_sees_only_their_agency(soc):
    _ingest(soc, winlogbeat("Security", 4720, {"TargetUserName": "tmp1"}))
    soc.process(min_severity="critical")
    period = {"since": DAY, "until": DAY + timedelta(days=1)}
    assert attack_view(soc.store, actor=XITUN, **period).alerts == 1
    assert (
        attack_view(soc.store, actor=BEITUN, organization_id="district-xitun", **period).alerts == 0
    )
    assert (
        attack_view(soc.store, actor=ADMIN, organization_id="district-beitun", **period).alerts == 0
    )

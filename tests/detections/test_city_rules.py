"""Every project rule alerts on its positive case and stays silent on its negative case."""

import json
from pathlib import Path

import pytest
import yaml

from collectors.ingest import Ingestor
from collectors.records import RawRecord
from core.settings import DEFAULT_RULES
from detections.compile import compile_rule_dirs
from detections.runner import run_detections
from tests.conftest import DATA

CASES = {
    k: v
    for k, v in yaml.safe_load((DATA / "city_rule_cases.yaml").read_text()).items()
    if not k.startswith("_")
}
RULE_FILES = sorted(DEFAULT_RULES.glob("*.yml"))


def test_every_project_rule_has_a_case_and_the_pack_is_big_enough():
    assert len(RULE_FILES) >= 15
    assert {p.stem for p in RULE_FILES} == set(CASES)


def _alerts_for(rule_file: Path, case: dict, which: str, store, registry, clock) -> list[str]:
    ingestor = Ingestor(store, registry, clock=clock)
    if "syslog" in case or "panos-csv" in case:
        fmt = "syslog" if "syslog" in case else "panos-csv"
        line = case[fmt][which]
    else:
        fmt, line = "jsonl", json.dumps(case[which])
    ingestor.submit(RawRecord(source="test", data=line.encode(), received_at=clock.now()), fmt)
    ingestor.flush()
    assert ingestor.report.stored == 1, store.dead_letters.list()
    compiled = compile_rule_dirs([rule_file])
    assert not compiled.issues
    run_detections(store, compiled.compiled, clock=clock)
    return [a.rule_id for a in store.alerts.list()]


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=lambda p: p.stem)
def test_rule_fires_on_its_positive_case(rule_file, store, registry, clock):
    alerts = _alerts_for(rule_file, CASES[rule_file.stem], "positive", store, registry, clock)
    assert len(alerts) == 1


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=lambda p: p.stem)
def test_rule_is_silent_on_its_negative_case(rule_file, store, registry, clock):
    assert _alerts_for(rule_file, CASES[rule_file.stem], "negative", store, registry, clock) == []


def test_project_rules_keep_author_and_references_on_alerts(store, registry, clock):
    case = CASES["win_security_log_cleared"]
    _alerts_for(
        DEFAULT_RULES / "win_security_log_cleared.yml", case, "positive", store, registry, clock
    )
    [alert] = store.alerts.list()
    assert alert.author and "CitySOC" in alert.author
    assert alert.references
    assert "T1070.001" in alert.attack
    assert alert.organization_id == "district-xitun"
    assert alert.event.channel == "Security"

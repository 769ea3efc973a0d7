"""Alert grouping beyond one hour (issue 16 item 5): which fields a case shares, a window of
up to 7 days aligned to Taipei midnight, alerts exactly at a window's boundary, the
settings' refusals, and the runner and triage using the configured grouping."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from collectors.ingest import Ingestor
from collectors.records import RawRecord
from core.access import SYSTEM
from core.settings import MAX_ALERT_GROUP_WINDOW_MINUTES, Settings
from detections.compile import compile_rule_dirs
from detections.grouping import AlertGrouping
from detections.runner import group_key_for, run_detections
from incidents import triage
from tests.data.events import winlogbeat
from tests.incidents.test_triage import RULE_FILE

MIDNIGHT = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # 2026-03-03 00:00 Taipei
DAY = AlertGrouping(window=timedelta(days=1))


def test_a_day_window_is_a_taipei_day_and_its_start_opens_the_next_group():
    before = DAY.key("r", "police", "PC1", MIDNIGHT - timedelta(seconds=1))
    at = DAY.key("r", "police", "PC1", MIDNIGHT)
    last = DAY.key("r", "police", "PC1", MIDNIGHT + timedelta(days=1, seconds=-1))
    assert before != at == last
    assert at.endswith(f"|{int(MIDNIGHT.timestamp())}")
    three = AlertGrouping(window=timedelta(days=3))
    starts = {three.window_start(MIDNIGHT + timedelta(hours=h)) for h in range(0, 24 * 9)}
    assert len(starts) in (3, 4)  # nine days cross three or four 3-day windows
    assert all((s + 8 * 3600) % (3 * 86400) == 0 for s in starts)  # Taipei midnights


def test_hour_keys_are_those_of_before():
    at = datetime(2026, 3, 2, 1, 59, 59, tzinfo=UTC)
    old = f"r|police|pc1|{int(at.timestamp()) // 3600 * 3600}"
    assert group_key_for("r", "police", "PC1", at, timedelta(hours=1)) == old


def test_the_fields_a_group_shares():
    by_host = AlertGrouping(by=frozenset({"agency", "host"}), window=timedelta(days=1))
    assert by_host.key("r1", "police", "PC1", MIDNIGHT) == by_host.key(
        "r2", "police", "pc1", MIDNIGHT
    )
    assert by_host.key("r1", "police", "PC1", MIDNIGHT) != by_host.key(
        "r1", "district-xitun", "PC1", MIDNIGHT
    )
    by_rule = AlertGrouping(by=frozenset({"agency", "rule"}), window=timedelta(days=1))
    assert by_rule.key("r1", "police", "PC1", MIDNIGHT) == by_rule.key(
        "r1", "police", "PC2", MIDNIGHT
    )
    assert by_rule.key("r1", "police", "PC1", MIDNIGHT) != by_rule.key(
        "r2", "police", "PC1", MIDNIGHT
    )


def test_settings_refuse_a_window_past_a_week_and_a_group_without_agency():
    assert Settings(alert_group_window_minutes=MAX_ALERT_GROUP_WINDOW_MINUTES)
    with pytest.raises(ValidationError, match=r"alert_group_window_minutes is from 1 to 10080"):
        Settings(alert_group_window_minutes=MAX_ALERT_GROUP_WINDOW_MINUTES + 1)
    with pytest.raises(ValidationError, match="from 1 to"):
        Settings(alert_group_window_minutes=0)
    with pytest.raises(ValidationError, match="must include agency"):
        Settings(alert_group_by="rule,host")
    with pytest.raises(ValidationError, match=r"\['computer'\] is not one"):
        Settings(alert_group_by="agency,computer")
    assert Settings(alert_group_by=" Host , agency").alert_group_by == ["agency", "host"]


def ingest(store, registry, clock, at: datetime, name: str, host: str = "D-XITUN-FS01"):
    ingestor = Ingestor(store, registry, clock=clock)
    doc = winlogbeat("Security", 4720, {"TargetUserName": name}, host=host, at=at.isoformat())
    ingestor.submit(RawRecord("t", json.dumps(doc).encode(), clock.now()), "jsonl")
    ingestor.flush()


def test_the_runner_and_triage_use_the_configured_window(store, registry, clock, analyst):
    clock.advance(MIDNIGHT + timedelta(days=1) - clock.now())
    # The same Taipei day, hours apart, on two hosts; then exactly at the next midnight.
    ingest(store, registry, clock, MIDNIGHT - timedelta(hours=20), "a")
    ingest(store, registry, clock, MIDNIGHT - timedelta(seconds=1), "b", host="D-XITUN-PC07")
    ingest(store, registry, clock, MIDNIGHT, "c")
    grouping = AlertGrouping(by=frozenset({"agency", "rule"}), window=timedelta(days=1))
    rules = compile_rule_dirs([RULE_FILE], store=store).compiled
    run_detections(store, rules, clock=clock, grouping=grouping)
    groups = sorted(triage.list_groups(store, actor=analyst), key=lambda g: g.first_at)
    assert [g.count for g in groups] == [2, 1]  # the boundary alert opens the next day's
    report = triage.auto_triage(
        store=store, actor=SYSTEM, registry=registry, clock=clock, min_severity="medium"
    )
    assert (report.incidents_opened, report.alerts_escalated) == (2, 3)


def test_process_groups_as_the_settings_say(soc, registry):
    soc.settings = Settings(
        store=soc.settings.store, alert_group_window_minutes=2880, alert_group_by="agency"
    )
    ingest(soc.store, registry, soc.clock, soc.clock.now(), "a")
    ingest(soc.store, registry, soc.clock, soc.clock.now(), "b", host="D-XITUN-PC07")
    soc.process(min_severity="critical")  # alerts only
    keys = {a.group_key for a in soc.store.alerts.list()}
    start = AlertGrouping(window=timedelta(days=2)).window_start(soc.clock.now())
    assert keys == {f"*|district-xitun|*|{start}"}

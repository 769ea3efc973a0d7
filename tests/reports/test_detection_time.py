"""Time to detect counts from when CitySOC received the logs, not from the time written in
them: old logs imported today must not turn into years of detection time."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from collectors.ingest import Ingestor
from collectors.records import RawRecord
from core.access import SYSTEM, Actor, Role
from core.clock import FixedClock
from core.settings import DEFAULT_RULES
from detections.compile import compile_rule_dirs
from detections.runner import run_detections
from incidents import awareness, repository, triage
from reports.compliance import build_compliance
from tests.data.events import winlogbeat
from tests.factories import open_incident

pytestmark = pytest.mark.reports

AUDITOR = Actor("audrey", Role.AUDITOR)
RULE = DEFAULT_RULES / "win_user_account_created.yml"
RECEIVED = datetime(2026, 5, 4, 2, 0, tzinfo=UTC)  # 10:00 Taipei
MAY = {"start": date(2026, 5, 1), "end": date(2026, 5, 31), "now": datetime(2026, 7, 1, tzinfo=UTC)}


@pytest.fixture
def engine(both_engines: str) -> str:
    """The receive time is kept by both engines."""
    return both_engines


def _import(store, registry, clock, at: str) -> None:
    ingestor = Ingestor(store, registry, clock=clock)
    doc = winlogbeat("Security", 4720, {"TargetUserName": "x"}, at=at)
    ingestor.submit(RawRecord("file:old.jsonl", json.dumps(doc).encode(), clock.now()), "jsonl")
    ingestor.flush()


def test_four_year_old_logs_imported_today_give_a_sane_time_to_detect(store, registry):
    clock = FixedClock(RECEIVED)
    _import(store, registry, clock, at="2022-05-01T01:00:00Z")
    [event] = store.events.list()
    assert (event.received_at, event.timestamp.year) == (RECEIVED, 2022)
    clock.advance(timedelta(minutes=5))
    run_detections(store, compile_rule_dirs([RULE], store=store).compiled, clock=clock)
    triage.auto_triage(
        store=store, actor=SYSTEM, registry=registry, clock=clock, min_severity="low"
    )
    [suspected] = repository.list_visible(store, actor=AUDITOR)
    clock.advance(timedelta(hours=1, minutes=55))  # confirmed two hours after receipt
    lead = Actor("lee", Role.LEAD)
    confirmed = awareness.confirm(store=store, actor=lead, incident_id=suspected.id, clock=clock)
    assert confirmed.occurred_at is not None and confirmed.occurred_at.year == 2022
    report = build_compliance(store=store, actor=AUDITOR, registry=registry, **MAY)
    assert report.incidents_timed_to_detect == 1
    assert report.mean_hours_to_detect == pytest.approx(2.0)  # not 35,000 h


def test_without_alerts_detection_counts_from_when_it_occurred(store, registry):
    clock = FixedClock(RECEIVED)
    reporter = Actor("r", Role.REPORTER, agency="police")
    open_incident(
        store,
        clock,
        actor=reporter,
        organization_id="police",
        occurred_at=RECEIVED - timedelta(hours=3),
    )
    report = build_compliance(store=store, actor=AUDITOR, registry=registry, **MAY)
    assert report.mean_hours_to_detect == pytest.approx(3.0)

"""A partner's indicator never opens statutory incidents by itself: its hits are capped at
medium severity (auto-triage escalates high and critical groups only) and carry the partner's
stated confidence. End to end on both engines: partner push → sweep → triage."""

from datetime import timedelta

import pytest

from core.alerts import Severity
from tests.sharing.cities import event
from tests.sharing.cities import partner_indicator as indicator

pytestmark = pytest.mark.taxii


@pytest.fixture
def engine(both_engines):
    return both_engines


def ingest(soc, *docs):
    import json

    from collectors.records import RawRecord

    ingestor = soc.ingestor()
    for doc in docs:
        ingestor.submit(RawRecord("test", json.dumps(doc).encode(), soc.clock.now()), "jsonl")
    ingestor.flush()


def test_a_partner_push_of_a_common_address_opens_no_incident(soc, push):
    seen = soc.clock.now() - timedelta(hours=3)
    # Three Xitun PCs talked to the address, as a commonly used service would have.
    ingest(
        soc,
        *(
            event(seen, **{"host.name": f"D-XITUN-PC0{n}", "destination.ip": "203.0.113.77"})
            for n in (1, 2, 3)
        ),
    )
    pushed = indicator(address="203.0.113.77", confidence=85)
    assert push("miaoli-county", pushed).json()["success_count"] == 1

    report = soc.process()  # the default: auto-triage escalates high and critical groups
    hits = [a for a in soc.store.alerts.list(limit=100) if a.rule_id.startswith("ioc:")]
    assert len(hits) == 3 and {a.organization_id for a in hits} == {"district-xitun"}
    assert {a.severity for a in hits} == {Severity.MEDIUM}
    for hit in hits:
        assert "citysoc.confidence.85" in hit.tags and "confidence 85" in hit.rule_title
    assert report.triage.incidents_opened == 0
    assert soc.store.incidents.list() == []


def test_an_unstated_confidence_says_so(soc, push):
    ingest(
        soc, event(soc.clock.now(), **{"host.name": "D-XITUN-PC01", "source.ip": "203.0.113.78"})
    )
    push("nantou-county", indicator(address="203.0.113.78"))
    soc.process()
    [hit] = [a for a in soc.store.alerts.list() if a.rule_id.startswith("ioc:")]
    assert hit.severity is Severity.MEDIUM and "confidence not stated" in hit.rule_title

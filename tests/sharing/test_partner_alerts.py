"""A partner's indicator never opens statutory incidents by itself: its hits are medium
severity unless the registry trusts the partner higher, auto-triage never escalates them
whatever their severity (an analyst may), and they carry the partner's stated confidence.
End to end on both engines: partner push → sweep → triage."""

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


# --- hits that cannot open incidents by themselves (issue 14, item 4) ----------------------


@pytest.fixture
def partner_severity() -> str | None:
    """Miaoli County's ``max_alert_severity`` in the registry (None: the shipped file)."""
    return None


@pytest.fixture
def settings(settings, partner_severity, tmp_path):
    if partner_severity is None:
        return settings
    shipped = settings.partners_file.read_text(encoding="utf-8")
    entry = "  - id: miaoli-county\n"
    assert entry in shipped
    changed = tmp_path / "partners.yaml"
    changed.write_text(
        shipped.replace(entry, f"{entry}    max_alert_severity: {partner_severity}\n"),
        encoding="utf-8",
    )
    return settings.model_copy(update={"partners_file": changed})


def common_address_day(soc) -> None:
    """80 events of three Xitun PCs reaching one commonly used address, in three hours."""
    start = soc.clock.now() - timedelta(hours=3)
    ingest(
        soc,
        *(
            event(
                start + timedelta(minutes=2 * n),
                **{"host.name": f"D-XITUN-PC0{n % 3 + 1}", "destination.ip": "203.0.113.77"},
            )
            for n in range(80)
        ),
    )


def hits_of(soc) -> list:
    return [a for a in soc.store.alerts.list(limit=1000) if a.rule_id.startswith("ioc:")]


def test_80_hits_of_a_partner_indicator_stay_medium_and_open_nothing(soc, push):
    from incidents.triage import may_escalate_by_itself

    common_address_day(soc)
    push("miaoli-county", indicator(address="203.0.113.77", confidence=85))
    # Even an auto-triage told to escalate everything leaves a partner's hits to a person.
    report = soc.process(min_severity=Severity.INFORMATIONAL)
    hits = hits_of(soc)
    assert len(hits) == 80 and {a.severity for a in hits} == {Severity.MEDIUM}
    assert len({a.group_key for a in hits}) >= 3
    assert not any(may_escalate_by_itself(a) for a in hits)
    assert report.triage.incidents_opened == 0 and report.triage.alerts_escalated == 0
    assert soc.store.incidents.list() == []


@pytest.mark.parametrize("partner_severity", ["high"])
def test_a_partner_trusted_higher_gives_high_hits_and_still_no_incident(soc, push):
    common_address_day(soc)
    push("miaoli-county", indicator(address="203.0.113.77", confidence=95))
    push("nantou-county", indicator(address="203.0.113.77"))  # not raised: medium
    report = soc.process()  # the default: auto-triage escalates high and critical groups
    hits = hits_of(soc)
    by_partner = {
        partner: {a.severity for a in hits if f"citysoc.partner.{partner}" in a.tags}
        for partner in ("miaoli-county", "nantou-county")
    }
    assert by_partner == {"miaoli-county": {Severity.HIGH}, "nantou-county": {Severity.MEDIUM}}
    assert report.triage.incidents_opened == 0
    assert soc.store.incidents.list() == []


def test_an_analyst_may_still_escalate_a_partner_hit(soc, push, analyst):
    from incidents import triage

    common_address_day(soc)
    push("miaoli-county", indicator(address="203.0.113.77"))
    soc.process(min_severity=Severity.INFORMATIONAL)
    group = hits_of(soc)[0].group_key
    in_group = {a.id for a in hits_of(soc) if a.group_key == group}
    incident = triage.escalate_group(
        store=soc.store, actor=analyst, group_key=group, registry=soc.registry, clock=soc.clock
    )
    assert set(incident.alert_ids) == in_group
    assert len(soc.store.incidents.list()) == 1

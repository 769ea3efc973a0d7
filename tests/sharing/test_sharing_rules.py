"""What may leave the city, and how indicators become sweeps."""

import re
from datetime import timedelta

import pytest

from core.errors import ForbiddenError, InputError
from incidents import service
from incidents.models import IoC, IoCType
from incidents.sharing.deidentify import RedactionKind, WithheldReason, sanitize
from incidents.sharing.observables import classify, from_pattern, to_pattern
from incidents.sharing.outgoing import publish, validate_bundle
from incidents.sharing.preview import preview_share
from incidents.sharing.tlp import Tlp, tlp_of
from incidents.sharing.watchlist import import_objects, list_indicators
from tests.factories import open_incident
from tests.sharing.cities import ADMIN, publish_now

SUFFIXES = ["taichung.gov.tw", "local"]


def police_incident(soc):
    return open_incident(soc.store, soc.clock, organization_id="police")


def test_personal_data_and_internal_detail_are_removed_and_reported(registry):
    iocs = [
        classify(v)
        for v in (
            "203.0.113.7",
            "10.20.1.5",
            "192.168.1.1",
            "fs01.xitun.taichung.gov.tw",
            "evil.example",
            "amy@taichung.gov.tw",
            "phisher@evil.example",
        )
    ]
    text = (
        "王小明 (A123456789, 0912-345-678, amy@taichung.gov.tw) 從 10.20.1.5 與 "
        "fs01.xitun.taichung.gov.tw 連線到 203.0.113.7 與 evil.example"
    )
    out = sanitize(iocs, text, tlp=Tlp.GREEN, registry=registry, internal_suffixes=SUFFIXES)
    assert [i.value for i in out.iocs] == ["203.0.113.7", "evil.example", "phisher@evil.example"]
    reasons = {w.ioc.value: w.reason for w in out.withheld}
    assert reasons["10.20.1.5"] is WithheldReason.AGENCY_ADDRESS
    assert reasons["192.168.1.1"] is WithheldReason.INTERNAL_ADDRESS
    assert reasons["fs01.xitun.taichung.gov.tw"] is WithheldReason.INTERNAL_HOST
    assert reasons["amy@taichung.gov.tw"] is WithheldReason.STAFF_EMAIL
    for secret in ("A123456789", "0912-345-678", "amy@", "10.20.1.5", "fs01"):
        assert secret not in out.summary
    assert "203.0.113.7" in out.summary and "evil.example" in out.summary
    assert out.redactions == {
        RedactionKind.NATIONAL_ID: 1,
        RedactionKind.PHONE: 1,
        RedactionKind.EMAIL: 1,
        RedactionKind.INTERNAL_ADDRESS: 1,
        RedactionKind.INTERNAL_HOST: 1,
    }
    assert "[已移除/removed: 身分證字號/national ID]" in out.summary  # partners read both


def test_the_arrangement_may_allow_internal_detail_at_amber_only(registry):
    ip = [classify("10.20.1.5")]
    kept = sanitize(
        ip,
        "",
        tlp=Tlp.AMBER,
        registry=registry,
        internal_suffixes=SUFFIXES,
        allow_internal_details=True,
    )
    assert kept.iocs == ip
    green = sanitize(
        ip,
        "",
        tlp=Tlp.GREEN,
        registry=registry,
        internal_suffixes=SUFFIXES,
        allow_internal_details=True,
    )
    assert green.iocs == [] and green.withheld


@pytest.mark.parametrize(
    "value",
    [
        "203.0.113.7",
        "2001:db8::1",
        "evil.example",
        "http://evil.example/a?b=1&c='x'",
        "a" * 64,
        "b" * 40,
        "c" * 32,
        "x@evil.example",
    ],
)
def test_patterns_round_trip(value):
    ioc = classify(value)
    assert from_pattern(to_pattern(ioc)) == ([ioc], None)


def test_a_url_whose_query_holds_an_address_is_a_url_and_withheld_for_it(registry):
    """Not an e-mail address: read as one, it would leave the URL's host unchecked."""
    ioc = classify("http://evil.example/?next=amy@taichung.gov.tw")
    assert ioc.type is IoCType.URL
    out = sanitize([ioc], "", tlp=Tlp.GREEN, registry=registry, internal_suffixes=SUFFIXES)
    [withheld] = out.withheld
    assert withheld.reason is WithheldReason.URL_CONTAINS
    assert withheld.kinds == (RedactionKind.EMAIL, RedactionKind.INTERNAL_HOST)  # a staff address


def test_patterns_that_cannot_be_swept_say_why_and_broken_ones_are_errors():
    iocs, why = from_pattern("[ipv4-addr:value = '1.2.3.4'] AND [domain-name:value = 'a.example']")
    assert iocs == [] and "AND" in why
    assert "process:name" in from_pattern("[process:name = 'x.exe']")[1]
    assert "operator" in from_pattern("[ipv4-addr:value != '1.2.3.4']")[1]
    with pytest.raises(InputError, match="unparsable"):
        from_pattern("[ipv4-addr:value = '1.2.3.4'")
    with pytest.raises(InputError, match="not an IP address"):
        classify("not an indicator")


def test_tlp_red_never_leaves_and_an_empty_share_is_refused(soc):
    incident = police_incident(soc)
    args = {
        "store": soc.store,
        "actor": ADMIN,
        "registry": soc.registry,
        "partners": soc.partners,
        "incident_id": incident.id,
        "clock": soc.clock,
    }
    del args["clock"]
    with pytest.raises(ForbiddenError, match="TLP:RED"):
        preview_share(**args, iocs=[classify("evil.example")], summary="", tlp=Tlp.RED)
    with pytest.raises(InputError, match="nothing left to share.*10.20.1.5"):
        preview_share(**args, iocs=[classify("10.20.1.5")], summary="", tlp=Tlp.GREEN)
    assert soc.store.sharing.last_added(soc.partners.collections[0].id) is None


def test_a_published_bundle_is_valid_stix_and_audited(soc):
    from core import audit

    incident = police_incident(soc)
    result = publish_now(
        store=soc.store,
        actor=ADMIN,
        registry=soc.registry,
        partners=soc.partners,
        incident_id=incident.id,
        iocs=[classify("evil.example"), classify("d" * 64)],
        summary="C2 domain and dropper hash",
        tlp=Tlp.AMBER,
        clock=soc.clock,
    )
    import json

    assert validate_bundle(json.dumps(result.bundle)) == []
    types = [o["type"] for o in result.bundle["objects"]]
    assert types.count("indicator") == 2 and types.count("sighting") == 2 and "report" in types
    assert all(
        tlp_of(o) is Tlp.AMBER
        for o in result.bundle["objects"]
        if o["type"] in ("indicator", "report")
    )
    [entry] = [r for r in soc.store.audit.rows(subject=incident.id) if r.action == "share.publish"]
    assert result.bundle["id"] in entry.detail
    assert audit.verify(soc.store).ok


def test_a_reporter_cannot_share(soc):
    from core.access import Actor, Role

    incident = police_incident(soc)
    reporter = Actor("p", Role.REPORTER, agency="police")
    args = {
        "store": soc.store,
        "actor": reporter,
        "registry": soc.registry,
        "partners": soc.partners,
        "incident_id": incident.id,
        "iocs": [classify("evil.example")],
        "summary": "",
        "tlp": Tlp.GREEN,
    }
    with pytest.raises(ForbiddenError):
        preview_share(**args)
    with pytest.raises(ForbiddenError):  # a digest does not open it either
        publish(**args, confirm="0" * 64, clock=soc.clock)


def test_the_retro_hunt_looks_back_only_over_its_window(soc):
    import json

    from collectors.records import RawRecord

    now = soc.clock.now()
    ingestor = soc.ingestor()
    for age in (10, 40):  # days; the shipped window is 30
        doc = {
            "@timestamp": (now - timedelta(days=age)).isoformat(),
            "source.ip": "198.51.100.77",
            "age": age,
        }
        ingestor.submit(RawRecord("t", json.dumps(doc).encode(), now), "jsonl")
    ingestor.flush()
    indicator = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": "indicator--3c2b0d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
        "created": "2026-03-01T00:00:00Z",
        "modified": "2026-03-01T00:00:00Z",
        "pattern": to_pattern(IoC(type=IoCType.IPV4, value="198.51.100.77")),
        "pattern_type": "stix",
        "valid_from": "2026-03-01T00:00:00Z",
    }
    import_objects(
        soc.store,
        [indicator],
        actor=ADMIN,
        partner="nantou-county",
        now=now,
        retro_hunt=timedelta(days=30),
    )
    assert list_indicators(soc.store)[0].sweep_from == now - timedelta(days=30)
    soc.process(min_severity="critical")
    hits = [a for a in soc.store.alerts.list() if a.rule_id.startswith("ioc:")]
    assert len(hits) == 1 and hits[0].event.timestamp == now - timedelta(days=10)


def test_share_commands(tmp_path):
    from typer.testing import CliRunner

    from api.cli import app

    runner = CliRunner()
    store = f"sqlite:///{tmp_path / 'c.db'}"
    opened = runner.invoke(
        app,
        [
            "incidents",
            "open",
            "--agency",
            "police",
            "--title",
            "phish",
            "--aware-at",
            "2026-03-02T09:00:00+08:00",
            "--store",
            store,
        ],
    )
    assert opened.exit_code == 0, opened.output
    incident_id = re.search(r"INC-\d{8}-[0-9A-F]+", opened.output).group(0)
    published = runner.invoke(
        app,
        [
            "share",
            "publish",
            incident_id,
            "--ioc",
            "evil.example",
            "--ioc",
            "10.20.1.5",
            "--summary",
            "call 0912-345-678",
            "--tlp",
            "amber",
            "--out",
            str(tmp_path / "b.json"),
            "--yes",
            "--store",
            store,
        ],
    )
    assert published.exit_code == 0, published.output
    assert "withheld" in published.output and "1 phone number" in published.output
    bundle = (tmp_path / "b.json").read_text(encoding="utf-8")
    assert "evil.example" in bundle and "10.20.1.5" not in bundle
    red = runner.invoke(
        app,
        ["share", "publish", incident_id, "--ioc", "a.example", "--tlp", "red", "--store", store],
    )
    assert isinstance(red.exception, ForbiddenError) and "TLP:RED" in str(red.exception)
    token = runner.invoke(app, ["share", "token", "miaoli-county", "--store", store])
    assert token.exit_code == 0 and "csoc_" in token.stdout
    partners = runner.invoke(app, ["share", "partners", "--store", store], env={"COLUMNS": "200"})
    assert "miaoli-county" in partners.output and "苗栗縣政府" in partners.output
    nothing = runner.invoke(app, ["share", "pull", "--store", store])
    assert "no partner has a pull" in nothing.output


def test_the_incidents_own_iocs_can_be_shared_with_the_chosen_ones(soc):
    incident = police_incident(soc)
    service.add_iocs(
        store=soc.store,
        actor=ADMIN,
        incident_id=incident.id,
        iocs=[IoC(type=IoCType.DOMAIN, value="recorded.example")],
        clock=soc.clock,
    )
    result = publish_now(
        store=soc.store,
        actor=ADMIN,
        registry=soc.registry,
        partners=soc.partners,
        incident_id=incident.id,
        iocs=[classify("chosen.example")],
        include_incident_iocs=True,
        summary="",
        tlp=Tlp.GREEN,
        clock=soc.clock,
    )
    assert [i.value for i in result.shared] == ["chosen.example", "recorded.example"]

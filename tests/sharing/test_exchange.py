"""Two cities exchange intelligence both ways over real TAXII 2.1 endpoints, with the
OASIS taxii2-client as the client, and each finds the other's indicator in its own events."""

from datetime import timedelta

import pytest
from taxii2client.v21 import Collection, Server

from incidents.models import IoC, IoCType
from incidents.sharing.pull import pull_partner
from incidents.sharing.tlp import Tlp
from incidents.sharing.watchlist import list_indicators
from tests.factories import open_incident
from tests.sharing.cities import ADMIN, event, publish_now, two_cities

pytestmark = pytest.mark.taxii


def share(city, iocs, *, tlp=Tlp.GREEN, summary="Phishing wave; C2 seen from one PC."):
    incident = open_incident(city.soc.store, city.soc.clock, title="phishing")
    return publish_now(
        store=city.soc.store,
        actor=ADMIN,
        registry=city.soc.registry,
        partners=city.soc.partners,
        incident_id=incident.id,
        iocs=iocs,
        summary=summary,
        tlp=tlp,
        clock=city.soc.clock,
    )


def ioc_alerts(city):
    return [a for a in city.soc.store.alerts.list(limit=1000) if a.rule_id.startswith("ioc:")]


def test_indicators_travel_both_ways_and_hit_each_citys_own_events(tmp_path, clock, monkeypatch):
    with two_cities(tmp_path, clock) as (a, b):
        monkeypatch.setenv("CITYSOC_TEST_TOKEN_FROM_CHANGHUA", b.token_for("taichung-city"))
        monkeypatch.setenv("CITYSOC_TEST_TOKEN_FROM_TAICHUNG", a.token_for("changhua-county"))

        # Changhua saw traffic to the address a week ago, before anyone knew it was bad.
        b.ingest_json(
            event(clock.now() - timedelta(days=7), **{"destination.ip": "203.0.113.50"}),
            event(clock.now() - timedelta(days=7), **{"destination.ip": "203.0.113.51"}),
        )
        published = share(
            a,
            [
                IoC(type=IoCType.IPV4, value="203.0.113.50"),
                IoC(type=IoCType.DOMAIN, value="login-update.example"),
                IoC(type=IoCType.IPV4, value="10.20.1.5"),  # a city address: withheld
            ],
        )
        assert [w.ioc.value for w in published.withheld] == ["10.20.1.5"]

        # B pulls A's collection through discovery, as any TAXII client would.
        server = Server(
            f"{a.base}/taxii2/", user="changhua-county", password=a.token_for("changhua-county")
        )
        [root] = server.api_roots
        readable = {c.alias: c.can_read for c in root.collections}
        assert readable == {"city-indicators": True, "partner-inbox": False}

        report = pull_partner(
            store=b.soc.store,
            partners=b.soc.partners,
            partner_id="taichung-city",
            actor=ADMIN,
            clock=b.soc.clock,
        )
        assert (report.new, report.rejected) == (2, [])
        b.soc.process(min_severity="critical")
        [hit] = ioc_alerts(b)
        assert "citysoc.partner.taichung-city" in hit.tags
        assert any(t.startswith("citysoc.indicator.indicator--") for t in hit.tags)

        # A second pull asks only for what was added since: nothing new.
        again = pull_partner(
            store=b.soc.store,
            partners=b.soc.partners,
            partner_id="taichung-city",
            actor=ADMIN,
            clock=b.soc.clock,
        )
        assert again.received == 0 and again.since == report.until

        # The other way: Changhua pushes its indicator into Taichung's inbox.
        a.ingest_json(event(clock.now() - timedelta(hours=2), **{"url.domain": "cdn-fix.example"}))
        b_bundle = share(b, [IoC(type=IoCType.DOMAIN, value="cdn-fix.example")]).bundle
        inbox = Collection(
            a.collection_url("partner-inbox"),
            user="changhua-county",
            password=a.token_for("changhua-county"),
        )
        status = inbox.add_objects({"objects": b_bundle["objects"]})
        assert status.status == "complete" and status.success_count == len(b_bundle["objects"])
        [watched] = list_indicators(a.soc.store, partner="changhua-county")
        assert watched.tlp is Tlp.GREEN and watched.iocs[0].value == "cdn-fix.example"
        a.soc.process(min_severity="critical")
        [hit_a] = ioc_alerts(a)
        assert "citysoc.partner.changhua-county" in hit_a.tags


def test_pages_of_a_collection_come_through_the_client(tmp_path, clock, monkeypatch):
    from taxii2client.v21 import as_pages

    with two_cities(tmp_path, clock) as (a, _b):
        share(a, [IoC(type=IoCType.IPV4, value=f"198.51.100.{n}") for n in range(1, 8)])
        collection = Collection(
            a.collection_url("city-indicators"),
            user="changhua-county",
            password=a.token_for("changhua-county"),
        )
        pages = list(as_pages(collection.get_objects, per_request=5))
        ids = [o["id"] for p in pages for o in p.get("objects", [])]
        assert len(pages) > 1 and len(ids) == len(set(ids))
        assert sum(i.startswith("indicator--") for i in ids) == 7
        manifest = collection.get_manifest()
        assert {m["id"] for m in manifest["objects"]} <= set(ids)


def test_expired_indicators_stop_matching(tmp_path, clock, monkeypatch):
    with two_cities(tmp_path, clock) as (a, b):
        monkeypatch.setenv("CITYSOC_TEST_TOKEN_FROM_TAICHUNG", a.token_for("changhua-county"))
        share(a, [IoC(type=IoCType.IPV4, value="203.0.113.60")])
        pull_partner(
            store=b.soc.store,
            partners=b.soc.partners,
            partner_id="taichung-city",
            actor=ADMIN,
            clock=b.soc.clock,
        )
        [watched] = list_indicators(b.soc.store)
        assert watched.valid_until is not None
        clock.advance(watched.valid_until - clock.now() + timedelta(minutes=1))
        b.ingest_json(event(clock.now(), **{"source.ip": "203.0.113.60"}))
        b.soc.process(min_severity="critical")
        assert ioc_alerts(b) == []

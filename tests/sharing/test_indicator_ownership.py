"""An indicator belongs to the partner that sent it: another partner's object with the same
STIX id cannot change, revoke or replace it (TAXII inbox, pulls, and the stores underneath),
on both engines."""

import json
from datetime import timedelta

import pytest

from incidents.sharing.watchlist import import_objects, list_indicators
from tests.sharing.cities import ADMIN
from tests.sharing.cities import partner_indicator as indicator

pytestmark = pytest.mark.taxii


@pytest.fixture
def engine(both_engines):
    return both_engines


def test_another_partner_cannot_revoke_or_replace_an_indicator_over_taxii(soc, push):
    theirs = indicator()
    assert push("miaoli-county", theirs).status_code == 202
    forged = indicator(
        theirs["id"], modified="2026-03-02T00:00:00.000Z", address="198.51.100.1", revoked=True
    )
    own = indicator(address="198.51.100.2")
    response = push("changhua-county", forged, own)
    assert response.status_code == 202, response.text
    status = response.json()
    assert (status["success_count"], status["failure_count"]) == (1, 1)
    [failure] = status["failures"]
    assert failure["id"] == theirs["id"] and "belongs to another partner" in failure["message"]
    assert [s["id"] for s in status["successes"]] == [own["id"]]

    watched = {w.id: w for w in list_indicators(soc.store)}
    kept = watched[theirs["id"]]
    assert kept.partner == "miaoli-county" and not kept.revoked
    assert kept.iocs[0].value == "203.0.113.9"
    assert watched[own["id"]].partner == "changhua-county"
    inbox = soc.partners.collection("partner-inbox").id
    stored = soc.store.sharing.objects(inbox, ids=[theirs["id"]], versions=("all",))
    assert [json.loads(o.document).get("revoked", False) for o in stored] == [False]

    # The owner may still revoke its own indicator.
    revoked = indicator(theirs["id"], modified="2026-03-03T00:00:00.000Z", revoked=True)
    again = push("miaoli-county", revoked).json()
    assert again["success_count"] == 1 and again["failure_count"] == 0
    [after] = [w for w in list_indicators(soc.store) if w.id == theirs["id"]]
    assert after.revoked and after.partner == "miaoli-county"


def test_a_pulled_or_imported_object_with_another_partners_id_is_refused(soc):
    now = soc.clock.now()
    theirs = indicator()
    args = {"actor": ADMIN, "now": now, "retro_hunt": timedelta(days=30)}
    first = import_objects(soc.store, [theirs], partner="nantou-county", **args)
    assert first.new == 1
    replaced = indicator(theirs["id"], modified="2026-03-02T00:00:00.000Z", address="192.0.2.1")
    report = import_objects(soc.store, [replaced], partner="yunlin-county", **args)
    assert (report.new, report.updated) == (0, 0)
    assert [i for i, _ in report.refused] == [theirs["id"]]
    [kept] = list_indicators(soc.store)
    assert kept.partner == "nantou-county" and kept.iocs[0].value == "203.0.113.9"


def test_the_store_refuses_to_hand_an_indicator_to_another_partner(store):
    doc = json.dumps({"v": 1})
    assert store.sharing.put_indicators([("indicator--a", "miaoli-county", doc)]) == []
    refused = store.sharing.put_indicators(
        [
            ("indicator--a", "changhua-county", json.dumps({"v": "forged"})),
            ("indicator--b", "changhua-county", json.dumps({"v": 2})),
        ]
    )
    assert refused == ["indicator--a"]
    assert store.sharing.indicators(partner="changhua-county") == [json.dumps({"v": 2})]
    assert store.sharing.indicators(partner="miaoli-county") == [doc]
    # the owner's own update goes through
    newer = json.dumps({"v": 3})
    assert store.sharing.put_indicators([("indicator--a", "miaoli-county", newer)]) == []
    assert store.sharing.indicators(partner="miaoli-county") == [newer]

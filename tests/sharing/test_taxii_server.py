"""The TAXII server's refusals: bad bundles, missing grants, TLP:RED, partners outside TAXII."""

import json
import uuid

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from incidents.sharing.partners import issue_partner_token
from incidents.sharing.tlp import Tlp, marking_definition, marking_id
from tests.sharing.cities import A_COLLECTIONS, ADMIN, registry_file

pytestmark = pytest.mark.taxii
TAXII = "application/taxii+json;version=2.1"
ROOT = "/taxii2/joint-defence"


@pytest.fixture
def city(tmp_path, settings, clock):
    from api.context import CitySoc

    partners = registry_file(
        tmp_path / "partners.yaml",
        identity="identity--5b0d6a57-1f0e-4c3e-9b55-2a8f4c1d7e10",
        name="臺中市政府 SOC",
        partner_id="changhua-county",
        partner_name="彰化縣政府",
        pull_url="http://127.0.0.1:9/taxii2/joint-defence/collections/x/",
        token_env="CITYSOC_TEST_UNUSED",
        collection_ids=A_COLLECTIONS,
    )
    with CitySoc(Settings(store=settings.store, partners_file=partners), clock=clock) as soc:
        client = TestClient(create_app(soc, api_token="operator-token"))

        def auth(partner: str) -> dict[str, str]:
            token, _ = issue_partner_token(
                store=soc.store,
                actor=ADMIN,
                registry=soc.registry,
                partners=soc.partners,
                partner_id=partner,
                clock=soc.clock,
            )
            return {"Authorization": f"Bearer {token}", "Accept": TAXII}

        yield soc, client, auth


def indicator(pattern="[ipv4-addr:value = '203.0.113.9']", tlp: Tlp | None = Tlp.GREEN, **extra):
    obj = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": "2026-03-01T00:00:00.000Z",
        "modified": "2026-03-01T00:00:00.000Z",
        "name": "test",
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": "2026-03-01T00:00:00Z",
    }
    if tlp:
        obj["object_marking_refs"] = [marking_id(tlp)]
    return obj | extra


def post(client, collection, body, headers, content_type=TAXII):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        f"{ROOT}/collections/{collection}/objects/",
        content=data,
        headers=headers | {"Content-Type": content_type},
    )


def stored(soc, collection) -> int:
    return len(soc.store.sharing.objects(collection, versions=("all",), limit=10_000))


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b'{"objects": [', 400, "not valid JSON"),
        ({"objects": [indicator(), indicator(spec_version="2.0")]}, 422, "STIX 2.1 only"),
        (
            {"objects": [indicator(), indicator(pattern="[ipv4-addr:value = '1.2.3.4'")]},
            422,
            "unparsable",
        ),
        (
            {
                "objects": [
                    indicator(),
                    {"type": "indicator", "spec_version": "2.1", "id": "indicator--x"},
                ]
            },
            422,
            "validation",
        ),
        ({"objects": []}, 422, "no objects"),
        ({"not": "an envelope"}, 400, "envelope"),
    ],
    ids=[
        "invalid-json",
        "wrong-spec-version",
        "unparsable-pattern",
        "invalid-object",
        "empty",
        "no-envelope",
    ],
)
def test_bad_envelopes_are_refused_whole_with_taxii_errors(city, body, status, says):
    soc, client, auth = city
    inbox = A_COLLECTIONS[1]
    response = post(client, inbox, body, auth("changhua-county"))
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/taxii+json")
    error = response.json()
    assert error["http_status"] == str(status) and says in error["description"]
    assert stored(soc, inbox) == 0 and soc.store.sharing.indicators() == []


def test_oversized_and_wrong_media_type(city):
    soc, client, auth = city
    soc.settings.taxii_max_content_length = 2048
    big = {"objects": [indicator(description="x" * 4096)]}
    response = post(client, A_COLLECTIONS[1], big, auth("changhua-county"))
    assert response.status_code == 413 and response.json()["http_status"] == "413"
    wrong = post(
        client,
        A_COLLECTIONS[1],
        {"objects": [indicator()]},
        auth("changhua-county"),
        "application/json",
    )
    assert wrong.status_code == 415
    refused = client.get(
        f"{ROOT}/collections/", headers=auth("changhua-county") | {"Accept": "text/html"}
    )
    assert refused.status_code == 406
    assert stored(soc, A_COLLECTIONS[1]) == 0


def test_a_partner_without_write_permission_gets_403(city):
    soc, client, auth = city
    response = post(client, A_COLLECTIONS[1], {"objects": [indicator()]}, auth("read-only-county"))
    assert response.status_code == 403 and response.json()["http_status"] == "403"
    # and may not write our outgoing collection either, though it may read it
    assert (
        post(
            client, A_COLLECTIONS[0], {"objects": [indicator()]}, auth("changhua-county")
        ).status_code
        == 403
    )
    listed = client.get(f"{ROOT}/collections/", headers=auth("read-only-county")).json()
    assert [c["alias"] for c in listed["collections"]] == ["city-indicators"]
    assert stored(soc, A_COLLECTIONS[1]) == 0


def test_tlp_red_is_never_served_and_partners_get_no_more_than_their_ceiling(city):
    soc, client, auth = city
    admin = {"Authorization": "Bearer operator-token", "Accept": TAXII}
    red, amber, green = indicator(tlp=Tlp.RED), indicator(tlp=Tlp.AMBER), indicator(tlp=Tlp.GREEN)
    body = {"objects": [marking_definition(Tlp.RED), red, amber, green]}
    assert post(client, A_COLLECTIONS[0], body, admin).status_code == 202
    outgoing = f"{ROOT}/collections/{A_COLLECTIONS[0]}/objects/"
    for who, expected in (
        ("changhua-county", {amber["id"], green["id"]}),  # amber arrangement
        ("read-only-county", {green["id"]}),  # green arrangement
    ):
        served = client.get(outgoing, headers=auth(who)).json().get("objects", [])
        assert {o["id"] for o in served} == expected
        direct = client.get(f"{outgoing}{red['id']}/", headers=auth(who))
        assert direct.status_code == 404
    staff = client.get(outgoing, headers=admin).json()["objects"]
    assert red["id"] not in {o["id"] for o in staff}


def test_partner_credentials_open_nothing_but_taxii(city):
    _soc, client, auth = city
    headers = auth("changhua-county")
    for path in ("/api/v1/incidents", "/api/v1/alerts", "/api/v1/me", "/metrics"):
        assert client.get(path, headers=headers).status_code == 403, path
    assert client.get("/taxii2/", headers=headers).status_code == 200
    assert client.get(f"{ROOT}/collections/", headers={"Accept": TAXII}).status_code == 401


def test_basic_auth_with_the_partner_id_and_status_is_private(city):
    import base64

    _soc, client, auth = city
    token = auth("changhua-county")["Authorization"].removeprefix("Bearer ")
    basic = {
        "Authorization": "Basic " + base64.b64encode(f"changhua-county:{token}".encode()).decode(),
        "Accept": TAXII,
    }
    accepted = post(client, A_COLLECTIONS[1], {"objects": [indicator()]}, basic)
    assert accepted.status_code == 202
    status_id = accepted.json()["id"]
    assert client.get(f"{ROOT}/status/{status_id}/", headers=basic).json()["status"] == "complete"
    assert (
        client.get(f"{ROOT}/status/{status_id}/", headers=auth("read-only-county")).status_code
        == 404
    )
    wrong_user = {
        "Authorization": "Basic " + base64.b64encode(f"nantou-county:{token}".encode()).decode()
    }
    assert client.get("/taxii2/", headers=wrong_user).status_code == 401


def test_objects_filters_and_versions(city):
    _soc, client, auth = city
    admin = {"Authorization": "Bearer operator-token", "Accept": TAXII}
    first = indicator()
    second = first | {"modified": "2026-03-02T00:00:00.000Z", "name": "second"}
    other = indicator()
    for body in ({"objects": [first, other]}, {"objects": [second]}):
        assert post(client, A_COLLECTIONS[0], body, admin).status_code == 202
    base = f"{ROOT}/collections/{A_COLLECTIONS[0]}/objects/"
    latest = client.get(base, params={"match[id]": first["id"]}, headers=admin).json()["objects"]
    assert [o["name"] for o in latest] == ["second"]
    every = client.get(
        base, params={"match[id]": first["id"], "match[version]": "all"}, headers=admin
    )
    assert len(every.json()["objects"]) == 2
    versions = client.get(f"{base}{first['id']}/versions/", headers=admin).json()["versions"]
    assert len(versions) == 2
    page = client.get(base, headers=admin)
    after = client.get(
        base, params={"added_after": page.headers["X-TAXII-Date-Added-First"]}, headers=admin
    )
    assert [o["name"] for o in after.json()["objects"]] == ["second"]
    bad = client.get(base, params={"added_after": "yesterday"}, headers=admin)
    assert bad.status_code == 400 and "'yesterday' is not a timestamp" in bad.json()["description"]


def test_the_highest_tlp_anywhere_in_an_object_is_its_tlp(city):
    """TLP:RED given only through granular markings, a partner's own marking definition or
    one embedded in the object is never served; an AMBER part keeps the object from a GREEN
    partner."""
    soc, client, auth = city
    admin = {"Authorization": "Bearer operator-token", "Accept": TAXII}
    red_id, amber_id = marking_id(Tlp.RED), marking_id(Tlp.AMBER)
    custom = marking_definition(Tlp.RED) | {
        "id": "marking-definition--3d6f5e2a-1b0c-4f7e-9a8b-2c1d0e9f8a7b",
        "name": "Taichung: named recipients only",
    }
    granular_red = indicator(
        granular_markings=[{"marking_ref": red_id, "selectors": ["description"]}],
        description="the host we found it on",
    )
    custom_red = indicator(tlp=None, object_marking_refs=[custom["id"]])
    embedded_red = indicator(
        tlp=None, x_citysoc_marking={"definition_type": "tlp", "definition": {"tlp": "red"}}
    )
    granular_amber = indicator(granular_markings=[{"marking_ref": amber_id, "selectors": ["name"]}])
    plain_green = indicator()
    body = {
        "objects": [
            marking_definition(Tlp.RED),
            marking_definition(Tlp.AMBER),
            custom,
            granular_red,
            custom_red,
            embedded_red,
            granular_amber,
            plain_green,
        ]
    }
    accepted = post(client, A_COLLECTIONS[0], body, admin)
    assert accepted.status_code == 202, accepted.text
    outgoing = f"{ROOT}/collections/{A_COLLECTIONS[0]}/objects/"
    never = {granular_red["id"], custom_red["id"], embedded_red["id"], custom["id"]}
    for who, expected in (
        ("changhua-county", {granular_amber["id"], plain_green["id"]}),  # amber arrangement
        ("read-only-county", {plain_green["id"]}),  # green arrangement
    ):
        served = client.get(outgoing, headers=auth(who)).json().get("objects", [])
        assert {o["id"] for o in served if o["type"] == "indicator"} == expected, who
        assert not never & {o["id"] for o in served}
        for hidden in never:
            assert client.get(f"{outgoing}{hidden}/", headers=auth(who)).status_code == 404
    staff = {o["id"] for o in client.get(outgoing, headers=admin).json()["objects"]}
    assert not never & staff


def test_rows_stored_with_a_lower_tlp_than_their_document_are_not_served(city):
    """Objects stored before markings anywhere counted carry the object-level TLP only."""
    from core.storage.base import SharedObject

    soc, client, auth = city
    hidden = indicator(
        granular_markings=[{"marking_ref": marking_id(Tlp.RED), "selectors": ["name"]}]
    )
    soc.store.sharing.add_objects(
        [
            SharedObject(
                collection_id=A_COLLECTIONS[0],
                id=hidden["id"],
                type="indicator",
                version="2026-03-01T00:00:00.000000Z",
                date_added="2026-03-01T00:00:00.000000Z",
                tlp="green",
                document=json.dumps(hidden),
            )
        ]
    )
    served = client.get(
        f"{ROOT}/collections/{A_COLLECTIONS[0]}/objects/", headers=auth("changhua-county")
    ).json()
    assert served.get("objects", []) == []


@pytest.mark.parametrize("levels", [100_000, 900, 65])
def test_deeply_nested_envelopes_get_a_taxii_400(city, levels):
    soc, client, auth = city
    deep = b"[" * levels + b"]" * levels
    body = (
        b'{"objects": [' + json.dumps(indicator()).encode()[:-1] + b', "x_deep": ' + deep + b"}]}"
    )
    response = post(client, A_COLLECTIONS[1], body, auth("changhua-county"))
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["http_status"] == "400" and "deeper than 64 levels" in error["description"]
    assert stored(soc, A_COLLECTIONS[1]) == 0


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "1969-12-31T23:59:59Z",
    ],
)
@pytest.mark.parametrize("parameter", ["added_after", "match[version]"])
def test_extreme_query_dates_get_a_taxii_400_with_the_range(city, parameter, value):
    _soc, client, auth = city
    response = client.get(
        f"{ROOT}/collections/{A_COLLECTIONS[0]}/objects/",
        params={parameter: value},
        headers=auth("changhua-county"),
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/taxii+json")
    description = response.json()["description"]
    assert value in description and "1970-01-01" in description, description


def test_an_envelope_over_the_object_limit_is_refused_before_validation(city):
    soc, client, auth = city
    soc.settings.taxii_max_objects = 3
    body = {"objects": [indicator() for _ in range(4)]}
    response = post(client, A_COLLECTIONS[1], body, auth("changhua-county"))
    assert response.status_code == 413, response.text
    assert "has 4 objects" in response.json()["description"]
    assert "at most 3 per request" in response.json()["description"]
    assert stored(soc, A_COLLECTIONS[1]) == 0
    assert (
        post(
            client, A_COLLECTIONS[1], {"objects": body["objects"][:3]}, auth("changhua-county")
        ).status_code
        == 202
    )

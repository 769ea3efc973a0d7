"""HTTP ingest (issue 18 item 4) through a real uvicorn on loopback and a real HTTP client
(httpx): counts, the token's agency over the payload's, dead letters, the limits (413, 429
with Retry-After) and which credentials may ingest."""

import json
from collections.abc import Callable, Iterator

import httpx2 as httpx
import pytest

from api.app import create_app
from api.server import uvicorn_config
from core.access import Actor, Role
from core.events import DeadLetterQuery
from core.ingest_tokens import issue_ingest_token, list_ingest_tokens, revoke_ingest_token
from core.settings import Settings
from tests.conftest import _free_port
from tests.data.events import winlogbeat
from tests.factories import make_user, token_for
from tests.live_server import running

ADMIN = Actor("root-admin", Role.ADMIN)
OPERATOR = "operator-token-ingest"
NDJSON = {"Content-Type": "application/x-ndjson"}


def ndjson(*records: object) -> bytes:
    return b"".join(
        (r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in records
    )


Serve = Callable[..., tuple[httpx.Client, str]]


@pytest.fixture
def serve(soc) -> Iterator[Serve]:
    """Start CitySOC on loopback with the given settings; (client, Xitun's ingest token)."""
    started = []

    def start(**overrides: object) -> tuple[httpx.Client, str]:
        soc.settings = Settings(store=soc.settings.store, api_port=_free_port(), **overrides)
        app = create_app(soc, api_token=OPERATOR)
        config = uvicorn_config(app, soc.settings)
        config.log_level = "warning"
        server = running(config)
        url = server.__enter__()
        client = httpx.Client(base_url=url, timeout=30, trust_env=False)
        started.append((server, client))
        token, _ = issue_ingest_token(
            store=soc.store,
            actor=ADMIN,
            registry=soc.registry,
            agency="district-xitun",
            name="fluent-bit@xitun",
            clock=soc.clock,
        )
        client.app = app  # type: ignore[attr-defined]  # the live app, for its throttle
        return client, token

    yield start
    for server, client in started:
        client.close()
        server.__exit__(None, None, None)


def post(client: httpx.Client, token: str, body: bytes, **headers: str) -> httpx.Response:
    return client.post(
        "/api/v1/ingest",
        content=body,
        headers={**NDJSON, "Authorization": f"Bearer {token}", **headers},
    )


@pytest.mark.parametrize(
    "engine", ["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)]
)
def test_records_are_stored_as_the_tokens_agency_and_bad_lines_dead_lettered(soc, serve):
    client, token = serve()
    claims_police = {
        "message": "login",
        "organization": {"id": "police", "name": "警察局"},
        "source": {"ip": "10.30.1.9"},  # another agency's network, and a host of yet another
        "host": {"name": "POLICE-PC-1"},
    }
    body = ndjson(
        claims_police,
        b"{not json",
        winlogbeat("Security", 4625, {"TargetUserName": "amy"}),
        b"",
        b"[1, 2]",
    )
    response = post(client, token, body)
    assert response.status_code == 202, response.text
    assert response.json() == {
        "agency": "district-xitun",
        "received": 4,
        "stored": 2,
        "duplicates": 0,
        "dead_lettered": 2,
    }
    events = soc.store.events.list(limit=10)
    assert [e.organization_id for e in events] == ["district-xitun"] * 2
    for event in events:
        ecs = event.to_ecs()
        assert ecs["organization.id"] == "district-xitun"
        assert ecs["organization.name"] == "西屯區公所"
    letters = soc.store.dead_letters.list(query=DeadLetterQuery(source="http:"))
    assert [(d.position, d.raw) for d in letters] == [
        ("line 2", b"{not json"),
        ("line 5", b"[1, 2]"),
    ]
    assert "not valid JSON" in letters[0].reason
    assert "must hold an object" in letters[1].reason


def test_a_batch_sent_again_is_counted_as_duplicates(soc, serve):
    client, token = serve()
    body = ndjson({"message": "a", "n": 1}, {"message": "b", "n": 2})
    assert post(client, token, body).json()["stored"] == 2
    again = post(client, token, body, **{"Content-Type": "application/json"})
    assert again.status_code == 202
    assert (again.json()["stored"], again.json()["duplicates"]) == (0, 2)
    assert soc.store.events.count() == 2


def test_too_many_records_and_too_many_bytes_answer_413(soc, serve):
    client, token = serve(ingest_max_records=3, ingest_max_body_bytes=2048)
    too_many = post(client, token, ndjson(*({"n": n} for n in range(4))))
    assert too_many.status_code == 413
    assert "at most 3 per request" in too_many.json()["error"]["message"]
    too_big = post(client, token, ndjson({"message": "x" * 3000}))
    assert too_big.status_code == 413
    assert "at most 2,048 bytes" in too_big.json()["error"]["message"]
    assert soc.store.events.count() == 0


def test_a_token_past_its_rate_answers_429_with_retry_after(soc, serve):
    client, token = serve(ingest_max_records=5, ingest_records_per_second=0.5)
    assert post(client, token, ndjson(*({"n": n} for n in range(5)))).status_code == 202
    refused = post(client, token, ndjson(*({"n": n} for n in range(5, 10))))
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 10
    assert "0.5 records per second" in refused.json()["error"]["message"]
    assert soc.store.events.count() == 5  # the refused batch stored nothing
    # Another agency's shipper has its own bucket.
    other, _ = issue_ingest_token(
        store=soc.store,
        actor=ADMIN,
        registry=soc.registry,
        agency="police",
        name="vector@police",
        clock=soc.clock,
    )
    assert post(client, other, ndjson({"n": 99})).status_code == 202


def test_a_busy_ingest_answers_429_rather_than_queueing(soc, serve):
    client, token = serve(ingest_concurrency=1)
    with client.app.state.ingest_throttle.slot():  # type: ignore[attr-defined]
        busy = post(client, token, ndjson({"n": 1}))
    assert busy.status_code == 429
    assert busy.headers["Retry-After"] == "1"
    assert post(client, token, ndjson({"n": 1})).status_code == 202


def test_only_a_live_ingest_token_ingests(soc, serve):
    client, token = serve()
    body = ndjson({"n": 1})
    person = token_for(soc, make_user(soc, "amy", Role.ANALYST))
    refused = post(client, person, body)
    assert refused.status_code == 403
    assert "ingest token" in refused.json()["error"]["message"]
    assert post(client, OPERATOR, body).status_code == 403
    assert post(client, "csin_made-up", body).status_code == 401
    assert client.post("/api/v1/ingest", content=body, headers=NDJSON).status_code == 401
    # ...and the ingest token opens nothing else.
    elsewhere = client.get("/api/v1/alerts", headers={"Authorization": f"Bearer {token}"})
    assert elsewhere.status_code == 403
    assert "only sends events" in elsewhere.json()["error"]["message"]
    [issued] = list_ingest_tokens(store=soc.store, actor=ADMIN)
    revoke_ingest_token(store=soc.store, actor=ADMIN, token_id=issued.id, clock=soc.clock)
    revoked = post(client, token, body)
    assert revoked.status_code == 401
    assert "revoked" in revoked.json()["error"]["message"]
    assert soc.store.events.count() == 0


def test_not_ndjson_is_refused_with_415(serve):
    client, token = serve()
    refused = post(client, token, b"a,b\n", **{"Content-Type": "text/csv"})
    assert refused.status_code == 415
    assert "application/x-ndjson" in refused.json()["error"]["message"]


def test_issuing_and_revoking_are_audited_and_for_administrators_only(soc):
    plain, token = issue_ingest_token(
        store=soc.store,
        actor=ADMIN,
        registry=soc.registry,
        agency="police",
        name="logstash",
        clock=soc.clock,
    )
    assert plain.startswith("csin_") and plain not in token.stored.model_dump_json()
    revoke_ingest_token(store=soc.store, actor=ADMIN, token_id=token.id, clock=soc.clock)
    actions = [r.action for r in soc.store.audit.rows(subject=token.id)]
    assert actions == ["ingest_token.issue", "ingest_token.revoke"]
    from core.errors import ForbiddenError, InputError, NotFoundError

    with pytest.raises(ForbiddenError):
        list_ingest_tokens(store=soc.store, actor=Actor("lee", Role.LEAD))
    with pytest.raises(NotFoundError):
        issue_ingest_token(
            store=soc.store,
            actor=ADMIN,
            registry=soc.registry,
            agency="atlantis",
            name="x",
            clock=soc.clock,
        )
    with pytest.raises(InputError) as bad:
        issue_ingest_token(
            store=soc.store,
            actor=ADMIN,
            registry=soc.registry,
            agency="police",
            name=" ",
            clock=soc.clock,
        )
    assert bad.value.location == "name"

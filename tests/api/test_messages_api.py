"""GET /api/v1/messages (the outbox, paged), retrying a message, and profiles: one's own
(GET/PATCH /api/v1/profile) and an administrator's edits (PATCH /api/v1/users/{name});
bad input is a 422 naming the field, never a 500."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.access import Role
from core.messages import MessageKind
from incidents.messages.run import run_messages
from tests.factories import make_user, open_incident, token_for

TOKEN = "test-token-0123456789"  # noqa: S105


@pytest.fixture
def client(soc):
    with TestClient(create_app(soc, api_token=TOKEN)) as c:
        yield c


def _as(soc, name, role, agency=None):
    user = make_user(soc, name, role, agency=agency)
    return {"Authorization": f"Bearer {token_for(soc, user)}"}


def test_a_person_sets_their_profile_and_bad_values_name_the_field(client, soc):
    amy = _as(soc, "amy", Role.ANALYST)
    change = {
        "display_name": " 王小美 ",
        "email": "amy@taichung.gov.tw",
        "phone": "(04) 2228-9111#123",
        "language": "en",
        "message_kinds": ["clock_80", "clock_50", "clock_80"],
    }
    done = client.patch("/api/v1/profile", json=change, headers=amy)
    assert done.status_code == 200, done.text
    assert done.json() == {
        "username": "amy",
        "display_name": "王小美",
        "role": "analyst",
        "agency": None,
        "email": "amy@taichung.gov.tw",
        "phone": "(04) 2228-9111#123",
        "language": "en",
        "message_kinds": ["clock_50", "clock_80"],
    }
    assert "password_hash" not in client.get("/api/v1/profile", headers=amy).text
    for field, value in (
        ("email", "amy@"),
        ("email", "a b@city.example"),
        ("phone", "12"),
        ("phone", "call me"),
        ("display_name", "  "),
        ("display_name", "x" * 101),
        ("message_kinds", ["all"]),
        ("language", "fr"),
    ):
        refused = client.patch("/api/v1/profile", json={field: value}, headers=amy)
        assert refused.status_code == 422, (field, value, refused.text)
        assert field in refused.text
    assert client.get("/api/v1/profile", headers=amy).json()["email"] == "amy@taichung.gov.tw"
    cleared = client.patch("/api/v1/profile", json={"email": ""}, headers=amy)
    assert cleared.json()["email"] == ""
    assert [r.action for r in soc.store.audit.rows(subject="amy")].count("user.update") == 2


def test_only_administrators_change_anothers_profile(client, soc):
    amy = _as(soc, "amy", Role.ANALYST)
    _as(soc, "bob", Role.ANALYST)
    refused = client.patch("/api/v1/users/bob", json={"phone": "0912345678"}, headers=amy)
    assert refused.status_code == 403
    admin = {"Authorization": f"Bearer {TOKEN}"}
    done = client.patch("/api/v1/users/bob", json={"phone": "0912345678"}, headers=admin)
    assert done.status_code == 200 and done.json()["phone"] == "0912345678"
    assert client.patch("/api/v1/users/nobody", json={}, headers=admin).status_code == 404


def test_the_outbox_is_paged_newest_first_and_a_failed_send_can_be_retried(client, soc):
    lee = _as(soc, "lee", Role.LEAD)
    client.patch(
        "/api/v1/profile",
        json={"email": "lee@city.example", "message_kinds": [k.value for k in MessageKind]},
        headers=lee,
    )
    for n in range(3):
        open_incident(soc.store, soc.clock, title=f"case {n}")
    soc.clock.advance(timedelta(minutes=35))
    run_messages(soc.store, registry=soc.registry, settings=soc.settings, clock=soc.clock)
    page = client.get("/api/v1/messages?limit=2", headers=lee).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    item = page["items"][0]
    # no SMTP server is configured: the attempt is recorded, the message waits to retry
    assert (item["status"], item["attempts"]) == ("pending", 1)
    assert item["last_error"] == "the email channel is not configured"
    rest = client.get("/api/v1/messages?limit=2&offset=2", headers=lee).json()["items"]
    assert len(rest) == 1 and rest[0]["id"] not in {i["id"] for i in page["items"]}
    assert client.get("/api/v1/messages?status=sent", headers=lee).json()["total"] == 0
    assert client.get("/api/v1/messages?status=lost", headers=lee).status_code == 422
    again = client.post(f"/api/v1/messages/{item['id']}/retry", headers=lee)
    assert again.status_code == 200 and again.json()["attempts"] == 0
    reporter = _as(soc, "xitun", Role.REPORTER, agency="district-xitun")
    assert client.get("/api/v1/messages", headers=reporter).status_code == 403


def test_a_reporter_learns_nothing_of_messages_or_accounts_that_exist(client, soc):
    """Refused on the right before any lookup: the same answer for a real id and a made-up one."""
    _as(soc, "amy", Role.ANALYST)
    soc.store.messages.add(
        "msg_real", status="failed", created_at=soc.clock.now(), next_attempt_at=None, document="{}"
    )
    reporter = _as(soc, "xitun", Role.REPORTER, agency="district-xitun")
    for real, made_up, method in (
        ("/api/v1/messages/msg_real/retry", "/api/v1/messages/msg_none/retry", "POST"),
        ("/api/v1/users/amy", "/api/v1/users/nobody", "GET"),
        ("/api/v1/users/amy", "/api/v1/users/nobody", "PATCH"),
    ):
        body = {"json": {}} if method == "PATCH" else {}
        one = client.request(method, real, headers=reporter, **body)
        other = client.request(method, made_up, headers=reporter, **body)
        assert one.status_code == 403
        assert (one.status_code, one.content) == (other.status_code, other.content)

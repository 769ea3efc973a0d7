"""GET /api/v1/events/search (total, page, histogram), /top, /export (streamed CSV and
JSON lines), /sigma, and saved searches (/api/v1/searches): agency isolation, clear 422s,
audit entries."""

import csv
import io
import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.access import Role
from core.events import Event
from tests.factories import make_user, token_for

TOKEN = "test-token-0123456789"  # noqa: S105


@pytest.fixture
def client(soc):
    now = soc.clock.now()
    events = [
        Event(
            event_id=f"ev{n:02d}",
            timestamp=now - timedelta(minutes=30 * n + 1),
            dataset="windows.security",
            organization_id="police" if n % 3 == 0 else "district-xitun",
            original=f"logon failure {n} =cmd" if n % 2 else f"logon ok {n}",
            fields={"host.name": f"WS-{n % 4}", "winlog.event_id": 4625 if n % 2 else 4624},
        )
        for n in range(12)
    ]
    soc.store.events.append(events)
    with TestClient(create_app(soc, api_token=TOKEN)) as c:
        yield c


def _as(soc, name, role, agency=None):
    user = make_user(soc, name, role, agency=agency)
    return {"Authorization": f"Bearer {token_for(soc, user)}"}


def test_search_gives_total_page_and_histogram_of_the_last_day(client, soc):
    amy = _as(soc, "amy", Role.ANALYST)
    found = client.get(
        "/api/v1/events/search", params={"q": "winlog.event_id:4625", "per_page": 4}, headers=amy
    )
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["total"] == 6 and body["pages"] == 2 and body["page"] == 1
    assert [e["event.id"] for e in body["events"]] == ["ev01", "ev03", "ev05", "ev07"]
    assert body["histogram"]["bucket_seconds"] == 1800
    assert len(body["histogram"]["buckets"]) == 48
    assert sum(b["count"] for b in body["histogram"]["buckets"]) == 6
    second = client.get(
        "/api/v1/events/search",
        params={"q": "winlog.event_id:4625", "per_page": 4, "page": 2},
        headers=amy,
    ).json()
    assert [e["event.id"] for e in second["events"]] == ["ev09", "ev11"]
    window = {"from": (soc.clock.now() - timedelta(hours=2)).isoformat()}
    assert client.get("/api/v1/events/search", params=window, headers=amy).json()["total"] == 4


def test_a_reporter_searches_their_own_agency_only(client, soc):
    xitun = _as(soc, "xitun", Role.REPORTER, agency="district-xitun")
    body = client.get("/api/v1/events/search", params={"q": "logon"}, headers=xitun).json()
    assert body["total"] == 8
    assert {e["organization.id"] for e in body["events"]} == {"district-xitun"}
    top = client.get(
        "/api/v1/events/search/top", params={"field": "organization.id"}, headers=xitun
    ).json()
    assert top["values"] == [{"value": "district-xitun", "count": 8}]
    exported = client.get("/api/v1/events/search/export", params={"format": "jsonl"}, headers=xitun)
    assert {json.loads(line)["organization.id"] for line in exported.text.splitlines()} == {
        "district-xitun"
    }


def test_top_values_count_among_the_matches(client, soc):
    amy = _as(soc, "amy", Role.ANALYST)
    top = client.get(
        "/api/v1/events/search/top",
        params={"field": "host.name", "q": "NOT winlog.event_id:4624"},
        headers=amy,
    )
    assert top.status_code == 200, top.text
    assert top.json() == {
        "field": "host.name",
        "total": 6,
        "values": [{"value": "ws-1", "count": 3}, {"value": "ws-3", "count": 3}],
    }
    bad = client.get("/api/v1/events/search/top", params={"field": "@timestamp"}, headers=amy)
    assert bad.status_code == 422 and "@timestamp" in bad.text


def test_exports_stream_every_match_without_a_cap(client, soc):
    amy = _as(soc, "amy", Role.ANALYST)
    got = client.get(
        "/api/v1/events/search/export", params={"q": "failure", "lang": "en"}, headers=amy
    )
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert 'filename="events.csv"' in got.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Time (Taipei)",
        "Event id",
        "Agency code",
        "Dataset",
        "Host",
        "Original record",
    ]
    assert [r[1] for r in rows[1:]] == [f"ev{n:02d}" for n in (1, 3, 5, 7, 9, 11)]
    assert rows[1][5] == "logon failure 1 =cmd" and rows[1][0].endswith("+08:00")
    lines = client.get(
        "/api/v1/events/search/export", params={"format": "jsonl"}, headers=amy
    ).text.splitlines()
    assert len(lines) == 12 and json.loads(lines[0])["event.id"] == "ev00"


def test_bad_queries_and_ranges_are_422s_naming_the_position(client, soc):
    amy = _as(soc, "amy", Role.ANALYST)
    bad = client.get("/api/v1/events/search", params={"q": "host.name:(a"}, headers=amy)
    assert bad.status_code == 422
    assert "character 11" in bad.text
    for path in ("/api/v1/events/search", "/api/v1/events/search/export"):
        reversed_range = {"from": "2026-03-02T10:00", "to": "2026-03-01T10:00"}
        got = client.get(path, params=reversed_range, headers=amy)
        assert got.status_code == 422, path
    deep = client.get("/api/v1/events/search", params={"page": 201}, headers=amy)
    assert deep.status_code == 422 and "10000" in deep.text


def test_sigma_draft_of_a_query_or_why_not(client, soc):
    amy = _as(soc, "amy", Role.ANALYST)
    got = client.get(
        "/api/v1/events/search/sigma",
        params={"q": "winlog.event_id:4625 host.name:ws-*"},
        headers=amy,
    )
    assert got.status_code == 200, got.text
    draft = got.json()["draft"]
    assert "EventID: '4625'" in draft and "Computer|startswith: ws-" in draft
    refused = client.get(
        "/api/v1/events/search/sigma", params={"q": "@timestamp:>2026-01-01 a:b"}, headers=amy
    )
    assert refused.status_code == 422 and "time" in refused.text


def test_saved_searches_personal_or_shared_and_audited(client, soc):
    amy = _as(soc, "amy", Role.ANALYST)
    bob = _as(soc, "bob", Role.ANALYST)
    mine = client.post(
        "/api/v1/searches",
        json={"name": "Brute force", "query": "winlog.event_id:4625"},
        headers=amy,
    )
    assert mine.status_code == 201, mine.text
    shared = client.post(
        "/api/v1/searches",
        json={
            "name": "All logons",
            "query": "winlog.event_id:*",
            "shared": True,
            "span_hours": 168,
        },
        headers=amy,
    ).json()
    assert [s["name"] for s in client.get("/api/v1/searches", headers=amy).json()["items"]] == [
        "All logons",
        "Brute force",
    ]
    assert [s["name"] for s in client.get("/api/v1/searches", headers=bob).json()["items"]] == [
        "All logons"
    ]
    private = mine.json()["id"]
    hidden = client.get(f"/api/v1/searches/{private}", headers=bob)
    made_up = client.get("/api/v1/searches/s-000000000000", headers=bob)
    assert (hidden.status_code, hidden.content) == (made_up.status_code, made_up.content)
    assert hidden.status_code == 404
    assert client.delete(f"/api/v1/searches/{private}", headers=bob).status_code == 404
    assert client.delete(f"/api/v1/searches/{shared['id']}", headers=bob).status_code == 403
    assert client.delete(f"/api/v1/searches/{private}", headers=amy).status_code == 204
    bad = client.post("/api/v1/searches", json={"name": "x", "query": "a:("}, headers=amy)
    assert bad.status_code == 422
    actions = [r.action for r in soc.store.audit.rows()]
    assert actions.count("search.save") == 2 and actions.count("search.delete") == 1

"""GET /api/v1/trends on a real SQLite store: series over every bucket of the period (gaps
as zeros), the top rules and hosts, a reporter pinned to their own agency whatever they ask
for, and refusals that name the parameter (422)."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.access import Role
from core.alerts import Alert, MatchedEvent, Severity
from core.events import Event
from tests.factories import make_user, token_for

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # the soc fixture's clock: 09:00 Taipei


def seed(store) -> None:
    def alert(n: int, hours_ago: float, org: str, rule: str, host: str) -> Alert:
        at = NOW - timedelta(hours=hours_ago)
        return Alert(
            id=f"a{n}",
            rule_id=rule,
            rule_title=f"規則 {rule}",
            severity=Severity.HIGH if n % 2 else Severity.LOW,
            organization_id=org,
            host_name=host,
            event=MatchedEvent(event_id=f"e{n}", timestamp=at),
            created_at=at,
            group_key=f"g{n}",
        )

    store.alerts.add(
        [
            alert(0, 2, "district-xitun", "r1", "XT-PC1"),
            alert(1, 3, "district-xitun", "r1", "XT-PC1"),
            alert(2, 30, "police", "r2", "PD-WEB"),
            alert(3, 24 * 10, "police", "r2", "PD-WEB"),  # outside the default week
        ]
    )
    store.events.append(
        [
            Event(
                event_id=f"ev{n}",
                timestamp=NOW - timedelta(hours=n),
                dataset="windows.security",
                organization_id="district-xitun" if n % 2 else "police",
                original="{}",
                fields={},
            )
            for n in range(1, 5)
        ]
    )


@pytest.fixture
def client(soc):
    seed(soc.store)
    heads = {}
    for name, role, agency in [
        ("amy", Role.ANALYST, None),
        ("xitun", Role.REPORTER, "district-xitun"),
    ]:
        token = token_for(soc, make_user(soc, name, role, agency=agency))
        heads[name] = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(soc, api_token="x")) as c:
        yield c, heads


def test_the_last_week_by_day_with_gaps_as_zeros(client):
    c, heads = client
    got = c.get("/api/v1/trends", headers=heads["amy"])
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["bucket"] == "day" and body["by"] == "agency"
    assert len(body["buckets"]) == 8  # 7 days back from 09:00 Taipei: 8 Taipei days touched
    assert body["buckets"][-1] == "2026-03-01T16:00:00Z"  # 2 March, 00:00 Taipei
    alerts = {s["key"]: s for s in body["alerts"]}
    assert alerts["district-xitun"]["counts"][-1] == 2 and alerts["district-xitun"]["total"] == 2
    assert alerts["police"]["counts"][-2:] == [1, 0] and alerts["police"]["total"] == 1
    assert [s["key"] for s in body["events"]] == ["district-xitun", "police"]
    assert [(r["key"], r["count"], r["title"]) for r in body["top_rules"]] == [
        ("r1", 2, "規則 r1"),
        ("r2", 1, "規則 r2"),
    ]
    assert [h["key"] for h in body["top_hosts"]] == ["XT-PC1", "PD-WEB"]


def test_hourly_by_rule_over_a_chosen_period(client):
    c, heads = client
    got = c.get(
        "/api/v1/trends",
        params={"since": "2026-03-02T05:00:00", "until": "2026-03-02T09:00:00", "by": "rule"},
        headers=heads["amy"],
    ).json()
    assert got["bucket"] == "hour"  # up to two days: hours by default
    assert len(got["buckets"]) == 4
    assert got["alerts"] == [
        {"key": "r1", "total": 2, "counts": [0, 1, 1, 0]}
    ]  # 06:00 and 07:00 Taipei


def test_a_reporter_sees_their_own_agency_whatever_they_ask(client):
    c, heads = client
    for params in ({}, {"agency": "police"}):
        body = c.get("/api/v1/trends", params=params, headers=heads["xitun"]).json()
        assert body["agency"] == "district-xitun"
        assert [s["key"] for s in body["alerts"]] == ["district-xitun"]
        assert [s["key"] for s in body["events"]] == ["district-xitun"]
        assert [h["key"] for h in body["top_hosts"]] == ["XT-PC1"]


def test_refusals_name_the_parameter(client):
    c, heads = client
    too_long = c.get(
        "/api/v1/trends",
        params={"since": "2026-01-01T00:00:00", "until": "2026-03-01T00:00:00", "bucket": "hour"},
        headers=heads["amy"],
    )
    assert too_long.status_code == 422
    assert too_long.json()["error"]["location"] == "bucket"
    assert "at most 800" in too_long.json()["error"]["message"]
    empty = c.get(
        "/api/v1/trends",
        params={"since": "2026-03-02T00:00:00", "until": "2026-03-01T00:00:00"},
        headers=heads["amy"],
    )
    assert empty.status_code == 422 and empty.json()["error"]["location"] == "since"
    bad = c.get("/api/v1/trends", params={"bucket": "week"}, headers=heads["amy"])
    assert bad.status_code == 422
    assert c.get("/api/v1/trends").status_code == 401

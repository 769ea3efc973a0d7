"""TrendStore on both engines: the same counts per Taipei hour and day, per agency, rule and
severity, the same window bounds (since included, until excluded), the same agency scope,
and the same "top" order (most first, then by key)."""

from datetime import UTC, datetime, timedelta

from core.alerts import Alert, MatchedEvent, Severity
from core.events import Event
from core.storage import Store
from core.trends import AlertDimension, Bucket, Count, TopField, TrendWindow

# 15:00 UTC on 2 March is 23:00 in Taipei: an hour later it is the next Taipei day.
T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
DAY1 = datetime(2026, 3, 1, 16, 0, tzinfo=UTC)  # 2026-03-02 00:00 Taipei
DAY2 = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # 2026-03-03 00:00 Taipei


def alert(n: int, at: datetime, *, org: str, rule: str, sev: Severity, host: str | None) -> Alert:
    return Alert(
        id=f"a{n:02d}",
        rule_id=rule,
        rule_title=f"title of {rule}",
        severity=sev,
        organization_id=org,
        host_name=host,
        event=MatchedEvent(event_id=f"e{n}", timestamp=at),
        created_at=at,
        group_key=f"g{n}",
    )


def event(n: int, at: datetime, org: str) -> Event:
    return Event(
        event_id=f"ev{n:03d}",
        timestamp=at,
        dataset="windows.security",
        organization_id=org,
        original=f'{{"n": {n}}}',
        fields={"host.name": "H"},
    )


def seed(store: Store) -> None:
    high, low = Severity.HIGH, Severity.LOW
    store.alerts.add(
        [
            alert(0, T0 + timedelta(minutes=10), org="police", rule="r1", sev=high, host="WEB1"),
            alert(1, T0 + timedelta(minutes=59), org="police", rule="r1", sev=high, host="WEB1"),
            alert(2, T0 + timedelta(minutes=60), org="police", rule="r2", sev=low, host="DB1"),
            alert(3, T0 + timedelta(minutes=61), org="xitun", rule="r1", sev=low, host=None),
            alert(4, T0 - timedelta(days=3), org="xitun", rule="r1", sev=low, host="OLD"),
        ]
    )
    store.events.append(
        [event(n, T0 + timedelta(minutes=30 * n), "police" if n % 2 else "xitun") for n in range(5)]
    )


def window(bucket: Bucket, orgs: list[str] | None = None) -> TrendWindow:
    return TrendWindow(
        since=DAY1, until=DAY2 + timedelta(days=1), bucket=bucket, organization_ids=orgs
    )


def figures(found: list[Count]) -> list[tuple[datetime | None, str, int]]:
    return [(c.at, c.key, c.count) for c in found]


def test_alerts_per_taipei_day_split_at_taipei_midnight(store: Store):
    seed(store)
    by_agency = store.trends.alert_series(window(Bucket.DAY), AlertDimension.AGENCY)
    assert figures(by_agency) == [(DAY1, "police", 2), (DAY2, "police", 1), (DAY2, "xitun", 1)]
    by_rule = store.trends.alert_series(window(Bucket.DAY), AlertDimension.RULE)
    assert figures(by_rule) == [(DAY1, "r1", 2), (DAY2, "r1", 1), (DAY2, "r2", 1)]
    by_severity = store.trends.alert_series(window(Bucket.DAY), AlertDimension.SEVERITY)
    assert figures(by_severity) == [(DAY1, "high", 2), (DAY2, "low", 2)]


def test_alerts_per_hour_and_the_bounds(store: Store):
    seed(store)
    hours = TrendWindow(since=T0 + timedelta(minutes=10), until=T0 + timedelta(minutes=61))
    hourly = TrendWindow(since=hours.since, until=hours.until, bucket=Bucket.HOUR)
    # since is included (minute 10), until is not (minute 61)
    assert figures(store.trends.alert_series(hourly, AlertDimension.AGENCY)) == [
        (T0, "police", 2),
        (T0 + timedelta(hours=1), "police", 1),
    ]


def test_agency_scope(store: Store):
    seed(store)
    found = store.trends.alert_series(window(Bucket.DAY, ["xitun"]), AlertDimension.AGENCY)
    assert figures(found) == [(DAY2, "xitun", 1)]
    assert store.trends.alert_series(window(Bucket.DAY, []), AlertDimension.AGENCY) == []
    assert store.trends.event_series(window(Bucket.DAY, [])) == []


def test_events_per_bucket_and_agency(store: Store):
    seed(store)  # events at 15:00, 15:30, 16:00, 16:30, 17:00 UTC
    assert figures(store.trends.event_series(window(Bucket.DAY))) == [
        (DAY1, "police", 1),
        (DAY1, "xitun", 1),
        (DAY2, "police", 1),
        (DAY2, "xitun", 2),
    ]
    hourly = store.trends.event_series(window(Bucket.HOUR, ["police"]))
    assert figures(hourly) == [(T0, "police", 1), (T0 + timedelta(hours=1), "police", 1)]


def test_top_rules_and_hosts(store: Store):
    seed(store)
    rules = store.trends.top_alerts(window(Bucket.DAY), TopField.RULE, 10)
    assert [(c.key, c.count, c.label) for c in rules] == [
        ("r1", 3, "title of r1"),
        ("r2", 1, "title of r2"),
    ]
    hosts = store.trends.top_alerts(window(Bucket.DAY), TopField.HOST, 10)
    assert [(c.key, c.count) for c in hosts] == [("WEB1", 2), ("DB1", 1)]  # no host: unranked
    assert [c.key for c in store.trends.top_alerts(window(Bucket.DAY), TopField.HOST, 1)] == [
        "WEB1"
    ]
    scoped = store.trends.top_alerts(window(Bucket.DAY, ["xitun"]), TopField.RULE, 10)
    assert [(c.key, c.count) for c in scoped] == [("r1", 1)]

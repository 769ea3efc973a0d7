"""RuleSettingStore on both engines: per-rule documents by kind, detection run timings kept
to the newest few, and alert tallies per rule over a period of creation times."""

from datetime import UTC, datetime, timedelta

from core.alerts import Alert, AlertStatus, MatchedEvent, Severity
from core.storage import Store

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def test_documents_by_kind_are_put_replaced_listed_and_deleted(store: Store):
    store.rule_settings.put("state", "r-2", '{"enabled": false}')
    store.rule_settings.put("state", "r-1", '{"enabled": true}')
    store.rule_settings.put("exception", "r-1", '{"x": 1}')
    store.rule_settings.put("state", "r-2", '{"enabled": true}')
    assert store.rule_settings.get("state", "r-2") == '{"enabled": true}'
    assert store.rule_settings.get("upload", "r-2") is None
    assert store.rule_settings.list("state") == ['{"enabled": true}', '{"enabled": true}']
    assert store.rule_settings.list("exception") == ['{"x": 1}']
    assert store.rule_settings.delete("exception", "r-1") is True
    assert store.rule_settings.delete("exception", "r-1") is False
    assert store.rule_settings.list("exception") == []
    assert store.rule_settings.list("upload") == []


def test_runs_come_newest_first_and_only_the_newest_are_kept(store: Store):
    assert store.rule_settings.runs() == []
    for n in range(5):
        store.rule_settings.add_run(f"run-{n}", T0 + timedelta(minutes=n), f'{{"n": {n}}}', keep=3)
    assert store.rule_settings.runs() == ['{"n": 4}', '{"n": 3}', '{"n": 2}']
    assert store.rule_settings.runs(limit=1) == ['{"n": 4}']


def _alert(n: int, rule: str, minutes: int) -> Alert:
    return Alert(
        id=f"a{n:02d}",
        rule_id=rule,
        rule_title="t",
        severity=Severity.HIGH,
        organization_id="police",
        host_name="H",
        event=MatchedEvent(event_id=f"e{n}", timestamp=T0),
        created_at=T0 + timedelta(minutes=minutes),
        group_key=f"g{n}",
    )


def test_tally_counts_alerts_per_rule_in_the_period_with_the_dismissed(store: Store):
    made = [
        _alert(1, "rule-b", 0),
        _alert(2, "rule-b", 10),
        _alert(3, "rule-a", 20),
        _alert(4, "rule-b", 30),  # at the end of the period: outside
        _alert(5, "rule-c", -1),  # before it
    ]
    store.alerts.add(made)
    store.alerts.update_status(
        ["a02"], status=AlertStatus.FALSE_POSITIVE, reason="noise", incident_id=None
    )
    found = store.rule_settings.tally(since=T0, until=T0 + timedelta(minutes=30))
    assert [(t.rule_id, t.alerts, t.dismissed) for t in found] == [
        ("rule-a", 1, 0),
        ("rule-b", 2, 1),
    ]
    assert found[1].last_at == T0 + timedelta(minutes=10)
    assert (
        store.rule_settings.tally(since=T0 + timedelta(days=1), until=T0 + timedelta(days=2)) == []
    )

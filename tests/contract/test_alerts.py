"""AlertStore on both engines: alerts added once by id, changed by assignment and status,
and new alerts aggregated into groups by the engine (the queue's filters and paging are in
tests/contract/test_alert_queries.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from core.alerts import Alert, AlertGroup, AlertQuery, AlertStatus, MatchedEvent, Severity
from core.errors import NotFoundError
from core.storage import Store

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def alert(n: int, group: str = "g1", *, minutes: int = 0, host: str = "FS01") -> Alert:
    return Alert(
        id=f"a{n:02d}",
        rule_id=f"rule-{group}",
        rule_title=f"規則 {group}",
        severity=Severity.HIGH,
        organization_id="district-xitun",
        host_name=host,
        event=MatchedEvent(event_id=f"e{n}", timestamp=T0 + timedelta(minutes=minutes)),
        created_at=T0 + timedelta(seconds=n),
        group_key=group,
        tags=("attack.t1110",),
    )


def test_alerts_are_added_once_by_id_and_read_back_whole(store: Store):
    made = [alert(1), alert(2)]
    assert store.alerts.add(made) == 2
    assert store.alerts.add([*made, alert(3)]) == 1  # a detection run repeated
    assert store.alerts.add([]) == 0
    assert store.alerts.get("a01") == made[0]
    assert store.alerts.count() == 3
    with pytest.raises(NotFoundError):
        store.alerts.get("a99")


def test_assign_and_status_change_only_what_they_name(store: Store):
    store.alerts.add([alert(1), alert(2)])
    assert store.alerts.assign(["a01", "a99"], assignee="amy") == 1  # how many exist
    assert store.alerts.get("a01").assignee == "amy"
    assert store.alerts.get("a02").assignee is None
    escalated = store.alerts.update_status(
        ["a01", "a02"], status=AlertStatus.ESCALATED, reason=None, incident_id="INC-1"
    )
    assert escalated == 2
    first = store.alerts.get("a01")
    assert (first.status, first.incident_id, first.assignee) == (
        AlertStatus.ESCALATED,
        "INC-1",
        "amy",
    )
    assert store.alerts.count(AlertQuery(status=AlertStatus.NEW)) == 0
    assert store.alerts.assign(["a01"], assignee=None) == 1
    assert store.alerts.get("a01").assignee is None
    unknown = store.alerts.update_status(
        ["a99"], status=AlertStatus.FALSE_POSITIVE, reason="r", incident_id=None
    )
    assert unknown == 0


def test_groups_aggregate_new_alerts_by_key_oldest_group_first(store: Store):
    store.alerts.add(
        [
            alert(1, "g2", minutes=5, host="PC07"),
            alert(2, "g1", minutes=9),
            alert(3, "g2", minutes=1, host="PC07"),
            alert(4, "g1", minutes=3),
            alert(5, "g2", minutes=7, host="PC07"),
            alert(6, "g3"),
        ]
    )
    store.alerts.update_status(
        ["a06"], status=AlertStatus.FALSE_POSITIVE, reason="r", incident_id=None
    )
    assert store.alerts.groups() == [
        AlertGroup(
            key="g2",
            rule_id="rule-g2",
            rule_title="規則 g2",
            severity=Severity.HIGH,
            organization_id="district-xitun",
            host_name="PC07",
            count=3,
            first_at=T0 + timedelta(minutes=1),
            last_at=T0 + timedelta(minutes=7),
        ),
        AlertGroup(
            key="g1",
            rule_id="rule-g1",
            rule_title="規則 g1",
            severity=Severity.HIGH,
            organization_id="district-xitun",
            host_name="FS01",
            count=2,
            first_at=T0 + timedelta(minutes=3),
            last_at=T0 + timedelta(minutes=9),
        ),
    ]
    [false_positives] = store.alerts.groups(status=AlertStatus.FALSE_POSITIVE)
    assert (false_positives.key, false_positives.count) == ("g3", 1)
    assert store.alerts.groups(status=AlertStatus.ESCALATED) == []


def test_rule_prefix_selects_indicator_hits(store: Store):
    hits = [alert(1, "indicator-nantou-1"), alert(2, "indicator-nantou-2"), alert(3, "sigma")]
    store.alerts.add(hits)
    by_prefix = AlertQuery(rule_prefix="rule-indicator-")
    assert [a.id for a in store.alerts.list(by_prefix)] == ["a01", "a02"]
    assert store.alerts.count(by_prefix) == 2

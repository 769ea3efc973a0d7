"""Alerts grouped into candidate incidents per rule, agency, host and window."""

import json
import sqlite3
import threading
from datetime import timedelta

import pytest

from collectors.ingest import Ingestor
from collectors.records import RawRecord
from core import audit
from core.access import SYSTEM, Actor, Role
from core.alerts import AlertQuery, AlertStatus
from core.errors import InputError, NotFoundError
from core.settings import DEFAULT_RULES
from detections.compile import compile_rule_dirs
from detections.runner import run_detections
from incidents import triage
from tests.data.events import winlogbeat

RULE_FILE = DEFAULT_RULES / "win_user_account_created.yml"


@pytest.fixture
def engine(both_engines: str) -> str:
    """These hold on both engines."""
    return both_engines


def ingest_users(store, registry, clock, names, host="D-XITUN-FS01", at="2026-03-02T01:00:00Z"):
    ingestor = Ingestor(store, registry, clock=clock)
    for name in names:
        doc = winlogbeat("Security", 4720, {"TargetUserName": name}, host=host, at=at)
        ingestor.submit(RawRecord("t", json.dumps(doc).encode(), clock.now()), "jsonl")
    ingestor.flush()
    run_detections(store, compile_rule_dirs([RULE_FILE], store=store).compiled, clock=clock)


def test_many_alerts_make_one_candidate_incident_with_a_count(store, registry, clock, analyst):
    ingest_users(store, registry, clock, [f"u{i}" for i in range(7)])
    ingest_users(store, registry, clock, ["other"], host="POLICE-PC07")
    [xitun, police] = sorted(
        triage.list_groups(store, actor=analyst), key=lambda g: g.organization_id
    )
    assert (xitun.count, police.count) == (7, 1)
    report = triage.auto_triage(
        store=store, actor=SYSTEM, registry=registry, clock=clock, min_severity="medium"
    )
    assert (report.incidents_opened, report.alerts_escalated) == (2, 8)
    assert store.alerts.count(AlertQuery(status=AlertStatus.ESCALATED)) == 8


def test_new_alerts_in_the_same_window_join_the_existing_incident(store, registry, clock):
    ingest_users(store, registry, clock, ["a"])
    triage.auto_triage(
        store=store, actor=SYSTEM, registry=registry, clock=clock, min_severity="medium"
    )
    ingest_users(store, registry, clock, ["b"], at="2026-03-02T01:10:00Z")
    report = triage.auto_triage(
        store=store, actor=SYSTEM, registry=registry, clock=clock, min_severity="medium"
    )
    assert (report.incidents_opened, report.incidents_updated) == (0, 1)
    [incident_id] = {a.incident_id for a in store.alerts.list()}
    assert incident_id is not None


def test_a_later_window_is_a_new_group(store, registry, clock, analyst):
    ingest_users(store, registry, clock, ["a"])
    ingest_users(store, registry, clock, ["b"], at="2026-03-02T03:10:00Z")
    assert len(triage.list_groups(store, actor=analyst)) == 2


def test_false_positive_needs_a_reason_and_is_audited(store, registry, clock, analyst):
    ingest_users(store, registry, clock, ["a", "b"])
    [group] = triage.list_groups(store, actor=analyst)
    with pytest.raises(InputError, match="why"):
        triage.mark_false_positive(
            store=store, actor=analyst, group_key=group.key, reason="", clock=clock
        )
    assert (
        triage.mark_false_positive(
            store=store,
            actor=analyst,
            group_key=group.key,
            reason="IT 部門新進人員帳號",
            clock=clock,
        )
        == 2
    )
    assert {a.status for a in store.alerts.list()} == {AlertStatus.FALSE_POSITIVE}
    assert [r.action for r in store.audit.rows()] == ["alerts.false_positive"]
    clock.advance(timedelta(minutes=1))
    with pytest.raises(NotFoundError):
        triage.mark_false_positive(
            store=store, actor=analyst, group_key=group.key, reason="x", clock=clock
        )


def test_reporters_see_only_their_agencys_groups(store, registry, clock):
    ingest_users(store, registry, clock, ["a"])
    police = Actor("p", Role.REPORTER, agency="police")
    assert triage.list_groups(store, actor=police) == []


def test_escalating_a_group_someone_just_escalated_is_a_no_op(store, registry, clock, analyst):
    """The analyst escalates a group while auto-triage, which listed it a moment before,
    is on its way to it: the late escalation returns the incident and changes nothing."""
    ingest_users(store, registry, clock, ["a", "b"])
    [group] = triage.list_groups(store, actor=analyst)
    first = triage.escalate_group(
        store=store, actor=analyst, group_key=group.key, registry=registry, clock=clock
    )
    entries = store.audit.count()
    late = triage.escalate_group(
        store=store, actor=SYSTEM, group_key=group.key, registry=registry, clock=clock
    )
    assert (late.id, late.version) == (first.id, first.version)
    assert store.audit.count() == entries
    report = triage.auto_triage(
        store=store, actor=SYSTEM, registry=registry, clock=clock, min_severity="medium"
    )
    assert (report.incidents_opened, report.incidents_updated) == (0, 0)


def test_concurrent_triage_runs_and_escalations_do_not_abort(store, registry, clock, analyst):
    hosts = [f"D-XITUN-PC{n:02d}" for n in range(12)]
    for host in hosts:
        ingest_users(store, registry, clock, [f"{host}-a", f"{host}-b"], host=host)
    keys = [g.key for g in triage.list_groups(store, actor=analyst)]
    assert len(keys) == len(hosts)
    failures: list[BaseException] = []
    start = threading.Barrier(4)

    def run_triage() -> None:
        start.wait()
        try:
            triage.auto_triage(
                store=store, actor=SYSTEM, registry=registry, clock=clock, min_severity="medium"
            )
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            failures.append(exc)

    def escalate_by_hand() -> None:
        start.wait()
        for key in reversed(keys):
            try:
                triage.escalate_group(
                    store=store, actor=analyst, group_key=key, registry=registry, clock=clock
                )
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                failures.append(exc)

    threads = [threading.Thread(target=run_triage) for _ in range(3)]
    threads.append(threading.Thread(target=escalate_by_hand))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert store.alerts.count(AlertQuery(status=AlertStatus.NEW)) == 0
    # one incident per group, however many runs reached it
    assert len(store.incidents.list()) == len(hosts)
    for key in keys:
        alerts = store.alerts.list(AlertQuery(group_key=key))
        assert len({a.incident_id for a in alerts}) == 1


class _AuditBroken:
    """Appending to the audit trail fails for real until healed: the table is renamed away
    (SQLite, from a second connection) or the index gets a write block (Elasticsearch)."""

    def __init__(self, settings) -> None:
        self.settings = settings

    def __enter__(self) -> "_AuditBroken":
        if self.settings.store.startswith("sqlite"):
            self.db = sqlite3.connect(self.settings.sqlite_path, isolation_level=None)
            self.db.execute("ALTER TABLE audit RENAME TO audit_aside")
        else:
            self._block(True)
        return self

    def heal(self) -> None:
        if self.settings.store.startswith("sqlite"):
            self.db.execute("ALTER TABLE audit_aside RENAME TO audit")
            self.db.close()
        else:
            self._block(False)

    def _block(self, on: bool) -> None:
        from elasticsearch import Elasticsearch

        with Elasticsearch(self.settings.store) as es:
            es.indices.put_settings(
                index=f"{self.settings.store_index_prefix}-audit",
                settings={"index.blocks.write": on},
            )

    def __exit__(self, *exc: object) -> None:
        pass


def _opening_entries(store, incident_id: str) -> int:
    return sum(1 for r in store.audit.rows(subject=incident_id) if r.action == "incident.open")


def test_an_interrupted_opening_leaves_no_ghost_or_is_completed_by_the_next_run(
    store, settings, registry, clock
):
    """The opening's audit entry fails. SQLite: nothing of the opening remains. Both
    engines: the next run makes the incident once, with its opening entry, and every alert
    linked to it (Elasticsearch completes the incident the interrupted run left)."""
    ingest_users(store, registry, clock, ["a", "b"])
    with _AuditBroken(settings) as broken:
        with pytest.raises(Exception):  # noqa: B017,PT011 - whatever the engine raises
            triage.auto_triage(
                store=store, actor=SYSTEM, registry=registry, clock=clock, min_severity="medium"
            )
        broken.heal()
    left = store.incidents.list()
    if settings.store.startswith("sqlite"):
        assert left == [] and store.alerts.count(AlertQuery(status=AlertStatus.NEW)) == 2
    else:  # no transactions: the ghost is there, and `audit verify` names it
        assert len(left) == 1
        result = audit.verify(store)
        assert not result.ok and "has no opening entry" in str(result.reason)

    clock.advance(timedelta(minutes=2))
    triage.auto_triage(
        store=store, actor=SYSTEM, registry=registry, clock=clock, min_severity="medium"
    )
    [(document, _version)] = store.incidents.list()
    incident_id = json.loads(document)["id"]
    assert _opening_entries(store, incident_id) == 1
    assert {a.incident_id for a in store.alerts.list()} == {incident_id}
    assert store.alerts.count(AlertQuery(status=AlertStatus.ESCALATED)) == 2
    assert audit.verify(store).ok


def test_audit_verify_names_an_incident_without_its_opening_entry(store):
    store.incidents.insert("INC-20260302-ABCDEF", "police", '{"id": "INC-20260302-ABCDEF"}')
    result = audit.verify(store)
    assert not result.ok and result.reason == (
        "incident INC-20260302-ABCDEF has no opening entry (incident.open)"
    )


def test_an_alert_on_an_event_of_year_one_neither_stops_triage_nor_its_incident(
    store, registry, clock
):
    """Stored before ingest clamped absurd times (simulated by an ingestor with no floor), a
    year-1 event once made every triage run fail on its group, holding back all later ones."""
    from datetime import date

    ingestor = Ingestor(store, registry, clock=clock, event_time_min=date(1, 1, 1))
    for host, at in (("D-XITUN-FS01", "0001-01-01T00:00:00Z"), ("POLICE-PC07", None)):
        doc = winlogbeat("Security", 4720, {"TargetUserName": "eve"}, host=host)
        if at:
            doc["@timestamp"] = at
        ingestor.submit(RawRecord("t", json.dumps(doc).encode(), clock.now()), "jsonl")
    ingestor.flush()
    run_detections(store, compile_rule_dirs([RULE_FILE], store=store).compiled, clock=clock)

    report = triage.auto_triage(
        store=store, actor=SYSTEM, registry=registry, clock=clock, min_severity="medium"
    )
    assert (report.incidents_opened, report.refused) == (2, {})
    opened = [
        triage.service.get_incident(store=store, actor=SYSTEM, incident_id=i)
        for i in {
            a.incident_id for a in store.alerts.list(AlertQuery(status=AlertStatus.ESCALATED))
        }
    ]
    assert min(i.occurred_at for i in opened).year == 1900  # the earliest an incident records


def test_event_time_floor_below_what_incidents_record_is_refused_at_start_up():
    from pydantic import ValidationError

    from core.settings import Settings

    with pytest.raises(ValidationError, match="event_time_min"):
        Settings(event_time_min="1899-12-31")

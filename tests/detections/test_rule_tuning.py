"""Rule tuning on both engines: a disabled rule yields no alert, an exception keeps the
events it covers from alerting until it expires, every run leaves its per-rule timings, and
an uploaded rule is previewed without alerting and stays off until enabled."""

import json
from datetime import timedelta

import pytest

from collectors.ingest import Ingestor
from collectors.records import RawRecord
from core.access import Actor, Role
from core.alerts import AlertQuery
from core.errors import ForbiddenError, InputError
from detections.rule_catalogue import RuleQuery, rule_rows
from detections.rule_runs import profiles, runs
from detections.rule_settings import ExceptionCreate, add_exception, set_enabled
from detections.rule_uploads import preview_rule, save_upload
from tests.data.events import winlogbeat

ACCOUNT_RULE = "16728b4d-9edc-5348-8e53-1b9b8cb7b78c"  # win_user_account_created.yml: 4720
LEAD = Actor("lee", Role.LEAD)
ANALYST = Actor("amy", Role.ANALYST)
UPLOAD = """title: Local Group Enumerated
id: 7d1f2a0e-8c55-4d8e-9d0a-2f1c5b8e9a11
status: experimental
tags: [attack.discovery, attack.t1069.001]
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4798}
  condition: selection
level: low
"""


@pytest.fixture
def engine(both_engines: str) -> str:
    return both_engines


def _ingest(soc, *docs) -> None:
    ingestor = Ingestor(soc.store, soc.registry, clock=soc.clock)
    for doc in docs:
        ingestor.submit(RawRecord("test", json.dumps(doc).encode(), soc.clock.now()), "jsonl")
    ingestor.flush()


def _account(user: str, host: str = "D-XITUN-FS01") -> dict[str, object]:
    return winlogbeat("Security", 4720, {"TargetUserName": user}, host=host)


def _alerts(soc, rule_id: str = ACCOUNT_RULE) -> int:
    return soc.store.alerts.count(AlertQuery(rule_id=rule_id))


def test_a_disabled_rule_yields_no_alert_and_is_audited(soc):
    set_enabled(
        store=soc.store,
        actor=LEAD,
        rule_id=ACCOUNT_RULE,
        enabled=False,
        clock=soc.clock,
        known=True,
    )
    _ingest(soc, _account("off-1"))
    soc.process()
    assert _alerts(soc) == 0
    set_enabled(
        store=soc.store, actor=LEAD, rule_id=ACCOUNT_RULE, enabled=True, clock=soc.clock, known=True
    )
    soc.process()
    assert _alerts(soc) == 0  # what arrived while it was off stays unalerted
    _ingest(soc, _account("on-1"))
    soc.process()
    assert _alerts(soc) == 1
    actions = [r.action for r in soc.store.audit.rows(subject=f"rule:{ACCOUNT_RULE}")]
    assert actions == ["rules.disable", "rules.enable"]
    with pytest.raises(ForbiddenError):
        set_enabled(
            store=soc.store,
            actor=ANALYST,
            rule_id=ACCOUNT_RULE,
            enabled=False,
            clock=soc.clock,
            known=True,
        )


def test_an_exception_covers_its_events_until_it_expires(soc):
    now = soc.clock.now()
    form = ExceptionCreate(
        host="d-xitun-fs01",  # host names compare in any case
        field="winlog.event_data.TargetUserName",
        value="backup-svc",
        reason="the nightly backup account is re-created by the vendor",
        expires_at=now + timedelta(days=1),
    )
    made = add_exception(
        store=soc.store,
        actor=LEAD,
        registry=soc.registry,
        rule_id=ACCOUNT_RULE,
        form=form,
        clock=soc.clock,
        known=True,
    )
    assert made.owner == "lee"
    _ingest(
        soc,
        _account("backup-svc"),  # covered
        _account("backup-svc", host="D-XITUN-FS02"),  # another host: alerts
        _account("mallory"),  # another value: alerts
    )
    report = soc.process().detection
    assert _alerts(soc) == 2 and report.suppressed == 1
    soc.clock.advance(timedelta(days=1, seconds=1))
    _ingest(soc, _account("backup-svc") | {"@timestamp": "2026-03-03T02:00:00Z"})
    soc.process()
    assert _alerts(soc) == 3  # expired: applies no more
    entries = list(soc.store.audit.rows(subject=f"rule:{ACCOUNT_RULE}"))
    assert [r.action for r in entries] == ["rules.exception_add"]
    assert "backup-svc" in entries[0].detail


def test_an_exception_needs_a_scope_and_a_future_expiry(soc):
    def add(**fields: object) -> None:
        add_exception(
            store=soc.store,
            actor=LEAD,
            registry=soc.registry,
            rule_id=ACCOUNT_RULE,
            form=ExceptionCreate.model_validate({"reason": "r", **fields}),
            clock=soc.clock,
            known=True,
        )

    later = soc.clock.now() + timedelta(days=1)
    for fields, key in (
        ({"expires_at": later}, "rules_exception_scope"),
        ({"field": "user.name", "expires_at": later}, "rules_exception_field"),
        ({"agency": "nowhere", "expires_at": later}, "rules_exception_agency"),
        ({"agency": "police", "expires_at": soc.clock.now()}, "rules_expiry_past"),
    ):
        with pytest.raises(InputError) as refused:
            add(**fields)
        assert refused.value.key == key


def test_each_run_keeps_time_and_hits_per_rule(soc):
    _ingest(soc, _account("a"), _account("b"))
    soc.process()
    soc.process()  # no new events: no run recorded
    found = runs(soc.store, ANALYST)
    assert len(found) == 1
    seconds, hits = found[0].rules[ACCOUNT_RULE]
    assert hits == 2 and seconds >= 0
    assert profiles(found)[ACCOUNT_RULE].runs == 1
    page = rule_rows(
        soc.store, ANALYST, soc.rule_pack(), RuleQuery(technique="t1136"), now=soc.clock.now()
    )
    assert [r.entry.rule_id for r in page.rows] == [ACCOUNT_RULE]
    assert (page.rows[0].hits_24h, page.rows[0].hits_7d) == (2, 2)
    assert page.rows[0].mean_seconds is not None and page.rows[0].last_hit is not None


def test_an_uploaded_rule_is_previewed_without_alerts_and_waits_to_be_enabled(soc):
    _ingest(soc, winlogbeat("Security", 4798, {"TargetUserName": "Administrators"}))
    preview = preview_rule(store=soc.store, actor=ANALYST, text=UPLOAD, days=7, now=soc.clock.now())
    assert preview.total == 1 and not preview.capped
    assert soc.store.alerts.count() == 0
    entry = save_upload(store=soc.store, actor=LEAD, text=UPLOAD, clock=soc.clock, taken=set())
    assert entry.uploaded and entry.techniques == ("T1069.001",)
    soc.process()
    assert _alerts(soc, entry.rule_id) == 0  # disabled until enabled
    page = rule_rows(
        soc.store, ANALYST, soc.rule_pack(), RuleQuery(pack="uploaded"), now=soc.clock.now()
    )
    assert [(r.entry.rule_id, r.enabled) for r in page.rows] == [(entry.rule_id, False)]
    set_enabled(
        store=soc.store,
        actor=LEAD,
        rule_id=entry.rule_id,
        enabled=True,
        clock=soc.clock,
        known=True,
    )
    _ingest(soc, winlogbeat("Security", 4798, {"TargetUserName": "Users"}))
    soc.process()
    assert _alerts(soc, entry.rule_id) == 1
    assert "rules.upload" in [r.action for r in soc.store.audit.rows()]


def test_an_invalid_upload_says_why(soc):
    for text, key in (
        ("", "rules_empty"),
        ("title: [unclosed\n", "rules_invalid"),
        (UPLOAD.replace("id: 7d1f2a0e-8c55-4d8e-9d0a-2f1c5b8e9a11\n", ""), "rules_needs_id"),
        (UPLOAD.replace("  condition: selection\n", ""), "rules_invalid"),
    ):
        with pytest.raises(InputError) as refused:
            save_upload(store=soc.store, actor=LEAD, text=text, clock=soc.clock, taken=set())
        assert refused.value.key == key, text
    assert soc.store.rule_settings.list("upload") == []
    assert not [r for r in soc.store.audit.rows() if r.action == "rules.upload"]

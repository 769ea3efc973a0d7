"""Run compiled rules over events past each rule's checkpoint and store the alerts.

Rules that share a checkpoint and a prefilter (channel / event id) are evaluated in one
scan: each event is read, and its JSON parsed, once per batch instead of once per rule.
"""

import hashlib
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.alerts import Alert, MatchedEvent
from core.assets import criticality
from core.clock import Clock, SystemClock
from core.errors import RuleError
from core.events import Event
from core.faults import crash_point
from core.storage.base import Store
from detections.compile import CompiledRule
from detections.grouping import AlertGrouping

__all__ = ["DetectionReport", "RuleRun", "alert_for", "group_key_for", "run_detections"]

BATCH_CONDITIONS = 2_000  # rules per scan; the engine splits them into SELECTs itself
RUNNER_THREADS = 2


@dataclass
class RuleRun:
    """One rule in one run: its share of the scan time and its alerts (before dedup)."""

    seconds: float = 0.0
    hits: int = 0


@dataclass
class DetectionReport:
    rules: int = 0
    scans: int = 0
    events_upto: int = 0
    matches: int = 0
    alerts_new: int = 0
    suppressed: int = 0  # matches an exception covered (no alert)
    failed: dict[str, str] = field(default_factory=dict)  # rule id -> reason
    profile: dict[str, RuleRun] = field(default_factory=dict)  # rule id -> time and hits


DEFAULT_GROUPING = AlertGrouping()  # rule, agency, host and the hour


def _checkpoint_key(rule: CompiledRule) -> str:
    digest = hashlib.sha256(rule.condition.encode()).hexdigest()[:16]
    return f"rule:{rule.rule_id}:{digest}"  # a changed rule starts over


def group_key_for(
    rule_id: str, organization_id: str, host: str | None, at: datetime, window: timedelta
) -> str:
    """Alerts with the same key form one candidate incident: rule, agency, host, window
    (``detections.grouping`` with every field; the runner takes the configured grouping)."""
    return AlertGrouping(window=window).key(rule_id, organization_id, host, at)


def _attack_ids(tags: Sequence[str]) -> tuple[str, ...]:
    return tuple(t.split(".", 1)[1].upper() for t in tags if t.lower().startswith("attack.t"))


def alert_for(rule: CompiledRule, event: Event, *, now: datetime, grouping: AlertGrouping) -> Alert:
    f = event.fields
    record_id = f.get("winlog.record_id")
    matched = MatchedEvent(
        event_id=event.event_id,
        timestamp=event.timestamp,
        channel=_opt(f.get("winlog.channel")),
        computer=_opt(f.get("winlog.computer_name")),
        record_id=int(record_id) if record_id is not None and str(record_id).isdigit() else None,
        source_file=_opt(f.get("log.file.path")),
        message=_opt(f.get("message")),
    )
    return Alert(
        id=hashlib.sha256(f"{rule.rule_id}\x00{event.event_id}".encode()).hexdigest()[:32],
        rule_id=rule.rule_id,
        rule_title=rule.title,
        severity=rule.severity,
        tags=rule.tags,
        author=rule.author,
        references=rule.references,
        rule_source=rule.source,
        organization_id=event.organization_id,
        host_name=event.host_name,
        event=matched,
        created_at=now,
        group_key=grouping.key(
            rule.rule_id, event.organization_id, event.host_name, event.timestamp
        ),
        attack=_attack_ids(rule.tags),
    )


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def run_detections(
    store: Store,
    rules: Sequence[CompiledRule],
    *,
    clock: Clock | None = None,
    grouping: AlertGrouping = DEFAULT_GROUPING,
    progress: Callable[[int], None] | None = None,
    disabled: frozenset[str] = frozenset(),
    suppress: Callable[[str, Event], bool] | None = None,
) -> DetectionReport:
    """Evaluate rules over events they have not seen; idempotent (alert ids are stable).

    ``disabled`` rules are not run, and their checkpoints move past the events they skip (so
    enabling one does not alert on what arrived while it was off); ``suppress(rule id,
    event)`` true means an exception covers the match: no alert."""
    clock = clock or SystemClock()
    report = DetectionReport(rules=len(rules))
    upto = store.events.last_position()
    report.events_upto = upto
    groups: dict[tuple[int, str | None], list[tuple[CompiledRule, str]]] = defaultdict(list)
    skipped: dict[str, int] = {}
    for rule in rules:
        key = _checkpoint_key(rule)
        after = store.checkpoints.get(key)
        if rule.rule_id in disabled:
            if after < upto:
                skipped[key] = upto
            if progress:
                progress(1)
        elif after < upto:
            groups[(after, rule.prefilter)].append((rule, key))
        elif progress:
            progress(1)
    if skipped:
        store.checkpoints.set_many(skipped)
    now = clock.now()
    assets: dict[str, str | None] = {}
    chunks = [
        (after, prefilter, members[start : start + BATCH_CONDITIONS])
        for (after, prefilter), members in groups.items()
        for start in range(0, len(members), BATCH_CONDITIONS)
    ]
    # Scans of different rule groups are independent; the engine does the heavy lifting
    # outside the GIL, so a small pool keeps both cores busy.
    with ThreadPoolExecutor(max_workers=RUNNER_THREADS, thread_name_prefix="detect") as pool:
        jobs = [
            pool.submit(
                _scan, store, chunk, after, upto, prefilter, report, now, grouping, suppress
            )
            for after, prefilter, chunk in chunks
        ]
        for job, (_after, _prefilter, chunk) in zip(jobs, chunks, strict=True):
            alerts = _with_assets(store, job.result(), assets)
            report.matches += len(alerts)
            for alert in alerts:
                report.profile.setdefault(alert.rule_id, RuleRun()).hits += 1
            if alerts:
                report.alerts_new += store.alerts.add(alerts)
                crash_point("detect.after-alerts")  # stored, checkpoint not yet moved
            store.checkpoints.set_many({key: upto for _, key in chunk})
            if progress:
                progress(len(chunk))
    return report


def _with_assets(store: Store, alerts: list[Alert], cache: dict[str, str | None]) -> list[Alert]:
    """Mark each alert with its host's criticality from the scan inventory, if known."""
    out = []
    for alert in alerts:
        host = alert.host_name
        if host is None:
            out.append(alert)
            continue
        if host not in cache:
            cache[host] = criticality(store.assets.find_by_host(host) or store.assets.find(host))
        out.append(
            alert.model_copy(update={"asset_criticality": cache[host]}) if cache[host] else alert
        )
    return out


def _scan(
    store: Store,
    chunk: Sequence[tuple[CompiledRule, str]],
    after: int,
    upto: int,
    prefilter: str | None,
    report: DetectionReport,
    now: datetime,
    grouping: AlertGrouping,
    suppress: Callable[[str, Event], bool] | None,
) -> list[Alert]:
    """One scan for the chunk; if the engine rejects it, find and report the broken rules."""
    report.scans += 1
    refused: dict[int, str] = {}
    started = time.perf_counter()
    try:
        matched = [
            (index, hit.event)
            for hit in store.events.scan(
                [r.condition for r, _ in chunk],
                after=after,
                upto=upto,
                prefilter=prefilter,
                failed=refused,
            )
            for index in hit.matched
        ]
        # The rules of a chunk share one scan: each is charged an equal share of its time.
        share = (time.perf_counter() - started) / len(chunk)
        for rule, _ in chunk:
            report.profile.setdefault(rule.rule_id, RuleRun()).seconds += share
        for index, reason in refused.items():
            rule = chunk[index][0]
            report.failed[rule.rule_id] = f"{rule.source}: {reason}"
        kept = [(i, e) for i, e in matched if i not in refused]
        if suppress is not None:  # exceptions: before alerting, the same on every engine
            before = len(kept)
            kept = [(i, e) for i, e in kept if not suppress(chunk[i][0].rule_id, e)]
            report.suppressed += before - len(kept)
        # A rule refused part-way (e.g. its regex ran out of time) reports nothing this run.
        return [
            alert_for(chunk[index][0], event, now=now, grouping=grouping) for index, event in kept
        ]
    except RuleError as exc:
        if len(chunk) == 1:
            report.failed[chunk[0][0].rule_id] = f"{chunk[0][0].source}: {exc.message}"
            return []
    middle = len(chunk) // 2
    return _scan(
        store, chunk[:middle], after, upto, prefilter, report, now, grouping, suppress
    ) + _scan(store, chunk[middle:], after, upto, prefilter, report, now, grouping, suppress)

"""Per-run rule profiles, as Zircolite's ``--profile-rules`` gives: for every detection run,
the time and the hits of each rule it ran. The runner measures (``DetectionReport.profile``);
this module keeps the newest runs in the store and sums them up per rule.

Rules that share a scan are charged an equal share of its time (the engine evaluates them
together, so no finer split exists); a rule's hits are the alerts it produced in the run.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from core.access import Actor
from core.storage.base import Store
from detections.rule_settings import require_reader
from detections.runner import DetectionReport

__all__ = ["KEEP_RUNS", "RuleProfile", "RunProfile", "profiles", "record_run", "runs"]

KEEP_RUNS = 200  # the store keeps this many newest runs


@dataclass(frozen=True, slots=True)
class RunProfile:
    """One run: when, how far it read, and per rule id (seconds, hits)."""

    id: str
    at: datetime
    events_upto: int
    rules: dict[str, tuple[float, int]]


@dataclass(frozen=True, slots=True)
class RuleProfile:
    """One rule over the runs read: how many ran it, the time and the hits in total."""

    rule_id: str
    runs: int
    seconds: float
    hits: int

    @property
    def mean_seconds(self) -> float:
        return self.seconds / self.runs if self.runs else 0.0


def record_run(store: Store, report: DetectionReport, at: datetime) -> None:
    """Keep the run's profile; a run that ran no rule (no new events) leaves none."""
    if not report.profile:
        return
    run_id = uuid.uuid4().hex
    document = {
        "id": run_id,
        "at": at.isoformat(),
        "events_upto": report.events_upto,
        "rules": {k: [round(v.seconds, 6), v.hits] for k, v in sorted(report.profile.items())},
    }
    store.rule_settings.add_run(run_id, at, json.dumps(document), keep=KEEP_RUNS)


def runs(store: Store, actor: Actor, *, limit: int = 20) -> list[RunProfile]:
    """The newest runs, newest first."""
    require_reader(actor)
    out = []
    for text in store.rule_settings.runs(limit=limit):
        d = json.loads(text)
        out.append(
            RunProfile(
                id=d["id"],
                at=datetime.fromisoformat(d["at"]),
                events_upto=int(d["events_upto"]),
                rules={k: (float(v[0]), int(v[1])) for k, v in d["rules"].items()},
            )
        )
    return out


def profiles(found: list[RunProfile]) -> dict[str, RuleProfile]:
    """Per rule, summed over the runs given."""
    totals: dict[str, list[float]] = {}
    for run in found:
        for rule_id, (seconds, hits) in run.rules.items():
            t = totals.setdefault(rule_id, [0, 0.0, 0])
            t[0] += 1
            t[1] += seconds
            t[2] += hits
    return {k: RuleProfile(k, int(v[0]), v[1], int(v[2])) for k, v in totals.items()}

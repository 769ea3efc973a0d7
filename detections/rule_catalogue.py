"""The rule catalogue people read: every rule of the packs and every uploaded rule, with its
pack, level, status, ATT&CK techniques, whether it compiled (or pySigma's reason), its state,
its alerts in the last 24 hours and 7 days, its last alert and its time per run; and the
noisy-rules view (alerts per day and the share dismissed, so a lead sees what to tune).

The packs' files are read once per process (``RulePack.load``; they do not change while
CitySOC runs); states, exceptions, uploads, tallies and timings come from the store on each
call, so every process sees a change at once.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from core.access import Actor
from core.errors import InputError, NotFoundError
from core.storage.base import RuleTally, Store
from detections.compile import CompileReport
from detections.rule_entry import RuleEntry, entry_from_document
from detections.rule_runs import profiles, runs
from detections.rule_settings import RuleSettings, require_reader
from detections.rule_uploads import uploaded_entries
from detections.rules import read_rule_files

__all__ = [
    "LEVELS",
    "NoisyRule",
    "RulePack",
    "RuleQuery",
    "RuleRow",
    "noisy_rules",
    "rule_rows",
]

LEVELS = ("informational", "low", "medium", "high", "critical")
STATES = ("enabled", "disabled", "broken")
TECHNIQUE = re.compile(r"^T\d{4}(\.\d{3})?$", re.IGNORECASE)
EVER = datetime(1900, 1, 1, tzinfo=UTC)  # the tally that finds each rule's last alert
PROFILE_RUNS = 20  # time per run: the mean over this many newest runs
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed


def _pack_name(root: Path, path: Path) -> str:
    """The folder given in the settings, and the first subfolder when the rule lies deeper
    (``rules/windows`` for SigmaHQ's tree)."""
    if root.is_file():
        return root.parent.name
    parts = path.relative_to(root).parts
    return f"{root.name}/{parts[0]}" if len(parts) > 1 else root.name


@dataclass(frozen=True, slots=True)
class RulePack:
    """The rules of the configured folders, read once; ``entries`` in rule id order."""

    entries: tuple[RuleEntry, ...]

    @classmethod
    def load(cls, dirs: Sequence[Path], report: CompileReport) -> "RulePack":
        compiled = {r.rule_id for r in report.compiled}
        why: dict[str, list[str]] = {}
        for issue in report.issues:
            why.setdefault(str(issue.path), []).append(issue.reason)
        entries: list[RuleEntry] = []
        for root in dirs:
            files, _issues = read_rule_files([root])
            for rule_file in files:
                pack = _pack_name(root, rule_file.path)
                try:
                    docs = [d for d in yaml.load_all(rule_file.text, Loader=_Loader) if d]
                except yaml.YAMLError as exc:
                    docs = [{"title": rule_file.path.name, "error": f"not valid YAML: {exc}"}]
                for doc in docs:
                    if not isinstance(doc, dict) or "title" not in doc:
                        continue  # a Sigma "action: global" part, not a rule of its own
                    rule_id = str(doc.get("id") or f"file:{rule_file.path.name}")
                    reasons = why.get(str(rule_file.path), [])
                    error = None if rule_id in compiled else ("; ".join(reasons) or "not compiled")
                    entries.append(
                        entry_from_document(
                            doc,
                            rule_id=rule_id,
                            pack=pack,
                            source=str(rule_file.path),
                            text=rule_file.text,
                            error=doc.get("error") or error,
                        )
                    )
        return cls(tuple(sorted(entries, key=lambda e: e.rule_id)))


def all_entries(store: Store, pack: RulePack) -> list[RuleEntry]:
    """The packs' rules and the uploaded ones, in rule id order."""
    return sorted([*pack.entries, *uploaded_entries(store)], key=lambda e: e.rule_id)


def find_entry(store: Store, pack: RulePack, rule_id: str) -> RuleEntry | None:
    return next((e for e in all_entries(store, pack) if e.rule_id == rule_id), None)


@dataclass(frozen=True, slots=True)
class RuleQuery:
    """The catalogue's filters: each given one must hold."""

    pack: str | None = None
    level: str | None = None
    status: str | None = None
    state: str | None = None  # enabled, disabled or broken (did not compile)
    technique: str | None = None
    text: str | None = None  # in the id, title or description, any case

    def __post_init__(self) -> None:
        if self.level is not None and self.level not in LEVELS:
            raise InputError(
                f"level must be one of {', '.join(LEVELS)}", location="level", key="rules_level"
            )
        if self.state is not None and self.state not in STATES:
            raise InputError(
                f"state must be one of {', '.join(STATES)}", location="state", key="rules_state"
            )
        if self.technique is not None and not TECHNIQUE.match(self.technique):
            raise InputError(
                "technique must be an ATT&CK id such as T1059 or T1059.001",
                location="technique",
                key="rules_technique",
            )

    def keeps(self, entry: RuleEntry, enabled: bool) -> bool:
        state = "broken" if entry.error else ("enabled" if enabled else "disabled")
        text = (self.text or "").casefold()
        return (
            (self.pack is None or entry.pack == self.pack)
            and (self.level is None or entry.level == self.level)
            and (self.status is None or entry.status == self.status)
            and (self.state is None or state == self.state)
            and (self.technique is None or self.technique.upper() in entry.techniques)
            and (
                not text
                or text in entry.rule_id.casefold()
                or text in entry.title.casefold()
                or text in entry.description.casefold()
            )
        )


@dataclass(frozen=True, slots=True)
class RuleRow:
    entry: RuleEntry
    enabled: bool
    hits_24h: int = 0
    hits_7d: int = 0
    last_hit: datetime | None = None
    mean_seconds: float | None = None  # over the newest runs that ran it
    exceptions: int = 0  # in force now


@dataclass(frozen=True, slots=True)
class RulePage:
    total: int
    rows: list[RuleRow]
    packs: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)


def _through(now: datetime) -> datetime:
    """The end of a tally ending now: alerts made this very instant count too."""
    return now + timedelta(milliseconds=1)  # Elasticsearch keeps dates to the millisecond


def _by_rule(tallies: Iterable[RuleTally]) -> dict[str, RuleTally]:
    return {t.rule_id: t for t in tallies}


def _rows(
    store: Store, actor: Actor, entries: Sequence[RuleEntry], settings: RuleSettings, now: datetime
) -> list[RuleRow]:
    """The entries with their numbers; tallies are counted by the engine, once per call."""
    if not entries:
        return []
    end = _through(now)
    day = _by_rule(store.rule_settings.tally(since=now - timedelta(days=1), until=end))
    week = _by_rule(store.rule_settings.tally(since=now - timedelta(days=7), until=end))
    ever = _by_rule(store.rule_settings.tally(since=EVER, until=end))
    timing = profiles(runs(store, actor, limit=PROFILE_RUNS))
    rows = []
    for e in entries:
        last = ever.get(e.rule_id)
        profile = timing.get(e.rule_id)
        rows.append(
            RuleRow(
                entry=e,
                enabled=settings.enabled_id(e.rule_id, e.uploaded),
                hits_24h=day[e.rule_id].alerts if e.rule_id in day else 0,
                hits_7d=week[e.rule_id].alerts if e.rule_id in week else 0,
                last_hit=last.last_at if last else None,
                mean_seconds=profile.mean_seconds if profile else None,
                exceptions=len(settings.exceptions.get(e.rule_id, ())),
            )
        )
    return rows


def rule_rows(
    store: Store,
    actor: Actor,
    pack: RulePack,
    query: RuleQuery,
    *,
    now: datetime,
    limit: int = 50,
    offset: int = 0,
) -> RulePage:
    """A page of the catalogue with each rule's numbers."""
    require_reader(actor)
    settings = RuleSettings.load(store, now)
    entries = all_entries(store, pack)
    kept = [e for e in entries if query.keeps(e, settings.enabled_id(e.rule_id, e.uploaded))]
    return RulePage(
        total=len(kept),
        rows=_rows(store, actor, kept[offset : offset + limit], settings, now),
        packs=sorted({e.pack for e in entries}),
        statuses=sorted({e.status for e in entries if e.status}),
    )


def rule_row(store: Store, actor: Actor, pack: RulePack, rule_id: str, *, now: datetime) -> RuleRow:
    """One rule with its numbers; NotFoundError when no pack or upload has it."""
    require_reader(actor)
    entry = find_entry(store, pack, rule_id)
    if entry is None:
        raise NotFoundError(f"no rule {rule_id}", location="rule_id", key="rules_unknown")
    return _rows(store, actor, [entry], RuleSettings.load(store, now), now)[0]


@dataclass(frozen=True, slots=True)
class NoisyRule:
    rule_id: str
    title: str
    alerts: int
    dismissed: int
    per_day: float

    @property
    def dismissed_share(self) -> float:
        return self.dismissed / self.alerts if self.alerts else 0.0


MAX_DAYS = 366


def check_days(days: int, where: str = "days") -> int:
    if not 1 <= days <= MAX_DAYS:
        raise InputError(
            f"{where} must be from 1 to {MAX_DAYS}",
            location=where,
            key="rules_days",
            params={"field": where, "max": MAX_DAYS},
        )
    return days


def noisy_rules(
    store: Store, actor: Actor, pack: RulePack, *, days: int, now: datetime
) -> list[NoisyRule]:
    """Rules by alerts per day over the last ``days``, the noisiest first."""
    require_reader(actor)
    check_days(days)
    titles = {e.rule_id: e.title for e in all_entries(store, pack)}
    found = store.rule_settings.tally(since=now - timedelta(days=days), until=_through(now))
    out = [
        NoisyRule(
            rule_id=t.rule_id,
            title=titles.get(t.rule_id, t.rule_id),
            alerts=t.alerts,
            dismissed=t.dismissed,
            per_day=t.alerts / days,
        )
        for t in found
    ]
    return sorted(out, key=lambda r: (-r.alerts, r.rule_id))

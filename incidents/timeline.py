"""One timeline of a case, oldest first: its alerts (at their events' times), its comments
and evidence (from the incident's own records), and every other change, share and piece of
case work (from its audit entries: confirm, notify, level change, review, forward, contain,
report, close, dismiss, corrections, assignment, watching, tasks, share.publish).

Each entry has a kind, a time, who, and a one-line summary. The incident's own records are
the source where they exist, so a comment or an evidence file appears once, not also as
its audit entry. ``summary`` keeps codes (the JSON API and the CLI); ``facts`` holds the
same details as (key, value) pairs, which ``phrases`` says in a page's language.
"""

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from core.access import Actor
from core.errors import CitySocError
from core.i18n import Lang, labels
from core.i18n.messages import term
from core.storage.base import AuditRow, Store
from incidents.models import Incident
from incidents.service import get_incident

__all__ = ["ALERTS_SHOWN", "EntryKind", "Phrase", "TimelineEntry", "build", "phrases", "timeline"]

ALERTS_SHOWN = 200  # alerts listed in a timeline; a large case says how many more it holds
SUMMARY = 300  # characters of a comment or an audit detail shown in one entry


class EntryKind(StrEnum):
    ALERT = "alert"
    COMMENT = "comment"
    STATE = "state"  # a workflow step or a correction of a recorded time
    EVIDENCE = "evidence"
    SHARE = "share"
    CASEWORK = "casework"  # owner, watchers
    TASK = "task"


class TimelineEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: EntryKind
    at: datetime
    who: str
    summary: str
    action: str = ""  # the audit action an entry comes from ("" for the incident's records)
    facts: dict[str, object] = {}  # the summary's details by key, codes as codes


# Audit actions the incident's own records already show.
_FROM_RECORDS = frozenset({"incident.comment", "incident.progress", "incident.evidence"})
_CASEWORK = frozenset({"incident.assign", "incident.watch", "incident.unwatch"})


def _kind(action: str) -> EntryKind:
    if action.startswith("share."):
        return EntryKind.SHARE
    if action in _CASEWORK:
        return EntryKind.CASEWORK
    if action.startswith("incident.task_"):
        return EntryKind.TASK
    return EntryKind.STATE


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY else text[: SUMMARY - 1] + "…"


def _facts(raw: str) -> dict[str, object]:
    """An audit entry's detail as a dict (a detail that is not one: under ``detail``)."""
    try:
        detail = json.loads(raw) if raw else {}
    except ValueError:
        return {"detail": raw}
    return detail if isinstance(detail, dict) else {"detail": detail}


def _detail(detail: dict[str, object]) -> str:
    """An audit entry's detail as ``key value; ...`` (nested values as compact JSON)."""
    parts = [
        f"{key} {value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}"
        for key, value in detail.items()
        if value not in (None, "", [], {})
    ]
    return _short("; ".join(parts))


def _from_audit(rows: Iterable[AuditRow]) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            kind=_kind(row.action),
            at=row.at,
            who=row.actor,
            summary=_detail(facts := _facts(row.detail)),
            action=row.action,
            facts=facts,
        )
        for row in rows
        if row.action not in _FROM_RECORDS
    ]


def _alerts(store: Store, incident: Incident) -> list[TimelineEntry]:
    entries = []
    for alert_id in incident.alert_ids[:ALERTS_SHOWN]:
        try:
            alert = store.alerts.get(alert_id)
        except CitySocError:
            continue  # an alert id kept on the incident after its alert expired
        where = f" @ {alert.host_name}" if alert.host_name else ""
        entries.append(
            TimelineEntry(
                kind=EntryKind.ALERT,
                at=alert.event.timestamp,
                who=alert.rule_id,
                summary=_short(f"[{alert.severity.value}] {alert.rule_title}{where}"),
                facts={
                    "severity": alert.severity.value,
                    "rule": alert.rule_title,
                    "host": alert.host_name,
                },
            )
        )
    return entries


def build(store: Store, incident: Incident) -> list[TimelineEntry]:
    """The timeline of an incident the caller has already been allowed to read."""
    entries = _alerts(store, incident)
    entries += [
        TimelineEntry(
            kind=EntryKind.COMMENT,
            at=c.at,
            who=c.by,
            summary=_short(c.text),
            facts={"comment": _short(c.text)},
        )
        for c in incident.comments
    ]
    entries += [
        TimelineEntry(
            kind=EntryKind.EVIDENCE,
            at=e.uploaded_at,
            who=e.uploaded_by,
            summary=_short(f"{e.filename} ({e.kind}, {e.size:,} bytes, sha256 {e.sha256[:12]}…)"),
            facts={"file": e.filename, "bytes": e.size, "sha256": e.sha256[:12] + "…"},
        )
        for e in incident.evidence
    ]
    # A merged duplicate's history is the survivor's too (incidents.merging).
    for case in (incident.id, *incident.merged_from):
        entries += _from_audit(store.audit.rows(subject=case))
    return sorted(entries, key=lambda e: e.at)  # stable: same-time entries keep this order


def timeline(*, store: Store, actor: Actor, incident_id: str) -> list[TimelineEntry]:
    """The incident's timeline; NotFoundError outside the actor's agencies."""
    return build(store, get_incident(store=store, actor=actor, incident_id=incident_id))


class Phrase(NamedTuple):
    """One part of an entry's summary as a page says it: ``text`` under ``label`` ("" for
    none); ``data`` when the text is a record (a title, a name, what someone typed) that a
    page shows as it is (``translate="no"``), not wording."""

    label: str
    text: str
    data: bool


_AS_STATE = frozenset({"state", "ended"})  # "open -> notified" or a state's code
_AS_COUNT = frozenset({"alerts", "alerts_added", "bytes", "indicators"})
_AS_TIME = frozenset({"at", "aware_at", "occurred_at"})  # ISO times or {"from", "to"}
_AS_FLAG = frozenset({"watching", "done", "confirmed"})  # said by tl_<key>_yes / _no
_ARROW = " -> "


def _said(key: str, value: object, lang: Lang) -> tuple[str, bool]:
    """A fact's value in ``lang`` and whether it is data rather than wording."""
    t = labels(lang)
    if isinstance(value, dict) and {"from", "to"} >= value.keys():  # a change of a value
        before, after = (_said(key, value.get(end), lang)[0] for end in ("from", "to"))
        return f"{before} → {after}", key not in _AS_TIME
    if value is None:
        return t["tl_none"], False
    if key in _AS_STATE or key == "level":
        kind = "state" if key in _AS_STATE else "level"
        parts = list(dict.fromkeys(str(value).split(_ARROW)))  # "a -> a" (unchanged): "a"
        return " → ".join(_code(kind, p, lang) for p in parts), False
    if key == "severity":
        return term("sev", value, lang), False
    if key in _AS_TIME:
        return _time(value, lang), False
    if key in _AS_FLAG:
        return t[f"tl_{key}_{'yes' if value else 'no'}"], False
    if key == "completed":
        return t["tl_completed_later"], False
    if key == "redactions" and isinstance(value, dict):  # what a shared summary lost
        return "、".join(f"{term('redaction', k, lang)} × {n}" for k, n in value.items()), False
    if key in _AS_COUNT:
        count = len(value) if isinstance(value, list) else value
        return (f"{count:,}" if isinstance(count, int) else str(count)), False
    if isinstance(value, list):
        return ("、" if lang == "zh" else ", ").join(str(v) for v in value), True
    return str(value), True


def _code(kind: str, value: str, lang: Lang) -> str:
    if value == "None":  # a level before the first one
        return labels(lang)["tl_none"]
    if kind == "level":
        return labels(lang)["tl_level_n"].format(n=value)
    return term(kind, value, lang)


def _time(value: object, lang: Lang) -> str:
    try:
        return term("time", datetime.fromisoformat(str(value)), lang)
    except ValueError:
        return str(value)


def _label(key: str, lang: Lang) -> str:
    t = labels(lang)
    return t.get(f"tl_{key}") or t.get(f"field_{key}") or key


def phrases(
    entry: TimelineEntry,
    lang: Lang,
    *,
    agency: Callable[[str], str] = str,
    task: Callable[[str], str] = str,
) -> list[Phrase]:
    """The entry's summary in ``lang``, one phrase per fact worth showing: states, levels,
    severities and flags by the catalogue, IoCs by their type's label, an agency and a task
    by ``agency`` and ``task`` (their names, where the caller knows them), records as data."""
    said: list[Phrase] = []
    for key, value in entry.facts.items():
        if value in (None, "", [], {}) and key not in _AS_FLAG:
            continue
        if key == "added" and isinstance(value, list):  # IoCs as "type:value"
            for ioc in value:
                kind, _, text = str(ioc).partition(":")
                said.append(Phrase(term("ioc", kind, lang), text, True))
            continue
        if key in ("agency", "task"):  # named by the caller, in the page's language
            text, data = (agency if key == "agency" else task)(str(value)), False
        else:
            text, data = _said(key, value, lang)
        label = "" if key in ("comment", "detail") else _label(key, lang)
        said.append(Phrase(label, text, data))
    return said

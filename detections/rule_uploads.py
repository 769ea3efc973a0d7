"""Rules uploaded by people: validated by pySigma, kept in the store (never written to the
server's disk), disabled until someone enables them, and previewed first as a retro-hunt
over the last days that shows the matching events and creates no alert.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from core import audit
from core.access import Actor
from core.clock import Clock
from core.errors import ConflictError, InputError
from core.events import Event
from core.storage.base import Store
from detections.compile import CompiledRule, compile_rule_files
from detections.rule_entry import RuleEntry, entry_from_document
from detections.rule_settings import UPLOADED_PREFIX, require_manager, require_reader
from detections.rules import RuleFile

__all__ = [
    "MAX_RULE_BYTES",
    "Preview",
    "compile_upload",
    "preview_rule",
    "save_upload",
    "uploaded_entries",
    "uploaded_rules",
]

MAX_RULE_BYTES = 64 * 1024
PREVIEW_SHOWN = 100  # matching events listed; the count goes on to PREVIEW_COUNTED
PREVIEW_COUNTED = 10_000
UPLOADED_PACK = "uploaded"


def _invalid(reason: str) -> InputError:
    return InputError(
        f"the rule is not valid Sigma: {reason}",
        location="yaml",
        key="rules_invalid",
        params={"reason": reason},
    )


def _document(text: str) -> dict[str, Any]:
    if not text.strip():
        raise InputError("paste a Sigma rule (YAML)", location="yaml", key="rules_empty")
    if len(text.encode()) > MAX_RULE_BYTES:
        raise InputError(
            f"a rule may have at most {MAX_RULE_BYTES} bytes",
            location="yaml",
            key="rules_too_big",
            params={"max": MAX_RULE_BYTES},
        )
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _invalid(f"not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise _invalid("the YAML must be one rule (a mapping with title, logsource, detection)")
    if not doc.get("id"):
        fresh = uuid.uuid4()
        raise InputError(
            f"the rule needs an id: add a line such as `id: {fresh}`",
            location="yaml",
            key="rules_needs_id",
            params={"example": str(fresh)},
        )
    return doc


def compile_upload(store: Store, text: str) -> tuple[dict[str, Any], CompiledRule]:
    """The rule's document and its compiled form for this store's engine; InputError with
    pySigma's reason when it cannot be used."""
    doc = _document(text)
    rule_id = str(doc["id"])
    rule_file = RuleFile(
        Path(f"{UPLOADED_PREFIX}{rule_id}.yml"), text, hashlib.sha256(text.encode()).hexdigest()
    )
    report = compile_rule_files([rule_file], store=store)
    if report.issues:
        raise _invalid("; ".join(i.reason for i in report.issues))
    if len(report.compiled) != 1:
        raise _invalid("upload one rule at a time")
    return doc, report.compiled[0]  # its source is uploaded/<id>.yml: the store, no file


def save_upload(
    *, store: Store, actor: Actor, text: str, clock: Clock, taken: set[str]
) -> RuleEntry:
    """Keep the rule in the store, disabled (``taken``: the packs' rule ids, which an
    upload may not replace). Uploading a rule again replaces it and disables it again."""
    require_manager(actor)
    doc, compiled = compile_upload(store, text)
    if compiled.rule_id in taken:
        raise ConflictError(
            f"rule {compiled.rule_id} is one of the rule packs': give the upload its own id",
            location="yaml",
            key="rules_id_taken",
        )
    now = clock.now()
    record = {"rule_id": compiled.rule_id, "text": text, "by": actor.name, "at": now.isoformat()}
    state = {"rule_id": compiled.rule_id, "enabled": False, "by": actor.name, "at": now.isoformat()}
    with store.transaction():
        store.rule_settings.put("upload", compiled.rule_id, json.dumps(record, ensure_ascii=False))
        store.rule_settings.put("state", compiled.rule_id, json.dumps(state))
        audit.record(
            store,
            actor=actor,
            action="rules.upload",
            subject=f"rule:{compiled.rule_id}",
            at=now,
            detail={"title": compiled.title, "sha256": hashlib.sha256(text.encode()).hexdigest()},
        )
    return _entry(doc, compiled.rule_id, text)


def _entry(doc: dict[str, Any], rule_id: str, text: str) -> RuleEntry:
    return entry_from_document(
        doc,
        rule_id=rule_id,
        pack=UPLOADED_PACK,
        source=f"{UPLOADED_PREFIX}{rule_id}",
        text=text,
        error=None,
        uploaded=True,
    )


def _uploads(store: Store) -> list[tuple[str, str]]:
    return [(d["rule_id"], d["text"]) for d in map(json.loads, store.rule_settings.list("upload"))]


def uploaded_entries(store: Store) -> list[RuleEntry]:
    out = []
    for rule_id, text in _uploads(store):
        doc = yaml.safe_load(text)
        out.append(_entry(doc if isinstance(doc, dict) else {}, rule_id, text))
    return out


def uploaded_rules(store: Store) -> list[CompiledRule]:
    """Every uploaded rule compiled for the store's engine (from the compile cache after the
    first time); one that no longer compiles (a newer pySigma) is left out."""
    out = []
    for _rule_id, text in _uploads(store):
        try:
            out.append(compile_upload(store, text)[1])
        except InputError:
            continue
    return out


@dataclass(frozen=True, slots=True)
class Preview:
    rule_id: str
    title: str
    days: int
    events: list[Event]  # the first PREVIEW_SHOWN matches, oldest first
    total: int  # matches counted, up to PREVIEW_COUNTED
    capped: bool  # more matched than were counted


def preview_rule(*, store: Store, actor: Actor, text: str, days: int, now: datetime) -> Preview:
    """Run the rule over the events of the last ``days`` and say what it would match; no
    alert is created and no checkpoint moves."""
    require_reader(actor)
    _doc, rule = compile_upload(store, text)
    since = now - timedelta(days=days)
    shown: list[Event] = []
    total = 0
    hits = store.events.scan(
        [rule.condition], after=0, upto=store.events.last_position(), prefilter=rule.prefilter
    )
    for hit in hits:
        if not since <= hit.event.timestamp <= now:
            continue
        total += 1
        if len(shown) < PREVIEW_SHOWN:
            shown.append(hit.event)
        if total >= PREVIEW_COUNTED:
            return Preview(rule.rule_id, rule.title, days, shown, total, True)
    return Preview(rule.rule_id, rule.title, days, shown, total, False)

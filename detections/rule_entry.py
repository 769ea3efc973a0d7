"""One rule as the catalogue shows it, read from its Sigma document (not compiled)."""

from dataclasses import dataclass
from typing import Any

__all__ = ["RuleEntry", "attack_techniques", "entry_from_document"]


@dataclass(frozen=True, slots=True)
class RuleEntry:
    rule_id: str
    title: str
    pack: str  # the rule folder it came from, or "uploaded"
    level: str  # Sigma's level: informational, low, medium, high, critical
    status: str  # Sigma's status: stable, test, experimental, deprecated, unsupported
    techniques: tuple[str, ...]  # ATT&CK ids from the tags (attack.t1059.001 -> T1059.001)
    tags: tuple[str, ...]
    description: str
    source: str  # the file, or uploaded/<id> for an uploaded rule (kept in the store)
    text: str  # the rule's YAML as written
    error: str | None = None  # why it did not compile (pySigma's reason)
    uploaded: bool = False


def attack_techniques(tags: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(t.split(".", 1)[1].upper() for t in tags if t.lower().startswith("attack.t"))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def entry_from_document(
    doc: dict[str, Any],
    *,
    rule_id: str,
    pack: str,
    source: str,
    text: str,
    error: str | None,
    uploaded: bool = False,
) -> RuleEntry:
    tags = tuple(str(t) for t in doc.get("tags") or () if t is not None)
    return RuleEntry(
        rule_id=rule_id,
        title=_text(doc.get("title")),
        pack=pack,
        level=_text(doc.get("level")).lower() or "medium",
        status=_text(doc.get("status")).lower(),
        techniques=attack_techniques(tags),
        tags=tags,
        description=_text(doc.get("description")),
        source=source,
        text=text,
        error=error,
        uploaded=uploaded,
    )

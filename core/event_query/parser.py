"""The event query language, parsed by hand into ``core.event_query.ast`` (never handed to
an engine's own query parser).

Grammar (``|`` alternatives, ``?`` optional, ``*`` repeated; keywords in capitals)::

    query   := or?                                  (empty: every event)
    or      := and (OR and)*
    and     := unary (AND? unary)*                  (two terms side by side: AND)
    unary   := NOT unary | "(" or ")" | term
    term    := FIELD ":" value | WORD | PHRASE      (no field: the original record)
    value   := PHRASE                               exact text, wildcards literal
             | "[" bound TO bound "]"               range; "{" "}" leave a bound out
             | (">" | ">=" | "<" | "<=") bound
             | ADDRESS "/" BITS                     CIDR (address fields only)
             | "*"                                  the field has a value
             | WORD                                 exact, or * and ? as wildcards
    bound   := NUMBER | TIME | "*"                  (times on @timestamp, event.ingested)

A WORD runs to the next space or parenthesis; ``\\`` takes the next character literally
(``C\\:\\\\Windows``). A PHRASE is in double quotes, with ``\\"`` and ``\\\\`` inside. A TIME
is ISO 8601 (``2026-01-01``, ``2026-01-01T08:00``); without a zone it is Taipei time; a
day alone, as a value, means the whole day. Text comparisons ignore case, except on
``event.id``, ``event.dataset`` and ``organization.id``.

Errors are InputErrors with the 1-based position, under catalogue keys ``err_search_*``.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime, timedelta

from core.clock import TAIPEI
from core.errors import InputError
from core.event_query.ast import (
    And,
    Bound,
    Cidr,
    Equals,
    Exists,
    Match,
    Node,
    Not,
    Or,
    Range,
    Test,
    Wildcard,
)
from core.event_query.fields import FIELD_NAME, TIME_FIELDS, is_address_field

__all__ = ["MAX_QUERY_LENGTH", "parse"]

MAX_QUERY_LENGTH = 4000  # characters; a hunt is a line, not a document
MAX_DEPTH = 50  # nested parentheses and NOTs (the parser recurses)
_KEYWORDS = frozenset({"AND", "OR", "NOT", "TO"})
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CIDR = re.compile(r"[0-9A-Fa-f:.]+/[0-9]{1,3}")
_STOP = frozenset(' \t\r\n()"')


def _error(key: str, message: str, position: int, **params: object) -> InputError:
    return InputError(
        f"query, at character {position + 1}: {message}",
        location="q",
        key=f"search_{key}",
        params={"position": position + 1, **params},
    )


class _Word:
    """An unquoted word as written: its text, which characters were escaped, where."""

    def __init__(self, chars: list[tuple[str, bool]], start: int) -> None:
        self.chars = chars  # (character, escaped)
        self.start = start

    @property
    def text(self) -> str:
        return "".join(c for c, _ in self.chars)

    def wild(self) -> bool:
        return any(c in "*?" and not e for c, e in self.chars)

    def test(self) -> Test:
        if not self.wild():
            return Equals(self.text)
        parts: list[str] = [""]
        for c, escaped in self.chars:
            if c in "*?" and not escaped:
                parts += [c, ""]
            else:
                parts[-1] += c
        return Wildcard(tuple(parts))


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.depth = 0

    # -- characters ------------------------------------------------------------------------

    def _space(self) -> None:
        while self.at < len(self.text) and self.text[self.at].isspace():
            self.at += 1

    def _peek(self) -> str:
        self._space()
        return self.text[self.at] if self.at < len(self.text) else ""

    def _keyword(self) -> str | None:
        """The keyword at the cursor (not consumed), if one stands there as a whole word."""
        self._space()
        for word in _KEYWORDS:
            end = self.at + len(word)
            if self.text.startswith(word, self.at) and (
                end == len(self.text) or self.text[end] in _STOP
            ):
                return word
        return None

    def _take_keyword(self, word: str) -> bool:
        if self._keyword() == word:
            self.at += len(word)
            return True
        return False

    def _word(self, stop: str = "") -> _Word:
        start = self.at
        chars: list[tuple[str, bool]] = []
        while self.at < len(self.text):
            c = self.text[self.at]
            if c in _STOP or c in stop:
                break
            if c == "\\":
                if self.at + 1 == len(self.text):
                    raise _error("dangling_escape", "a \\ must be followed by a character", self.at)
                chars.append((self.text[self.at + 1], True))
                self.at += 2
                continue
            chars.append((c, False))
            self.at += 1
        return _Word(chars, start)

    def _phrase(self) -> str:
        start = self.at
        self.at += 1  # the opening quote
        out: list[str] = []
        while self.at < len(self.text):
            c = self.text[self.at]
            if c == '"':
                self.at += 1
                return "".join(out)
            if c == "\\" and self.at + 1 < len(self.text):
                out.append(self.text[self.at + 1])
                self.at += 2
                continue
            out.append(c)
            self.at += 1
        raise _error("unclosed_quote", 'the quote opened here has no closing "', start)

    # -- grammar ---------------------------------------------------------------------------

    def query(self) -> Node | None:
        if self._peek() == "":
            return None
        node = self._or()
        if self._peek() != "":
            found = self.text[self.at]
            if found == ")":
                raise _error("unopened_paren", "this ) closes no (", self.at)
            raise _error("unexpected", f"unexpected {found!r}", self.at, found=found)
        return node

    def _or(self) -> Node:
        items = [self._and()]
        while self._take_keyword("OR"):
            items.append(self._and())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def _and(self) -> Node:
        items = [self._unary()]
        while True:
            if self._take_keyword("AND"):
                items.append(self._unary())
                continue
            nxt = self._peek()
            if nxt in ("", ")") or self._keyword() == "OR":
                break
            items.append(self._unary())  # side by side: AND
        return items[0] if len(items) == 1 else And(tuple(items))

    def _unary(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _error("too_deep", f"nested deeper than {MAX_DEPTH} levels", self.at)
        try:
            start = self.at
            if self._take_keyword("NOT"):
                return Not(self._unary())
            c = self._peek()
            if c == "":
                raise _error("expected_term", "a search term is missing at the end", self.at)
            if c == "(":
                opened = self.at
                self.at += 1
                if self._peek() == ")":
                    raise _error("empty_group", "the parentheses hold nothing", opened)
                node = self._or()
                if self._peek() != ")":
                    raise _error("unclosed_paren", "the ( opened here has no )", opened)
                self.at += 1
                return node
            if c == ")":
                raise _error("expected_term", "a search term is missing before )", self.at)
            keyword = self._keyword()
            if keyword is not None:
                raise _error(
                    "misplaced_keyword",
                    f"{keyword} needs a term on each side",
                    start,
                    word=keyword,
                )
            return self._term()
        finally:
            self.depth -= 1

    def _term(self) -> Node:
        start = self.at
        if self.text[self.at] == '"':
            return Match(None, Equals(self._phrase()))
        word = self._word(stop=":")
        if self.at < len(self.text) and self.text[self.at] == ":":
            name = word.text
            if not FIELD_NAME.fullmatch(name) or any(e for _, e in word.chars):
                raise _error("bad_field", f"{name!r} is not a field name", start, field=name)
            self.at += 1
            return Match(name, self._value(name))
        return Match(None, word.test())  # a bare word: the original record contains it

    def _value(self, field: str) -> Test:
        at = self.at
        c = self.text[at] if at < len(self.text) else ""
        if c in ("", " ", "\t", "\r", "\n", ")", "("):
            raise _error("expected_value", f"{field}: needs a value", at, field=field)
        if c == '"':
            return _on_time_field(field, self._phrase(), at)
        if c in "[{":
            return self._range(field)
        if c in "<>":
            self.at += 1
            inclusive = self.text.startswith("=", self.at)
            self.at += inclusive
            bound = self._bound(field, self._word())
            if bound is None:
                raise _error("expected_bound", f"{field}: {c} needs a value", self.at, field=field)
            if c == ">":
                return Range(bound, None, include_low=inclusive)
            return Range(None, bound, include_high=inclusive)
        word = self._word()
        text = word.text
        if text == "*" and not word.chars[0][1]:
            return Exists()
        if not word.wild() and _CIDR.fullmatch(text) and not any(e for _, e in word.chars):
            return _cidr(field, text, at)
        if field in TIME_FIELDS:
            if word.wild():
                raise _error(
                    "time_wildcard", f"{field} takes times, not wildcards", at, field=field
                )
            return _on_time_field(field, text, at)
        return word.test()

    def _range(self, field: str) -> Range:
        opened = self.at
        include_low = self.text[self.at] == "["
        self.at += 1
        self._space()
        low = self._bound(field, self._word(stop="]}"))
        if not self._take_keyword("TO"):
            raise _error("expected_to", "a range is written [low TO high]", self.at)
        self._space()
        high = self._bound(field, self._word(stop="]}"))
        self._space()
        if self.at >= len(self.text) or self.text[self.at] not in "]}":
            raise _error("unclosed_range", "the range opened here has no ] or }", opened)
        include_high = self.text[self.at] == "]"
        self.at += 1
        if low is not None and high is not None and type(low) is not type(high):
            raise _error("bad_range", "both ends of a range must be the same kind", opened)
        return Range(low, high, include_low, include_high)

    def _bound(self, field: str, word: _Word) -> Bound:
        text = word.text
        if text == "*":
            return None
        if not text:
            raise _error(
                "expected_bound", f"{field}: a range needs a value", word.start, field=field
            )
        if field in TIME_FIELDS:
            return _time(text, word.start)[0]
        if not _NUMBER.fullmatch(text):
            raise _error(
                "bad_number",
                f"{field}: {text!r} is not a number (ranges take numbers, or times on "
                f"{' and '.join(sorted(TIME_FIELDS))})",
                word.start,
                field=field,
                value=text,
            )
        return float(text)


def _time(text: str, at: int) -> tuple[datetime, bool]:
    """(the time in UTC, whether only a day was written)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise _error(
            "bad_time",
            f"{text!r} is not a time: write 2026-01-01 or 2026-01-01T08:00",
            at,
            value=text,
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=TAIPEI)
    try:
        return value.astimezone(UTC), bool(_DAY.fullmatch(text))
    except OverflowError:
        raise _error("bad_time", f"{text!r} is out of range", at, value=text) from None


def _on_time_field(field: str, text: str, at: int) -> Test:
    """A value on a time field is the instant, or the whole day when a day is given."""
    if field not in TIME_FIELDS:
        return Equals(text)
    moment, day = _time(text, at)
    if day:
        return Range(moment, moment + timedelta(days=1), include_high=False)
    return Range(moment, moment)


def _cidr(field: str, text: str, at: int) -> Cidr:
    if not is_address_field(field):
        raise _error(
            "cidr_field",
            f"{field} is not an address field: CIDR works on fields such as source.ip "
            "(quote the value to search for the text)",
            at,
            field=field,
        )
    try:
        return Cidr(ipaddress.ip_network(text, strict=False))
    except ValueError:
        raise _error(
            "bad_cidr", f"{text!r} is not a network such as 10.0.0.0/8", at, value=text
        ) from None


def parse(text: str) -> Node | None:
    """The query's tree (None: an empty query, every event); InputError naming the
    position and what was expected otherwise."""
    if len(text) > MAX_QUERY_LENGTH:
        raise InputError(
            f"the query is longer than {MAX_QUERY_LENGTH} characters",
            location="q",
            key="search_too_long",
            params={"limit": MAX_QUERY_LENGTH},
        )
    return _Parser(text).query()

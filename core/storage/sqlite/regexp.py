"""SQLite's ``REGEXP`` for Sigma's ``|re``, with a time limit on every evaluation.

Python's ``re`` backtracks: ``(a+)+$`` against ``aaaa…!`` takes exponential time, and
inside a detection scan that would hang the run for every rule. The ``regex`` package
takes a per-call ``timeout``; its default (V0) syntax is ``re``'s. (Elasticsearch needs
none of this: Lucene compiles a regexp to an automaton, which does not backtrack.)
"""

import functools

import regex

__all__ = ["REGEX_TIMEOUT_SECONDS", "RegexpGuard", "regexp"]

# One rule's regex against one field of one event. Ordinary patterns take microseconds on
# any field (records are at most CITYSOC_MAX_RECORD_BYTES); only runaway backtracking
# gets near this.
REGEX_TIMEOUT_SECONDS = 0.25


@functools.lru_cache(maxsize=4096)
def _pattern(pattern: str) -> "regex.Pattern[str] | None":
    try:
        return regex.compile(pattern)
    except regex.error:
        return None


def _timed_out(pattern: str, timeout: float) -> str:
    return (
        f"the regular expression {pattern!r} ran longer than {timeout * 1000:.0f} ms on one "
        "value (nested repetition such as (a+)+ backtracks without end); rewrite it"
    )


def regexp(pattern: str | None, value: object) -> bool:
    """``value REGEXP pattern`` (called as regexp(pattern, value)) outside a detection scan:
    a runaway pattern raises TimeoutError, which SQLite reports as the query's error."""
    if pattern is None or value is None:
        return False
    compiled = _pattern(pattern)
    try:
        return bool(compiled and compiled.search(str(value), timeout=REGEX_TIMEOUT_SECONDS))
    except TimeoutError:
        raise TimeoutError(_timed_out(pattern, REGEX_TIMEOUT_SECONDS)) from None


class RegexpGuard:
    """``REGEXP`` for one detection scan. A pattern that runs out of time on a value is
    noted with the reason (``timed_out``) and matches nothing for the rest of the scan, so
    a runaway rule costs one timeout, not one per event, and the other rules go on."""

    def __init__(self, timeout: float = REGEX_TIMEOUT_SECONDS) -> None:
        self.timeout = timeout
        self.timed_out: dict[str, str] = {}  # pattern -> reason

    def __call__(self, pattern: str | None, value: object) -> bool:
        if pattern is None or value is None or pattern in self.timed_out:
            return False
        compiled = _pattern(pattern)
        if compiled is None:
            return False
        try:
            return compiled.search(str(value), timeout=self.timeout) is not None
        except TimeoutError:
            self.timed_out[pattern] = _timed_out(pattern, self.timeout)
            return False

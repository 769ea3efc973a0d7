"""Record types and helpers both engines share, so neither keeps its own copy.

The Protocols ``ScanHit`` and ``AuditRow`` in ``core.storage.base`` say what a sub-store
returns; the frozen dataclasses of the same names here are what the engines return for them,
one for both. The helpers build values the engines must agree on (field text, the
stale-version error), and ``translate_public_methods`` is how each engine's sub-stores say
their errors as core.errors.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, overload

from core.errors import ConflictError
from core.events import Event, FieldValue

__all__ = ["AuditRow", "ScanHit", "stale_version", "text", "translate_public_methods"]


@dataclass(frozen=True, slots=True)
class ScanHit:
    """One event a detection scan matched: its position, the event, and the indexes of the
    conditions that matched it."""

    rowid: int
    event: Event
    matched: Sequence[int]


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One link of the hash-chained audit trail, as stored."""

    seq: int
    at: datetime
    actor: str
    action: str
    subject: str
    detail: str
    prev_hash: str
    hash: str


@overload
def text(value: None) -> None: ...
@overload
def text(value: str | int | float | bool) -> str: ...
@overload
def text(value: FieldValue) -> str | None: ...


def text(value: FieldValue) -> str | None:
    """A field value as the engines store it: booleans as ``true``/``false`` (as JSON and
    Sigma write them, not Python's ``True``), everything else ``str()``; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def stale_version(kind: str, record_id: str, expected_version: int) -> ConflictError:
    """The error for an update that named a version someone else has replaced since."""
    return ConflictError(
        f"{kind} {record_id} was changed by someone else since you loaded it "
        f"(you had version {expected_version}); reload it and apply your change again",
        location=kind,
    )


Translate = Callable[[Any, Exception], Exception | None]


def translate_public_methods(
    cls: type, errors: type[Exception] | tuple[type[Exception], ...], translate: Translate
) -> None:
    """Wrap every public method of a sub-store class so that an engine error (one of
    ``errors``) leaves as ``translate(self, error)`` raised from it, or unchanged when that
    is None (a bug stays loud). Called from the engines' ``SubStore.__init_subclass__``."""
    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and inspect.isfunction(member):
            setattr(cls, name, _translating(member, errors, translate))


def _translating(
    method: Callable[..., Any],
    errors: type[Exception] | tuple[type[Exception], ...],
    translate: Translate,
) -> Callable[..., Any]:
    """Generators (a detection scan) are translated while they are consumed."""

    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def generator(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from method(self, *args, **kwargs)
            except errors as exc:
                translated = translate(self, exc)
                if translated is None:
                    raise
                raise translated from exc

        return generator

    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except errors as exc:
            translated = translate(self, exc)
            if translated is None:
                raise
            raise translated from exc

    return call

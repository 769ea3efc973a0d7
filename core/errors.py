"""The one exception tree of CitySOC.

Every error says what went wrong, where (``location``), and how to fix it, so the CLI and
the API can show it to a person unchanged. Third-party errors are translated into these
where they enter (``raise ... from exc``).

The message is English, for programs and the CLI. An error a person meets on a page also
carries a catalogue ``key`` and its ``params``: the pages say it in their own language
(core.i18n.messages), the JSON API keeps the English message and the ``code``.
"""

from collections.abc import Mapping
from typing import ClassVar

__all__ = [
    "CitySocError",
    "ConfigError",
    "ConflictError",
    "ForbiddenError",
    "InputError",
    "NotFoundError",
    "RecordParseError",
    "RuleError",
    "TransitionError",
    "RateLimitedError",
    "UnauthenticatedError",
    "UnavailableError",
]


class CitySocError(Exception):
    """Root of our own errors. The message tells a person what, where, and how to fix it."""

    code: ClassVar[str] = "error"

    def __init__(
        self,
        message: str,
        *,
        location: str | None = None,
        key: str | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.key = key  # "err_<key>" in the catalogue (core.i18n); None: said by its code
        self.params = dict(params or {})

    def __str__(self) -> str:
        return f"{self.message} ({self.location})" if self.location else self.message


class InputError(CitySocError):
    """Bad input a person can fix (HTTP 422)."""

    code = "invalid_input"


class ConfigError(InputError):
    """A setting or configuration file is invalid."""

    code = "invalid_config"


class RecordParseError(InputError):
    """A log record cannot be parsed; it goes to the dead-letter store with this reason."""

    code = "unparsable_record"


class RuleError(InputError):
    """A Sigma rule cannot be loaded or compiled; the location names the rule file."""

    code = "invalid_rule"


class TransitionError(InputError):
    """An incident workflow step is not allowed from the current state."""

    code = "invalid_transition"


class NotFoundError(CitySocError):
    """Missing, or outside the actor's agencies (we do not reveal which) (HTTP 404)."""

    code = "not_found"


class UnauthenticatedError(CitySocError):
    """No valid credentials were presented (HTTP 401)."""

    code = "unauthenticated"


class RateLimitedError(CitySocError):
    """Too many attempts; try again later (HTTP 429)."""

    code = "rate_limited"


class ForbiddenError(CitySocError):
    """The actor's role may not perform the action (HTTP 403)."""

    code = "forbidden"


class ConflictError(CitySocError):
    """A stale version or a duplicate (HTTP 409)."""

    code = "conflict"


class UnavailableError(CitySocError):
    """A required engine, binary or partner is not reachable (HTTP 503)."""

    code = "unavailable"

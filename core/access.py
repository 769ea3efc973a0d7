"""Who may do what: roles, agency isolation, and ``require()``.

Checks live in the services (not only in pages): a reporter of agency A asking for agency
B's incident gets NotFoundError, exactly as if it did not exist.
"""

from dataclasses import dataclass
from enum import StrEnum

from core.errors import ForbiddenError, NotFoundError

__all__ = [
    "SYSTEM",
    "Action",
    "Actor",
    "Role",
    "allowed",
    "not_found",
    "require",
    "require_citywide",
    "require_visible",
]


class Role(StrEnum):
    ANALYST = "analyst"  # city SOC: all agencies, triage and incidents
    LEAD = "lead"  # city SOC lead: reviews levels as the superior agency
    REPORTER = "reporter"  # one agency's contact: files its own notifications
    AUDITOR = "auditor"  # read-only, all agencies
    ADMIN = "admin"
    SYSTEM = "system"  # the collectors and detection loop
    PARTNER = "partner"  # a partner city's SOC: the TAXII endpoints it is granted, nothing else


class Action(StrEnum):
    VIEW = "view"
    TRIAGE = "triage"
    OPEN_INCIDENT = "open_incident"
    EDIT_INCIDENT = "edit_incident"
    FILE_NOTIFICATION = "file_notification"
    REVIEW_LEVEL = "review_level"
    EXPORT = "export"
    SCAN = "scan"
    RECORD_DRILL = "record_drill"
    SHARE = "share"  # publish intelligence to partners, pull theirs
    # City-wide views that belong to no one agency (see require_citywide):
    READ_METRICS = "read_metrics"  # /metrics: counts of every agency's events and incidents
    READ_AUDIT = "read_audit"  # the audit trail and its verification: every agency's changes


_ALLOWED: dict[Role, frozenset[Action]] = {
    Role.ANALYST: frozenset(
        {
            Action.VIEW,
            Action.TRIAGE,
            Action.OPEN_INCIDENT,
            Action.EDIT_INCIDENT,
            Action.FILE_NOTIFICATION,
            Action.EXPORT,
            Action.SCAN,
            Action.RECORD_DRILL,
            Action.SHARE,
            Action.READ_METRICS,
            Action.READ_AUDIT,
        }
    ),
    Role.LEAD: frozenset(Action),
    Role.REPORTER: frozenset(
        {
            Action.VIEW,
            Action.OPEN_INCIDENT,
            Action.EDIT_INCIDENT,
            Action.FILE_NOTIFICATION,
            Action.EXPORT,
            Action.RECORD_DRILL,
        }
    ),
    # Auditors read the trail, not the operators' gauges (scrapers use an analyst's token).
    Role.AUDITOR: frozenset({Action.VIEW, Action.EXPORT, Action.READ_AUDIT}),
    Role.ADMIN: frozenset(Action),
    Role.SYSTEM: frozenset(
        {Action.VIEW, Action.TRIAGE, Action.OPEN_INCIDENT, Action.SCAN, Action.SHARE}
    ),
    # Partners act only through the TAXII grants in the partner registry (incidents.sharing).
    Role.PARTNER: frozenset(),
}


@dataclass(frozen=True, slots=True)
class Actor:
    name: str
    role: Role
    agency: str | None = None  # required for reporters

    def __post_init__(self) -> None:
        if self.role is Role.REPORTER and not self.agency:
            raise ValueError("a reporter must belong to one agency")

    def sees(self, agency: str) -> bool:
        if self.role is Role.PARTNER:
            return False  # a partner city sees none of our agencies' records
        return self.role is not Role.REPORTER or agency == self.agency

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role.value}{'@' + self.agency if self.agency else ''})"


SYSTEM = Actor("citysoc", Role.SYSTEM)


def allowed(actor: Actor) -> frozenset[Action]:
    """What the actor's role may do (agency isolation aside)."""
    return _ALLOWED[actor.role]


def not_found(what: str) -> NotFoundError:
    """The one answer for a record that does not exist AND for one outside the actor's
    agencies: the same status and bytes (no id, no detail), so a caller cannot tell which.
    Services raise it for both cases, translating the store's own NotFoundError."""
    return NotFoundError(f"no such {what}, or not one you may see", location=what)


def require_visible(actor: Actor, agency: str, what: str) -> None:
    """Outside the actor's agencies: ``not_found(what)``, so existence is not revealed."""
    if not actor.sees(agency):
        raise not_found(what)


def require(actor: Actor, action: Action, agency: str, what: str = "record") -> None:
    require_visible(actor, agency, what)
    if action not in _ALLOWED[actor.role]:
        raise ForbiddenError(
            f"role {actor.role.value} may not {action.value.replace('_', ' ')}",
            location=what,
        )


def require_citywide(actor: Actor, action: Action, what: str, hint: str = "") -> None:
    """For a view of every agency at once (metrics, the audit trail): the role decides, and
    a role limited to one agency (a reporter) is refused even a count."""
    if action not in _ALLOWED[actor.role]:
        raise ForbiddenError(
            f"role {actor.role.value} may not {action.value.replace('_', ' ')}: the {what} "
            f"covers every agency{'; ' + hint if hint else ''}",
            location=what,
        )

"""Who may do what: roles and their actions (the matrix), an actor's scope (every agency,
one agency, or none), and the checks ``allowed()``, ``require()``, ``require_citywide()``
and ``require_right()``. Every role check in CitySOC goes through this module.

Checks live in the services (not only in pages): a reporter of agency A asking for agency
B's incident gets NotFoundError, exactly as if it did not exist.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from core.errors import ForbiddenError, NotFoundError

__all__ = [
    "SYSTEM",
    "Action",
    "Actor",
    "Role",
    "Scope",
    "allowed",
    "bound_to_one_agency",
    "not_found",
    "require",
    "require_citywide",
    "require_right",
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
    READ_INTEL = "read_intel"  # partners' intelligence: indicators, pulls, their hits
    READ_DEAD_LETTERS = "read_dead_letters"  # records that failed to parse, of every agency
    REPROCESS_DEAD_LETTERS = "reprocess_dead_letters"  # parse them again, store what parses
    READ_REVIEWS = "read_reviews"  # the review queue: the superior agency's work list
    READ_MESSAGES = "read_messages"  # the outbox of messages to people (and retrying them)
    READ_RULES = "read_rules"  # the rule catalogue, its exceptions, timings and alert counts
    MANAGE_RULES = "manage_rules"  # enable/disable rules, exceptions, upload rules
    # Rights that belong to no agency (see require_right):
    LIST_ACCOUNTS = "list_accounts"  # who has an account, with role and agency
    MANAGE_ACCOUNTS = "manage_accounts"  # create accounts; see and revoke anyone's tokens
    SIGN_IN = "sign_in"  # log in to the pages and call the JSON API (partners: TAXII only)
    HOLD_TOKENS = "hold_tokens"  # API tokens of one's own (every account, not the system)
    USE_TAXII = "use_taxii"  # open /taxii2/; which collections, the grants decide
    WRITE_TAXII = "write_taxii"  # add to every TAXII collection, whatever the grants say


# What every person with an account may do whatever their role (not the system, which is
# no account, nor partners, which reach only TAXII).
_PERSON = frozenset({Action.SIGN_IN, Action.HOLD_TOKENS})

_ALLOWED: dict[Role, frozenset[Action]] = {
    Role.ANALYST: _PERSON
    | {
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
        Action.READ_INTEL,
        Action.READ_DEAD_LETTERS,
        Action.REPROCESS_DEAD_LETTERS,
        Action.READ_REVIEWS,
        Action.READ_MESSAGES,
        Action.READ_RULES,
        Action.USE_TAXII,
    },
    # Leads may do everything but the administrators' own: accounts, and writing to every
    # TAXII collection.
    Role.LEAD: frozenset(Action) - {Action.MANAGE_ACCOUNTS, Action.WRITE_TAXII},
    Role.REPORTER: _PERSON
    | {
        Action.VIEW,
        Action.OPEN_INCIDENT,
        Action.EDIT_INCIDENT,
        Action.FILE_NOTIFICATION,
        Action.EXPORT,
        Action.RECORD_DRILL,
    },
    # Auditors read the trail, not the operators' gauges (scrapers use an analyst's token).
    Role.AUDITOR: _PERSON
    | {
        Action.VIEW,
        Action.EXPORT,
        Action.READ_AUDIT,
        Action.READ_INTEL,
        Action.READ_DEAD_LETTERS,
        Action.READ_REVIEWS,
        Action.LIST_ACCOUNTS,
        Action.READ_RULES,
        Action.USE_TAXII,
    },
    Role.ADMIN: frozenset(Action),
    Role.SYSTEM: frozenset(
        {Action.VIEW, Action.TRIAGE, Action.OPEN_INCIDENT, Action.SCAN, Action.SHARE}
    ),
    # Partners act only through the TAXII grants in the partner registry (incidents.sharing),
    # with tokens of their own; they cannot sign in.
    Role.PARTNER: frozenset({Action.USE_TAXII, Action.HOLD_TOKENS}),
}

# Roles bound to one agency: they see its records only, and each such actor names it.
_ONE_AGENCY = frozenset({Role.REPORTER})
# A partner city sees none of our agencies' records.
_NO_AGENCY = frozenset({Role.PARTNER})


def bound_to_one_agency(role: Role) -> bool:
    """Whether an account of this role belongs to one agency (and must name it)."""
    return role in _ONE_AGENCY


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose records an actor sees: every agency (city-wide), one agency, or none."""

    citywide: bool
    agency: str | None = None  # the one agency of an actor that is not city-wide

    def covers(self, agency: str) -> bool:
        """Whether records of ``agency`` are in scope ("*", every agency: city-wide only)."""
        return self.citywide or (self.agency is not None and agency == self.agency)

    def agencies(self, asked: Sequence[str] | None = None) -> list[str] | None:
        """The agencies a query may cover: what was asked (None: all) city-wide, else the
        actor's own agency whatever was asked (none at all without one)."""
        if self.citywide:
            return None if asked is None else list(asked)
        return [self.agency] if self.agency is not None else []


_CITYWIDE = Scope(citywide=True)
_NOWHERE = Scope(citywide=False)


@dataclass(frozen=True, slots=True)
class Actor:
    name: str
    role: Role
    agency: str | None = None  # required for reporters

    def __post_init__(self) -> None:
        if bound_to_one_agency(self.role) and not self.agency:
            raise ValueError(f"a {self.role.value} must belong to one agency")

    @property
    def scope(self) -> Scope:
        if self.role in _NO_AGENCY:
            return _NOWHERE
        if self.role in _ONE_AGENCY:
            return Scope(citywide=False, agency=self.agency)
        return _CITYWIDE  # an agency on a city-wide account narrows nothing

    def sees(self, agency: str) -> bool:
        return self.scope.covers(agency)

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
    return NotFoundError(
        f"no such {what}, or not one you may see",
        location=what,
        key="not_visible",
        params={"what": what},
    )


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
            key="role_may_not",
            params={"role": actor.role.value, "right": action.value},
        )


def require_right(actor: Actor, action: Action, message: str, location: str | None = None) -> None:
    """For a right no agency qualifies (accounts, intelligence, TAXII, the alert queue):
    the role alone decides. ``message`` tells the refused caller who holds the right."""
    if action not in _ALLOWED[actor.role]:
        raise ForbiddenError(
            message,
            location=location,
            key="role_may_not",
            params={"role": actor.role.value, "right": action.value},
        )


def require_citywide(actor: Actor, action: Action, what: str, hint: str = "") -> None:
    """For a view of every agency at once (metrics, the audit trail): the role decides, and
    a role limited to one agency (a reporter) is refused even a count."""
    require_right(
        actor,
        action,
        f"role {actor.role.value} may not {action.value.replace('_', ' ')}: the {what} "
        f"covers every agency{'; ' + hint if hint else ''}",
        what,
    )

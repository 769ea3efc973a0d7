"""What an administrator changes on an existing account (issue 16 item 7): a password
reset to a one-time password shown once, a change of role (and agency), and an API token
issued for the account's holder. Each is audited with the administrator as the actor;
disabling, enabling and unlocking stay in core.accounts."""

from pydantic import BaseModel, ConfigDict, Field

from core import audit
from core.access import Action, Actor, Role, bound_to_one_agency, require_right
from core.accounts import ApiToken, User, generate_password, hash_password, issue_token
from core.agencies import AgencyRegistry
from core.clock import Clock
from core.errors import InputError, NotFoundError
from core.storage.base import Store

__all__ = ["PEOPLE", "RoleChange", "change_role", "issue_token_for", "reset_password"]

# The roles a person can hold (system and partner accounts are not made or changed here).
PEOPLE = (Role.REPORTER, Role.ANALYST, Role.LEAD, Role.AUDITOR, Role.ADMIN)


class RoleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    agency: str | None = Field(default=None, max_length=200)


def _manage(actor: Actor) -> None:
    require_right(actor, Action.MANAGE_ACCOUNTS, "only administrators change accounts", "user")


def _update(store: Store, username: str, user: User) -> None:
    if store.accounts.update_user(username, lambda _doc: user.model_dump_json()) is None:
        raise NotFoundError(f"no user {username!r}", location="user", key="no_user")


def _user(store: Store, username: str) -> User:
    doc = store.accounts.get_user(username)
    if doc is None:
        raise NotFoundError(f"no user {username!r}", location="user", key="no_user")
    return User.model_validate_json(doc)


def reset_password(*, store: Store, actor: Actor, username: str, clock: Clock) -> str:
    """Give the account a new generated password, returned once to hand over (only its
    hash is kept); failed logins and a lockout are cleared. Audited (user.reset, never the
    password). Raises ForbiddenError, NotFoundError."""
    _manage(actor)
    user = _user(store, username)
    password = generate_password()
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    _update(store, username, user)
    audit.record(store, actor=actor, action="user.reset", subject=username, at=clock.now())
    return password


def change_role(
    *,
    store: Store,
    actor: Actor,
    registry: AgencyRegistry,
    username: str,
    change: RoleChange,
    clock: Clock,
) -> User:
    """A new role (and, for a reporter, the agency it belongs to). An administrator cannot
    change their own role (someone must remain who can undo it). Audited with old and new.
    Raises ForbiddenError, NotFoundError, InputError."""
    _manage(actor)
    if username == actor.name:
        raise InputError("you cannot change your own role", location="role", key="ops_role_self")
    if change.role not in PEOPLE:
        raise InputError(
            f"role {change.role.value} is not for people", location="role", key="ops_role_person"
        )
    agency = change.agency or None
    if bound_to_one_agency(change.role) and not agency:
        raise InputError(
            f"a {change.role.value} belongs to one agency: give the agency",
            location="agency",
            key="account_agency",
            params={"role": change.role.value},
        )
    if agency:
        registry.get(agency)
    user = _user(store, username)
    old = {"role": user.role.value, "agency": user.agency}
    user.role = change.role
    user.agency = agency if bound_to_one_agency(change.role) else None
    _update(store, username, user)
    new = {"role": user.role.value, "agency": user.agency}
    audit.record(
        store,
        actor=actor,
        action="user.role",
        subject=username,
        at=clock.now(),
        detail={"old": old, "new": new},
    )
    return user


def issue_token_for(
    *, store: Store, actor: Actor, username: str, name: str, clock: Clock
) -> tuple[str, ApiToken]:
    """An API token of ``username``'s (as `citysoc users token` issues), shown once; the
    administrator who issued it is audited beside the holder's own token.issue entry."""
    _manage(actor)
    holder = _user(store, username)
    plain, token = issue_token(store=store, actor=holder.actor(), name=name, clock=clock)
    audit.record(
        store,
        actor=actor,
        action="token.grant",
        subject=token.id,
        at=clock.now(),
        detail={"username": username, "name": token.name},
    )
    return plain, token

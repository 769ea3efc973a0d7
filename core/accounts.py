"""Accounts: users (argon2 password hashes), API tokens and browser sessions.

Secrets never leave this module in clear except once, to the person who asked for them:
passwords are stored as argon2 hashes; tokens and session ids as SHA-256 digests (they are
long random values, so a fast hash is enough). Five failed logins lock an account for
fifteen minutes. No account exists until an administrator creates one: there is no default.
"""

import functools
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from zxcvbn import zxcvbn

from core import audit
from core.access import (
    SYSTEM,
    Action,
    Actor,
    Role,
    allowed,
    bound_to_one_agency,
    not_found,
    require,
    require_right,
)
from core.agencies import AgencyRegistry
from core.clock import Clock
from core.errors import (
    ConflictError,
    ForbiddenError,
    InputError,
    NotFoundError,
    UnauthenticatedError,
)
from core.messages import MessageKind
from core.storage.base import Store

__all__ = [
    "INGEST_OWNER_PREFIX",
    "ApiToken",
    "SESSION_COOKIE",
    "User",
    "actor_for_session",
    "actor_for_token",
    "authenticate",
    "check_csrf",
    "create_user",
    "end_session",
    "find_user",
    "generate_password",
    "hash_password",
    "issue_token",
    "list_tokens",
    "list_users",
    "revoke_token",
    "set_disabled",
    "start_session",
    "token_digest",
    "unlock_user",
]

SESSION_COOKIE = "citysoc_session"
# The owner of an agency's ingest token (core.ingest_tokens): no username has a colon, so
# such a token never acts as a person.
INGEST_OWNER_PREFIX = "ingest:"
SESSION_LIFETIME = timedelta(hours=8)
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
MIN_PASSWORD_SCORE = 3  # zxcvbn: 0 (a common password) .. 4; 3 resists offline guessing
_hasher = PasswordHasher()
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
# Verifying against this keeps the time of a login for an unknown user like a real one.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class User(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str
    display_name: str
    role: Role
    agency: str | None
    password_hash: str
    disabled: bool = False
    failed_logins: int = 0
    locked_until: AwareDatetime | None = None
    created_at: AwareDatetime
    # The profile: how to reach the person (issue 15 puts it on the 通報單), the language
    # of their messages, and the message kinds they opted in to (none until they choose).
    email: str = ""
    phone: str = ""
    language: Literal["zh", "en"] = "zh"
    message_kinds: list[MessageKind] = Field(default_factory=list)

    def actor(self) -> Actor:
        return Actor(self.username, self.role, agency=self.agency)

    def profile(self) -> dict[str, object]:
        """What a profile shows (never the password hash or the lockout counters)."""
        return {
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role.value,
            "agency": self.agency,
            "email": self.email,
            "phone": self.phone,
            "language": self.language,
            "message_kinds": [k.value for k in self.message_kinds],
        }

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


class ApiToken(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    username: str
    name: str
    token_hash: str
    created_at: AwareDatetime
    revoked_at: AwareDatetime | None = None
    last_used_at: AwareDatetime | None = None


class _Session(BaseModel):
    username: str
    csrf_token: str
    created_at: AwareDatetime
    expires_at: AwareDatetime


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_digest(secret: str) -> str:
    """The stored form of a bearer token (tokens are long random values: SHA-256 suffices)."""
    return _digest(secret)


def _load_user(store: Store, username: str) -> User | None:
    doc = store.accounts.get_user(username)
    return User.model_validate_json(doc) if doc else None


def find_user(store: Store, username: str) -> User | None:
    return _load_user(store, username)


def _audit(
    store: Store,
    actor: Actor,
    action: str,
    subject: str,
    at: datetime,
    detail: dict[str, object] | None = None,
) -> None:
    audit.record(store, actor=actor, action=action, subject=subject, at=at, detail=detail)


def create_user(
    *,
    store: Store,
    actor: Actor,
    registry: AgencyRegistry,
    username: str,
    password: str,
    role: Role,
    clock: Clock,
    agency: str | None = None,
    display_name: str = "",
) -> User:
    """Only administrators create accounts. Raises InputError, ConflictError, ForbiddenError."""
    require_right(actor, Action.MANAGE_ACCOUNTS, "only administrators create accounts", "user")
    if not _USERNAME.match(username):
        raise InputError(
            "username must be 2-63 of a-z 0-9 . _ - and start with a letter or digit",
            location="username",
            key="username_form",
        )
    _check_password(password, username=username, display_name=display_name)
    if bound_to_one_agency(role) and not agency:
        raise InputError(
            f"a {role.value} belongs to one agency: give --agency",
            location="agency",
            key="account_agency",
            params={"role": role.value},
        )
    if role is Role.SYSTEM:
        raise InputError("the system role is not for people", location="role")
    if agency:
        registry.get(agency)
    now = clock.now()
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        agency=agency if bound_to_one_agency(role) else None,
        password_hash=_hasher.hash(password),
        created_at=now,
    )
    try:
        store.accounts.add_user(username, user.model_dump_json())
    except ConflictError as exc:  # said by name on the pages, not as a stale version
        raise ConflictError(
            exc.message, location="username", key="user_exists", params={"username": username}
        ) from None
    _audit(store, actor, "user.create", username, now, {"role": role.value, "agency": agency})
    return user


def _check_password(password: str, *, username: str, display_name: str) -> None:
    """Long enough, not built on the username, and not easy to guess: zxcvbn judges it
    against its lists of common passwords, names and words, keyboard patterns, dates and
    repeats. Raises InputError with zxcvbn's advice."""
    if len(password) < MIN_PASSWORD:
        raise InputError(
            f"password must have at least {MIN_PASSWORD} characters",
            location="password",
            key="password_short",
            params={"min": MIN_PASSWORD},
        )
    if len(password) > MAX_PASSWORD:
        raise InputError(
            f"password must have at most {MAX_PASSWORD} characters",
            location="password",
            key="password_long",
            params={"max": MAX_PASSWORD},
        )
    if username in password.lower():
        raise InputError(
            "password must not contain the username",
            location="password",
            key="password_has_username",
        )
    # zxcvbn's matching grows quickly with length; its authors judge the first 100 characters.
    judged = zxcvbn(password[:100], user_inputs=[username, display_name, "citysoc"])
    if judged["score"] < MIN_PASSWORD_SCORE:
        advice = " ".join([judged["feedback"]["warning"], *judged["feedback"]["suggestions"]])
        raise InputError(
            f"password is too easy to guess: {advice.strip() or 'choose a less common one.'} "
            "A few unrelated words make a good password.",
            location="password",
            key="password_weak",
        )


def list_users(*, store: Store, actor: Actor) -> list[User]:
    require(actor, Action.VIEW, "*", "users")
    require_right(
        actor, Action.LIST_ACCOUNTS, "only administrators, leads and auditors list accounts"
    )
    return [User.model_validate_json(d) for d in store.accounts.users()]


def generate_password() -> str:
    """A password for an administrator to hand over once: five random words-like chunks,
    far above the strength check (about 150 bits)."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(5))


def hash_password(password: str) -> str:
    """The stored form of a password (argon2); the password itself is never kept."""
    return _hasher.hash(password)


def _manage(actor: Actor) -> None:
    require_right(actor, Action.MANAGE_ACCOUNTS, "only administrators change accounts", "user")


def _changed(store: Store, username: str, change: Callable[[str], str]) -> User:
    updated = store.accounts.update_user(username, change)
    if updated is None:
        raise NotFoundError(f"no user {username!r}", location="user", key="no_user")
    return User.model_validate_json(updated)


def _with_disabled(doc: str, *, disabled: bool) -> str:
    return User.model_validate_json(doc).model_copy(update={"disabled": disabled}).model_dump_json()


def set_disabled(
    *, store: Store, actor: Actor, username: str, disabled: bool, clock: Clock
) -> User:
    """Disable an account (it can no longer sign in; its sessions and tokens stop working
    at their next use) or enable it again. Accounts are never deleted: the audit trail
    names them. An administrator cannot disable their own account (someone must remain
    who can undo it). Audited. Raises ForbiddenError, NotFoundError, InputError."""
    _manage(actor)
    if disabled and username == actor.name:
        raise InputError(
            "you cannot disable your own account", location="username", key="disable_self"
        )
    user = _changed(store, username, functools.partial(_with_disabled, disabled=disabled))
    action = "user.disable" if disabled else "user.enable"
    _audit(store, actor, action, username, clock.now())
    return user


def _unlocked(doc: str) -> str:
    user = User.model_validate_json(doc)
    user.failed_logins, user.locked_until = 0, None
    return user.model_dump_json()


def unlock_user(*, store: Store, actor: Actor, username: str, clock: Clock) -> User:
    """Clear an account's failed logins and lockout before the fifteen minutes pass
    (the person called the administrator). Audited. Raises ForbiddenError, NotFoundError."""
    _manage(actor)
    user = _changed(store, username, _unlocked)
    _audit(store, actor, "user.unlock", username, clock.now())
    return user


def authenticate(*, store: Store, username: str, password: str, clock: Clock) -> User:
    """The account, if the password is right and the account may log in now.

    Every refusal looks and costs the same, so neither the answer nor its time tells an
    existing account from an unknown, partner, disabled or locked one: one argon2
    verification (against a dummy hash for unknown names), one counted failure (a no-op
    for unknown names), one audit entry, one message. Raises UnauthenticatedError.
    """
    now = clock.now()
    user = _load_user(store, username)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        matches = user is not None
    except (VerificationError, InvalidHashError):
        matches = False
    # Partners use TAXII tokens, never pages; a locked account waits even with the right
    # password (else guessing could go on while locked).
    signs_in = user is not None and Action.SIGN_IN in allowed(user.actor())
    if user is not None and matches and not user.disabled and signs_in:
        try:
            cleared = store.accounts.update_user(username, functools.partial(_cleared, now=now))
        except _LockedError:
            cleared = None
        if cleared is not None:
            return User.model_validate_json(cleared)
    counted = _count_failure(store, username, now)
    _audit(
        store,
        SYSTEM,  # whoever typed the name is not known to be its holder
        "auth.failure",
        username[:64],  # what was typed; a real username is shorter
        now,
        {"locked": counted is not None and counted.locked(now)},
    )
    raise UnauthenticatedError(
        f"wrong username or password (after {MAX_FAILED_LOGINS} failed logins an account "
        f"is locked for {LOCKOUT.seconds // 60} minutes)",
        location="login",
        key="login_failed",
        params={"failures": MAX_FAILED_LOGINS, "minutes": LOCKOUT.seconds // 60},
    )


def _count_failure(store: Store, username: str, now: datetime) -> User | None:
    """One more failed login, counted atomically (parallel guesses each count): the
    account locks when the count reaches MAX_FAILED_LOGINS, and a lock that has passed
    starts the count again."""

    def count(doc: str) -> str:
        user = User.model_validate_json(doc)
        if user.locked_until and now >= user.locked_until:
            user.failed_logins, user.locked_until = 0, None
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS and user.locked_until is None:
            user.locked_until = now + LOCKOUT
        return user.model_dump_json()

    updated = store.accounts.update_user(username, count)
    return User.model_validate_json(updated) if updated else None


class _LockedError(Exception):
    """The account locked between reading it and clearing its count."""


def _cleared(doc: str, *, now: datetime) -> str:
    user = User.model_validate_json(doc)
    if user.locked(now):
        raise _LockedError
    user.failed_logins, user.locked_until = 0, None
    return user.model_dump_json()


def start_session(*, store: Store, user: User, clock: Clock) -> tuple[str, str]:
    """A new session for a fresh login: (session id for the cookie, CSRF token)."""
    now = clock.now()
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    doc = _Session(
        username=user.username, csrf_token=csrf, created_at=now, expires_at=now + SESSION_LIFETIME
    )
    store.accounts.put_session(
        _digest(session_id), user.username, doc.expires_at.isoformat(), doc.model_dump_json()
    )
    _audit(store, user.actor(), "auth.login", user.username, now)
    return session_id, csrf


def actor_for_session(*, store: Store, session_id: str, clock: Clock) -> tuple[Actor, str]:
    """The session's actor and CSRF token. Raises UnauthenticatedError if expired or unknown."""
    doc = store.accounts.session(_digest(session_id))
    if doc is None:
        raise UnauthenticatedError(
            "session expired or unknown; log in again", location="cookie", key="session_expired"
        )
    session = _Session.model_validate_json(doc)
    user = _load_user(store, session.username)
    if clock.now() >= session.expires_at or user is None or user.disabled:
        store.accounts.delete_session(_digest(session_id))
        raise UnauthenticatedError(
            "session expired; log in again", location="cookie", key="session_expired"
        )
    return user.actor(), session.csrf_token


def end_session(*, store: Store, session_id: str) -> None:
    store.accounts.delete_session(_digest(session_id))


def check_csrf(expected: str, given: str | None) -> None:
    if not given or not hmac.compare_digest(expected.encode(), given.encode()):
        raise ForbiddenError(
            "missing or wrong CSRF token (X-CSRF-Token header)",
            location="header.x-csrf-token",
            key="csrf",
        )


def issue_token(*, store: Store, actor: Actor, name: str, clock: Clock) -> tuple[str, ApiToken]:
    """A bearer token for programs, shown once: only its hash is kept."""
    if Action.HOLD_TOKENS not in allowed(actor) or _load_user(store, actor.name) is None:
        raise ForbiddenError("API tokens belong to user accounts", location="token")
    if not name.strip():
        raise InputError("name the token after the program that will use it", location="name")
    now = clock.now()
    plain = f"csoc_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        id=f"tok_{secrets.token_hex(6)}",
        username=actor.name,
        name=name.strip(),
        token_hash=_digest(plain),
        created_at=now,
    )
    store.accounts.put_token(token.id, actor.name, token.token_hash, token.model_dump_json())
    _audit(store, actor, "token.issue", token.id, now, {"name": token.name})
    return plain, token


def list_tokens(*, store: Store, actor: Actor) -> list[ApiToken]:
    owner = None if Action.MANAGE_ACCOUNTS in allowed(actor) else actor.name
    return [ApiToken.model_validate_json(d) for d in store.accounts.tokens(owner)]


def revoke_token(*, store: Store, actor: Actor, token_id: str, clock: Clock) -> ApiToken:
    doc = store.accounts.token(token_id)
    token = ApiToken.model_validate_json(doc) if doc else None
    others = Action.MANAGE_ACCOUNTS in allowed(actor)
    if token is None or (token.username != actor.name and not others):
        raise not_found("token")  # another's token and a made-up id answer alike
    now = clock.now()
    token.revoked_at = token.revoked_at or now
    store.accounts.put_token(token.id, token.username, token.token_hash, token.model_dump_json())
    _audit(store, actor, "token.revoke", token.id, now)
    return token


def actor_for_token(*, store: Store, token: str) -> Actor:
    """Raises UnauthenticatedError for an unknown or revoked token."""
    doc = store.accounts.token_by_hash(_digest(token))
    found = ApiToken.model_validate_json(doc) if doc else None
    if found is not None and found.username.startswith(INGEST_OWNER_PREFIX):
        raise ForbiddenError(
            "an ingest token only sends events to POST /api/v1/ingest; "
            "use a person's API token here",
            location="header.authorization",
            key="ingest_token_elsewhere",
        )
    user = _load_user(store, found.username) if found else None
    if found is None or found.revoked_at is not None or user is None or user.disabled:
        raise UnauthenticatedError("unknown or revoked API token", location="header.authorization")
    return user.actor()

"""The first administrator of an empty store, created with a one-time code.

`citysoc serve` on a store without any account issues a ``FirstRunCode`` and prints it on
its console, and only there: it is never logged, stored or audited. Whoever can read that
console is the operator, so the code stands in for the administrator nobody is yet. The
first-run page (api/pages/first_run.py) takes it with the new administrator's name and
password. The code is random (60 bits), single use, expires, is compared in constant time,
is void after ``MAX_WRONG`` wrong tries (a restart issues a new one), and is refused once
any account exists. The creation and every refusal are audited.
"""

import hmac
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from core import audit
from core.access import SYSTEM, Actor, Role
from core.accounts import User, create_user
from core.agencies import AgencyRegistry
from core.clock import Clock
from core.errors import ConflictError, UnauthenticatedError
from core.storage.base import Store

__all__ = [
    "CODE_LIFETIME",
    "FIRST_RUN",
    "MAX_WRONG",
    "FirstRunCode",
    "accounts_exist",
    "create_first_admin",
]

CODE_LIFETIME = timedelta(hours=1)
MAX_WRONG = 10  # with the per-client login limit, guessing 60 bits stays hopeless
FIRST_RUN = Actor("first-run", Role.ADMIN)  # who creates the first administrator, in the trail
# Crockford's base32 without I, L, O, U: nothing to misread when copying from a terminal.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_LENGTH = 12
_MAX_GIVEN = 64  # longer input is wrong without looking at it


def _normalized(given: str) -> str:
    """What a person typed, as the code is kept: upper case, no spaces or dashes."""
    return "".join(given.split()).replace("-", "").upper()


class FirstRunCode:
    """One code, issued at start; ``redeem`` runs the creation while holding the code, so
    two submissions cannot both use it, and a refused creation (a weak password) leaves it
    usable."""

    def __init__(self, secret: str, expires_at: datetime) -> None:
        self._secret = secret
        self.expires_at = expires_at
        self._used = False
        self._wrong = 0
        self._lock = threading.Lock()

    @classmethod
    def issue(cls, clock: Clock, lifetime: timedelta = CODE_LIFETIME) -> "FirstRunCode":
        secret = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
        return cls(secret, clock.now() + lifetime)

    def shown(self) -> str:
        """The code as printed on the console, in groups of four."""
        return "-".join(self._secret[i : i + 4] for i in range(0, _LENGTH, 4))

    def __repr__(self) -> str:  # never the secret, whatever prints this object
        return f"FirstRunCode(expires_at={self.expires_at.isoformat()}, used={self._used})"

    @contextmanager
    def redeem(self, given: str, *, now: datetime) -> Iterator[None]:
        """Holds the code while the caller's block creates the account; the code is spent
        only when that block ends without an error. Raises UnauthenticatedError (wrong,
        expired, void) or ConflictError (used)."""
        with self._lock:
            self._check(given, now)
            yield
            self._used = True

    def _check(self, given: str, now: datetime) -> None:
        if self._used:
            raise ConflictError(
                "the one-time code was used already: the first administrator exists; log in",
                location="code",
                key="first_run_used",
            )
        if self._wrong >= MAX_WRONG:
            raise UnauthenticatedError(
                f"the one-time code is void after {MAX_WRONG} wrong tries; restart "
                "`citysoc serve` to print a new one",
                location="code",
                key="first_run_void",
                params={"max": MAX_WRONG},
            )
        if now >= self.expires_at:
            raise UnauthenticatedError(
                "the one-time code has expired; restart `citysoc serve` to print a new one",
                location="code",
                key="first_run_expired",
            )
        typed = _normalized(given[:_MAX_GIVEN])
        if not hmac.compare_digest(typed.encode(), self._secret.encode()):
            self._wrong += 1
            raise UnauthenticatedError(
                "wrong one-time code: copy it from the console where `citysoc serve` started",
                location="code",
                key="first_run_wrong",
            )


def accounts_exist(store: Store) -> bool:
    return bool(store.accounts.users())


def create_first_admin(
    *,
    store: Store,
    registry: AgencyRegistry,
    code: FirstRunCode | None,
    given_code: str,
    username: str,
    password: str,
    clock: Clock,
    display_name: str = "",
) -> User:
    """The first administrator, if ``given_code`` is the console's code and no account
    exists yet. Raises UnauthenticatedError, ConflictError, or InputError (the username or
    password, as ``citysoc users create`` would; the code stays usable)."""
    now = clock.now()
    try:
        if code is None:
            raise UnauthenticatedError(
                "this server printed no one-time code (it started with accounts, or not from "
                "`citysoc serve`); create the administrator with `citysoc users create NAME "
                "--role admin`",
                location="code",
                key="first_run_no_code",
            )
        with code.redeem(given_code, now=now):
            if accounts_exist(store):
                raise ConflictError(
                    "an account exists already: the first run is over; log in, and ask an "
                    "administrator for an account",
                    location="code",
                    key="first_run_over",
                )
            return create_user(
                store=store,
                actor=FIRST_RUN,
                registry=registry,
                username=username,
                password=password,
                role=Role.ADMIN,
                clock=clock,
                display_name=display_name,
            )
    except (UnauthenticatedError, ConflictError) as exc:
        audit.record(
            store,
            actor=SYSTEM,  # whoever typed the code is not known to be the operator
            action="auth.failure",
            subject=FIRST_RUN.name,
            at=now,
            detail={"first_run": exc.message},
        )
        raise

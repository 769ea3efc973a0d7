"""Logins under attack, on both engines: parallel guessing locks the account with an exact
count, and no answer (or amount of work) tells an existing account from any other."""

import threading

import pytest

from core import accounts
from core.access import Actor, Role
from core.errors import UnauthenticatedError

ADMIN = Actor("root-admin", Role.ADMIN)
PASSWORD = "correct horse battery staple"
GUESSES = 12  # more than MAX_FAILED_LOGINS, all in flight at once


@pytest.fixture
def engine(both_engines: str) -> str:
    return both_engines


def make_user(soc, username="amy", role=Role.ANALYST):
    return accounts.create_user(
        store=soc.store,
        actor=ADMIN,
        registry=soc.registry,
        username=username,
        password=PASSWORD,
        role=role,
        clock=soc.clock,
    )


def refusal(soc, username, password=PASSWORD) -> str:
    with pytest.raises(UnauthenticatedError) as refused:
        accounts.authenticate(
            store=soc.store, username=username, password=password, clock=soc.clock
        )
    return refused.value.message


def failures(soc, username):
    return [r for r in soc.store.audit.rows(subject=username) if r.action == "auth.failure"]


def test_parallel_wrong_passwords_lock_the_account_and_count_every_failure(soc):
    make_user(soc)
    start = threading.Barrier(GUESSES)
    refused: list[str] = []

    def guess(n: int) -> None:
        start.wait()  # every thread reads the account before any of them writes
        refused.append(refusal(soc, "amy", password=f"guess number {n}"))

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(GUESSES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(refused) == GUESSES
    user = accounts.find_user(soc.store, "amy")
    assert user is not None
    assert user.failed_logins == GUESSES
    assert user.locked_until == soc.clock.now() + accounts.LOCKOUT
    assert len(failures(soc, "amy")) == GUESSES
    refusal(soc, "amy")  # the right password waits for the lock to pass


def test_the_lock_passes_and_a_good_login_clears_the_count(soc):
    make_user(soc)
    for _ in range(accounts.MAX_FAILED_LOGINS):
        refusal(soc, "amy", password="not the password")
    refusal(soc, "amy")
    soc.clock.advance(accounts.LOCKOUT)
    assert (
        accounts.authenticate(
            store=soc.store, username="amy", password=PASSWORD, clock=soc.clock
        ).username
        == "amy"
    )
    user = accounts.find_user(soc.store, "amy")
    assert user is not None and user.failed_logins == 0 and user.locked_until is None

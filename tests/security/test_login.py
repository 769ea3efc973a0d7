"""Logins under attack, on both engines: parallel guessing locks the account with an exact
count, and no answer (or amount of work) tells an existing account from any other."""

import threading

import argon2
import pytest

from core import accounts
from core.access import SYSTEM, Role
from core.errors import UnauthenticatedError
from tests.factories import PASSWORD, make_user

GUESSES = 12  # more than MAX_FAILED_LOGINS, all in flight at once


@pytest.fixture
def engine(both_engines: str) -> str:
    return both_engines


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


@pytest.fixture
def kinds(soc):
    """One account of each kind a login can name, and the password that would be right."""
    make_user(soc, "amy")
    make_user(soc, "locked-out")
    for _ in range(accounts.MAX_FAILED_LOGINS):
        refusal(soc, "locked-out", password="not the password")
    make_user(soc, "partner.nantou-county", role=Role.PARTNER)
    gone = make_user(soc, "gone")
    soc.store.accounts.put_user(
        "gone", gone.model_copy(update={"disabled": True}).model_dump_json()
    )
    return {
        "wrong password": ("amy", "not the password"),
        "unknown": ("nobody-here", PASSWORD),
        "locked": ("locked-out", PASSWORD),
        "partner": ("partner.nantou-county", PASSWORD),
        "disabled": ("gone", PASSWORD),
    }


def test_every_refusal_gives_the_same_answer(soc, kinds):
    answers = {kind: refusal(soc, *credentials) for kind, credentials in kinds.items()}
    assert len(set(answers.values())) == 1, answers
    assert "wrong username or password" in answers["unknown"]


def test_every_refusal_does_the_same_work(soc, kinds, monkeypatch):
    """One argon2 verification (the expensive part, done for real) and one audit entry."""
    calls = []
    real_verify = argon2.PasswordHasher.verify

    def counting_verify(hasher, hash_, password):
        calls.append(hash_)
        return real_verify(hasher, hash_, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting_verify)
    for kind, (username, password) in kinds.items():
        before, audited = len(calls), len(failures(soc, username))
        refusal(soc, username, password)
        assert len(calls) - before == 1, f"{kind}: {len(calls) - before} verifications"
        assert len(failures(soc, username)) == audited + 1, f"{kind}: not audited"


def test_failed_logins_are_audited_by_the_system_not_the_account(soc):
    make_user(soc)
    refusal(soc, "amy", password="not the password")
    [entry] = failures(soc, "amy")
    assert entry.actor == SYSTEM.label  # whoever typed it is not known to be amy
    assert "not the password" not in entry.detail

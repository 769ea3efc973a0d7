"""AccountStore on both engines: users (added once, replaced, changed atomically), API
tokens by id and by hash, and sessions by hash."""

import json
import threading

import pytest

from core.errors import ConflictError
from core.storage import Store

WRITERS = 8
ROUNDS = 5


def user(name: str, **extra: object) -> str:
    return json.dumps({"username": name, **extra})


def test_a_username_is_added_once_and_put_replaces(store: Store):
    accounts = store.accounts
    assert accounts.get_user("amy") is None and accounts.users() == []
    accounts.add_user("amy", user("amy"))
    with pytest.raises(ConflictError, match="already exists"):
        accounts.add_user("amy", user("amy", role="admin"))
    assert accounts.get_user("amy") == user("amy")
    accounts.put_user("amy", user("amy", disabled=True))
    accounts.put_user("bob", user("bob"))  # put also creates
    accounts.add_user("al", user("al"))
    assert accounts.get_user("amy") == user("amy", disabled=True)
    assert accounts.users() == [user("al"), user("amy", disabled=True), user("bob")]


def test_update_user_replaces_with_the_change_and_knows_no_stranger(store: Store):
    store.accounts.add_user("amy", user("amy", failed=0))
    bumped = store.accounts.update_user("amy", lambda _doc: user("amy", failed=1))
    assert bumped == user("amy", failed=1) == store.accounts.get_user("amy")
    called: list[str] = []
    assert store.accounts.update_user("nobody", lambda d: called.append(d) or d) is None
    assert called == [] and store.accounts.get_user("nobody") is None


def test_what_the_change_raises_leaves_the_user_as_it_was(store: Store):
    store.accounts.add_user("amy", user("amy", failed=0))

    def refuse(document: str) -> str:
        raise LookupError("locked")

    with pytest.raises(LookupError, match="locked"):
        store.accounts.update_user("amy", refuse)
    assert store.accounts.get_user("amy") == user("amy", failed=0)


def test_parallel_updates_each_land(store: Store):
    """The lockout counter's guarantee: no update is lost between a read and a write."""
    store.accounts.add_user("amy", json.dumps({"failed": 0}))
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def bump(document: str) -> str:
        return json.dumps({"failed": json.loads(document)["failed"] + 1})

    def writer() -> None:
        try:
            start.wait()
            for _ in range(ROUNDS):
                store.accounts.update_user("amy", bump)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert json.loads(store.accounts.get_user("amy") or "{}") == {"failed": WRITERS * ROUNDS}


def test_tokens_are_found_by_id_by_hash_and_by_owner(store: Store):
    accounts = store.accounts
    accounts.put_token("t2", "amy", "hash-2", '{"id": "t2"}')
    accounts.put_token("t1", "amy", "hash-1", '{"id": "t1"}')
    accounts.put_token("t3", "bob", "hash-3", '{"id": "t3"}')
    assert accounts.token("t1") == '{"id": "t1"}' and accounts.token("t9") is None
    assert accounts.token_by_hash("hash-3") == '{"id": "t3"}'
    assert accounts.token_by_hash("hash-9") is None
    assert accounts.tokens("amy") == ['{"id": "t1"}', '{"id": "t2"}']  # by token id
    assert accounts.tokens() == ['{"id": "t1"}', '{"id": "t2"}', '{"id": "t3"}']
    assert accounts.tokens("nobody") == []
    accounts.put_token("t1", "amy", "hash-1", '{"id": "t1", "revoked": true}')  # revoking
    assert accounts.token_by_hash("hash-1") == '{"id": "t1", "revoked": true}'
    assert len(accounts.tokens("amy")) == 2


def test_sessions_are_found_by_hash_until_deleted(store: Store):
    accounts = store.accounts
    expires = "2026-03-02T09:00:00+00:00"
    accounts.put_session("s-1", "amy", expires, '{"csrf": "x"}')
    accounts.put_session("s-2", "amy", expires, '{"csrf": "y"}')
    assert accounts.session("s-1") == '{"csrf": "x"}'
    accounts.delete_session("s-1")
    accounts.delete_session("s-1")  # logging out twice is not an error
    accounts.delete_session("never-there")
    assert accounts.session("s-1") is None
    assert accounts.session("s-2") == '{"csrf": "y"}'

"""MessageStore on both engines: the outbox. A message is created once per id (its cause),
replaced after each attempt, found when due, and paged newest first."""

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import NotFoundError
from core.storage import Store

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _add(store: Store, message_id: str, *, at: datetime, due: datetime | None) -> bool:
    return store.messages.add(
        message_id,
        status="pending" if due else "sent",
        created_at=at,
        next_attempt_at=due,
        document=f'{{"id": "{message_id}"}}',
    )


def test_a_message_is_created_once_per_id(store: Store):
    assert _add(store, "m1", at=T0, due=T0) is True
    assert (
        store.messages.add(
            "m1", status="pending", created_at=T0, next_attempt_at=T0, document='{"other": 1}'
        )
        is False
    )
    assert store.messages.get("m1") == '{"id": "m1"}'
    with pytest.raises(NotFoundError):
        store.messages.get("m9")


def test_put_replaces_status_document_and_next_attempt(store: Store):
    _add(store, "m1", at=T0, due=T0)
    store.messages.put(
        "m1", status="pending", next_attempt_at=T0 + timedelta(minutes=5), document='{"n": 2}'
    )
    assert store.messages.get("m1") == '{"n": 2}'
    assert store.messages.due(T0) == []
    assert store.messages.due(T0 + timedelta(minutes=5)) == ['{"n": 2}']
    store.messages.put("m1", status="sent", next_attempt_at=None, document='{"n": 3}')
    assert store.messages.due(T0 + timedelta(days=1)) == []
    with pytest.raises(NotFoundError):
        store.messages.put("m9", status="sent", next_attempt_at=None, document="{}")


def test_due_gives_pending_messages_earliest_first(store: Store):
    _add(store, "late", at=T0, due=T0 + timedelta(minutes=2))
    _add(store, "early", at=T0, due=T0 + timedelta(minutes=1))
    _add(store, "future", at=T0, due=T0 + timedelta(hours=1))
    _add(store, "sent", at=T0, due=None)
    # the same instant in another offset is the same time
    now = (T0 + timedelta(minutes=3)).astimezone(datetime.now().astimezone().tzinfo)
    assert store.messages.due(now) == ['{"id": "early"}', '{"id": "late"}']
    assert store.messages.due(now, limit=1) == ['{"id": "early"}']


def test_list_pages_newest_first_and_counts_by_status(store: Store):
    for n in range(5):
        _add(store, f"m{n}", at=T0 + timedelta(minutes=n), due=T0 if n % 2 else None)
    assert store.messages.list(limit=2) == ['{"id": "m4"}', '{"id": "m3"}']
    assert store.messages.list(limit=2, offset=2) == ['{"id": "m2"}', '{"id": "m1"}']
    assert store.messages.list(status="pending") == ['{"id": "m3"}', '{"id": "m1"}']
    assert store.messages.count() == 5
    assert store.messages.count(status="sent") == 3
    assert store.messages.count(status="failed") == 0

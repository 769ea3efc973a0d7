"""The Store itself on both engines: it names its engine, and the writes of a
``transaction()`` block, nested blocks included, are all there once it ends. (What an
interrupted block leaves differs by design: SQLite rolls it back, Elasticsearch keeps what
was written, and callers make re-runs complete it; see base.py.)"""

from datetime import UTC, datetime

import pytest

from core.storage import Store


def test_the_store_names_its_engine(store: Store, request: pytest.FixtureRequest):
    assert store.engine == request.node.callspec.params["store"]


def test_the_writes_of_a_transaction_are_all_there_after_it(store: Store):
    at = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    with store.transaction():
        store.incidents.insert("INC-1", "police", '{"v": 0}')
        with store.transaction():  # a nested block joins the open one
            store.audit.append(at=at, actor="amy", action="open", subject="INC-1", detail="{}")
        store.checkpoints.set_many({"triage": 1})
    assert store.incidents.get("INC-1") == ('{"v": 0}', 1)
    assert [r.action for r in store.audit.rows(subject="INC-1")] == ["open"]
    assert store.checkpoints.get("triage") == 1

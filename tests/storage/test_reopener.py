"""core.storage.reopener: what parallel ingest workers use to open the store themselves,
so collectors never import an engine."""

import pickle
from pathlib import Path

from core.storage import SqliteStore, reopener


def test_another_process_can_open_the_same_sqlite_store(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "s.db") as store:
        reopen = reopener(store)
        assert reopen is not None
        # what a spawned worker receives (our own bytes, not untrusted data)
        again = pickle.loads(pickle.dumps(reopen))()  # noqa: S301
        with again:
            assert again.engine == "sqlite" and again.path == store.path  # type: ignore[attr-defined]


def test_a_store_that_takes_writes_from_one_process_only_has_none() -> None:
    class OneProcessStore:
        engine = "elasticsearch"

    assert reopener(OneProcessStore()) is None  # type: ignore[arg-type]

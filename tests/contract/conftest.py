"""The storage contract: every test here runs on each engine in turn through one ``store``
fixture, opened only through ``core.storage.open_store`` (the public interface), so the
suite holds whatever file layout the engines have behind it.

SQLite is a real file in ``tmp_path``. Elasticsearch is the session's one node
(tests/conftest.py) under the suite's own index prefix, emptied before every test: each
test sees only its own records, and the indices are created once (that takes seconds,
emptying them a fraction of one).

Where an engine breaks the contract today, the test says so with ``@drift(engine, reason)``:
a strict xfail on that engine only, so the mark has to go when the engine is fixed.
"""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from core.settings import Settings
from core.storage import Store, open_store
from tests.conftest import _empty_prefix

Test = TypeVar("Test", bound=Callable[..., object])
PREFIX = "contract"  # apart from the other tests' prefix (tests/conftest.py)


@pytest.fixture(scope="session")
def contract_prefix(elasticsearch_url: str) -> Iterator[str]:
    """The suite's index prefix on the session's node; its indices go afterwards."""
    from elasticsearch import Elasticsearch

    yield PREFIX
    with Elasticsearch(elasticsearch_url) as es:
        es.options(ignore_status=404).indices.delete(index=f"{PREFIX}-*", expand_wildcards="all")
        es.options(ignore_status=404).indices.delete_index_template(name=f"{PREFIX}-events")


@pytest.fixture(params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        settings = Settings(store=f"sqlite:///{tmp_path / 'citysoc.db'}")
    else:  # the node starts only when an Elasticsearch test runs
        url = request.getfixturevalue("elasticsearch_url")
        prefix = request.getfixturevalue("contract_prefix")
        _empty_prefix(url, prefix)  # this test sees only its own records
        settings = Settings(store=url, store_index_prefix=prefix, state_dir=tmp_path)
    with open_store(settings) as opened:
        yield opened


def drift(engine: str, reason: str) -> Callable[[Test], Test]:
    """Mark a contract test that ``engine`` fails today (strict xfail on that engine only)."""

    def mark(test: Test) -> Test:
        test.contract_drift = (engine, reason)  # type: ignore[attr-defined]
        return test

    return mark


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        found = getattr(getattr(item, "function", None), "contract_drift", None)
        callspec = getattr(item, "callspec", None)
        if found and callspec is not None and callspec.params.get("store") == found[0]:
            item.add_marker(pytest.mark.xfail(strict=True, reason=f"{found[0]}: {found[1]}"))

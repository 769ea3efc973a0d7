"""IncidentStore on both engines: documents with a version; an update names the version it
read, and a stale one is a ConflictError that changes nothing."""

import pytest

from core.errors import ConflictError, NotFoundError
from core.storage import Store


def test_an_incident_starts_at_version_one_and_each_update_adds_one(store: Store):
    store.incidents.insert("INC-1", "police", '{"v": 0}')
    assert store.incidents.get("INC-1") == ('{"v": 0}', 1)
    assert store.incidents.update("INC-1", '{"v": 1}', expected_version=1) == 2
    assert store.incidents.update("INC-1", '{"v": 2}', expected_version=2) == 3
    assert store.incidents.get("INC-1") == ('{"v": 2}', 3)


def test_a_stale_save_is_a_conflict_and_changes_nothing(store: Store):
    store.incidents.insert("INC-1", "police", '{"v": 0}')
    store.incidents.update("INC-1", '{"v": "first"}', expected_version=1)
    with pytest.raises(ConflictError, match="changed by someone else"):
        store.incidents.update("INC-1", '{"v": "second"}', expected_version=1)
    with pytest.raises(ConflictError):
        store.incidents.update("INC-1", '{"v": "ahead"}', expected_version=5)
    assert store.incidents.get("INC-1") == ('{"v": "first"}', 2)


def test_an_id_is_inserted_once_and_an_unknown_one_is_not_found(store: Store):
    store.incidents.insert("INC-1", "police", '{"v": 0}')
    with pytest.raises(ConflictError, match="already exists"):
        store.incidents.insert("INC-1", "police", '{"v": "again"}')
    assert store.incidents.get("INC-1") == ('{"v": 0}', 1)
    with pytest.raises(NotFoundError):
        store.incidents.get("INC-9")


def test_the_list_is_newest_id_first_by_agency_and_pages(store: Store):
    for n, org in enumerate(["police", "district-xitun", "police", "fire", "police"]):
        store.incidents.insert(f"INC-{n}", org, f'{{"n": {n}}}')
    store.incidents.update("INC-2", '{"n": 2, "edited": true}', expected_version=1)
    assert [doc for doc, _ in store.incidents.list()] == [
        '{"n": 4}',
        '{"n": 3}',
        '{"n": 2, "edited": true}',
        '{"n": 1}',
        '{"n": 0}',
    ]
    police = store.incidents.list(organization_ids=["police"])
    assert police == [('{"n": 4}', 1), ('{"n": 2, "edited": true}', 2), ('{"n": 0}', 1)]
    both = store.incidents.list(organization_ids=["fire", "district-xitun"], limit=1, offset=1)
    assert both == [('{"n": 1}', 1)]
    assert store.incidents.list(organization_ids=[]) == []
    assert [doc for doc, _ in store.incidents.list(limit=2, offset=2)] == [
        '{"n": 2, "edited": true}',
        '{"n": 1}',
    ]


def test_updating_an_unknown_incident_is_not_found(store: Store):
    with pytest.raises(NotFoundError):
        store.incidents.update("INC-9", '{"v": 1}', expected_version=1)

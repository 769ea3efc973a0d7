"""DrillStore on both engines: drill documents by id, replaced whole, listed by id and
narrowed by agency."""

import pytest

from core.errors import NotFoundError
from core.storage import Store


def test_drills_are_put_got_and_replaced(store: Store):
    store.drills.put("D-2", "police", '{"id": "D-2"}')
    store.drills.put("D-1", "district-xitun", '{"id": "D-1"}')
    store.drills.put("D-2", "police", '{"id": "D-2", "done": true}')
    assert store.drills.get("D-2") == '{"id": "D-2", "done": true}'
    with pytest.raises(NotFoundError):
        store.drills.get("D-9")


def test_drills_list_by_id_and_by_agency(store: Store):
    assert store.drills.list() == []
    for drill_id, org in (("D-3", "police"), ("D-1", "district-xitun"), ("D-2", "police")):
        store.drills.put(drill_id, org, f'{{"id": "{drill_id}"}}')
    assert store.drills.list() == ['{"id": "D-1"}', '{"id": "D-2"}', '{"id": "D-3"}']
    assert store.drills.list(organization_ids=["police"]) == ['{"id": "D-2"}', '{"id": "D-3"}']
    assert store.drills.list(organization_ids=["fire", "district-xitun"]) == ['{"id": "D-1"}']
    assert store.drills.list(organization_ids=[]) == []


def test_put_replaces_the_drills_agency_too(store: Store):
    store.drills.put("D-1", "police", '{"id": "D-1", "agency": "police"}')
    store.drills.put("D-1", "district-xitun", '{"id": "D-1", "agency": "district-xitun"}')
    assert store.drills.list(organization_ids=["district-xitun"]) == [
        '{"id": "D-1", "agency": "district-xitun"}'
    ]
    assert store.drills.list(organization_ids=["police"]) == []

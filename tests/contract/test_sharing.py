"""SharingStore on both engines: TAXII objects (every version kept, served oldest first by
arrival, with TAXII's version, TLP and paging filters), add statuses, and the watchlist in
which an indicator belongs to the partner that sent it first."""

from collections.abc import Iterator
from itertools import count

import pytest

from core.storage import Store
from core.storage.base import SharedObject

COLLECTION = "city-outgoing"
V1, V2, V3 = (f"2026-03-0{day}T00:00:00.000000Z" for day in (1, 2, 3))


@pytest.fixture
def added() -> Iterator[str]:
    """Strictly increasing date_added stamps, as the sharing service gives them."""
    return (f"2026-04-01T00:00:00.{n:06d}Z" for n in count(1))


def obj(
    added: Iterator[str],
    object_id: str,
    version: str = V1,
    *,
    tlp: str | None = None,
    kind: str = "indicator",
    collection: str = COLLECTION,
) -> SharedObject:
    return SharedObject(
        collection_id=collection,
        id=object_id,
        type=kind,
        version=version,
        date_added=next(added),
        tlp=tlp,
        document=f'{{"id": "{object_id}", "modified": "{version}"}}',
    )


def keys(found: list[SharedObject]) -> list[tuple[str, str]]:
    return [(o.id, o.version) for o in found]


def test_adding_is_idempotent_on_id_and_version_and_counts_the_new(store: Store, added):
    first = [obj(added, "indicator--a"), obj(added, "indicator--b")]
    assert store.sharing.add_objects(first) == 2
    assert store.sharing.add_objects(first) == 0  # a partner posting the envelope again
    assert store.sharing.add_objects([first[0], obj(added, "indicator--a", V2)]) == 1
    assert store.sharing.add_objects([]) == 0
    stored = store.sharing.objects(COLLECTION, versions=("all",))
    assert keys(stored) == [("indicator--a", V1), ("indicator--b", V1), ("indicator--a", V2)]
    assert stored[0].document == first[0].document and stored[0].type == "indicator"
    assert stored[0].date_added == first[0].date_added  # the first arrival's, not the repeat's


def test_objects_come_oldest_first_and_page_on_the_arrival_order(store: Store, added):
    store.sharing.add_objects([obj(added, f"indicator--{n:02d}") for n in range(7)])
    seqs = [o.seq for o in store.sharing.objects(COLLECTION)]
    assert seqs == sorted(seqs) and len(set(seqs)) == 7
    pages, after = [], 0
    while page := store.sharing.objects(COLLECTION, after_seq=after, limit=3):
        pages.append([o.id for o in page])
        after = page[-1].seq
    assert pages == [
        ["indicator--00", "indicator--01", "indicator--02"],
        ["indicator--03", "indicator--04", "indicator--05"],
        ["indicator--06"],
    ]


def test_version_filters_pick_per_object_across_the_collection(store: Store, added):
    store.sharing.add_objects(
        [obj(added, "indicator--a", V2), obj(added, "indicator--a", V1), obj(added, "indicator--b")]
    )
    store.sharing.add_objects([obj(added, "indicator--a", V3)])

    def picked(*versions: str) -> set[tuple[str, str]]:
        return set(keys(store.sharing.objects(COLLECTION, versions=versions)))

    assert picked("last") == {("indicator--a", V3), ("indicator--b", V1)}
    assert picked("first") == {("indicator--a", V1), ("indicator--b", V1)}
    assert picked("first", "last") == {
        ("indicator--a", V1),
        ("indicator--a", V3),
        ("indicator--b", V1),
    }
    assert picked("all") == {("indicator--a", v) for v in (V1, V2, V3)} | {("indicator--b", V1)}
    assert picked(V2) == {("indicator--a", V2)}
    assert picked("2030-01-01T00:00:00.000000Z") == set()
    # The default is the latest version of each object.
    assert set(keys(store.sharing.objects(COLLECTION))) == picked("last")


def test_id_type_and_added_after_filters_narrow(store: Store, added):
    early = obj(added, "indicator--a")
    store.sharing.add_objects(
        [early, obj(added, "indicator--b"), obj(added, "malware--c", kind="malware")]
    )
    objects = store.sharing.objects
    assert [o.id for o in objects(COLLECTION, ids=["indicator--b", "malware--c"])] == [
        "indicator--b",
        "malware--c",
    ]
    assert [o.id for o in objects(COLLECTION, types=["malware"])] == ["malware--c"]
    assert [o.id for o in objects(COLLECTION, types=["indicator"], ids=["malware--c"])] == []
    after_first = [o.id for o in objects(COLLECTION, added_after=early.date_added)]
    assert after_first == ["indicator--b", "malware--c"]  # strictly after
    # A later version counts as added when it arrived; "last" is still decided per object.
    newer = obj(added, "indicator--a", V2)
    store.sharing.add_objects([newer])
    assert keys(objects(COLLECTION, added_after=newer.date_added)) == []
    assert keys(objects(COLLECTION, ids=["indicator--a"], added_after=early.date_added)) == [
        ("indicator--a", V2)
    ]


def test_tlps_limit_marked_objects_and_always_include_unmarked_ones(store: Store, added):
    store.sharing.add_objects(
        [
            obj(added, "indicator--clear", tlp="clear"),
            obj(added, "indicator--green", tlp="green"),
            obj(added, "indicator--amber", tlp="amber"),
            obj(added, "indicator--red", tlp="red"),
            obj(added, "identity--unmarked", kind="identity"),
        ]
    )
    for tlps, expected in (
        (None, ["indicator--clear", "indicator--green", "indicator--amber", "indicator--red"]),
        (["clear", "green"], ["indicator--clear", "indicator--green"]),
        (["amber"], ["indicator--amber"]),
        ([], []),
    ):
        found = [o.id for o in store.sharing.objects(COLLECTION, tlps=tlps)]
        assert found == [*expected, "identity--unmarked"], tlps
    assert {o.tlp for o in store.sharing.objects(COLLECTION)} == {
        "clear",
        "green",
        "amber",
        "red",
        None,
    }


def test_the_latest_version_above_the_tlp_hides_the_object(store: Store, added):
    """TLP never uncovers an older version: asked for the latest version by someone who may
    see clear and green, an object whose latest version is amber gives nothing."""
    store.sharing.add_objects(
        [
            obj(added, "indicator--a", V1, tlp="green"),
            obj(added, "indicator--a", V2, tlp="amber"),
            obj(added, "indicator--b", V1, tlp="green"),
        ]
    )
    found = store.sharing.objects(COLLECTION, versions=("last",), tlps=["clear", "green"])
    assert keys(found) == [("indicator--b", V1)]


def test_collections_are_separate(store: Store, added):
    store.sharing.add_objects([obj(added, "indicator--a", collection="one")])
    assert store.sharing.add_objects([obj(added, "indicator--a", collection="two")]) == 1
    store.sharing.add_objects([obj(added, "indicator--b", collection="two")])
    assert [o.id for o in store.sharing.objects("one")] == ["indicator--a"]
    assert [o.id for o in store.sharing.objects("two")] == ["indicator--a", "indicator--b"]
    assert store.sharing.objects("three") == []
    last_two = store.sharing.objects("two")[-1].date_added
    assert store.sharing.last_added("two") == last_two
    assert store.sharing.last_added("one") == store.sharing.objects("one")[0].date_added
    assert store.sharing.last_added("three") is None


def test_add_statuses_are_kept_and_replaced(store: Store):
    assert store.sharing.status("status-1") is None
    store.sharing.put_status("status-1", '{"status": "pending"}')
    store.sharing.put_status("status-2", '{"status": "complete"}')
    store.sharing.put_status("status-1", '{"status": "complete", "success_count": 3}')
    assert store.sharing.status("status-1") == '{"status": "complete", "success_count": 3}'
    assert store.sharing.status("status-2") == '{"status": "complete"}'


def test_an_indicator_belongs_to_the_partner_that_sent_it_first(store: Store):
    sharing = store.sharing
    assert sharing.put_indicators([("ind-1", "nantou", "n1"), ("ind-2", "nantou", "n2")]) == []
    # Another partner naming the same ids changes nothing and learns which were refused.
    assert sharing.put_indicators([("ind-2", "changhua", "c2"), ("ind-3", "changhua", "c3")]) == [
        "ind-2"
    ]
    assert sharing.put_indicators([("ind-1", "nantou", "n1 again")]) == []  # its own: replaced
    assert sharing.indicators() == ["n1 again", "n2", "c3"]  # by indicator id
    assert sharing.indicators(partner="nantou") == ["n1 again", "n2"]
    assert sharing.indicators(partner="changhua") == ["c3"]
    assert sharing.indicators(partner="taichung") == []


def test_within_one_batch_the_first_partner_to_name_an_id_owns_it(store: Store):
    refused = store.sharing.put_indicators([("ind-1", "nantou", "n1"), ("ind-1", "changhua", "c1")])
    assert refused == ["ind-1"]
    assert store.sharing.indicators(partner="nantou") == ["n1"]
    assert store.sharing.indicators(partner="changhua") == []

"""CheckpointStore on both engines: detection positions per key (0 until set) with the
lowest under a prefix, and the compile cache's text values."""

from core.storage import Store


def test_checkpoints_start_at_zero_and_are_set_together(store: Store):
    assert store.checkpoints.get("rule:a") == 0
    store.checkpoints.set_many({"rule:a": 10, "rule:b": 7, "indicator:x": 3})
    store.checkpoints.set_many({"rule:a": 12})
    store.checkpoints.set_many({})
    assert [store.checkpoints.get(k) for k in ("rule:a", "rule:b", "indicator:x")] == [12, 7, 3]


def test_lowest_is_per_prefix(store: Store):
    assert store.checkpoints.lowest("rule:") is None
    store.checkpoints.set_many({"rule:a": 10, "rule:b": 7, "indicator:x": 3, "rules": 1})
    assert store.checkpoints.lowest("rule:") == 7
    assert store.checkpoints.lowest("indicator:") == 3
    assert store.checkpoints.lowest("") == 1
    assert store.checkpoints.lowest("partner:") is None


def test_the_cache_keeps_the_latest_text(store: Store):
    assert store.checkpoints.cache_get("compiled:abc") is None
    store.checkpoints.cache_put("compiled:abc", '{"query": "x"}')
    store.checkpoints.cache_put("compiled:abc", '{"query": "y", "note": "快取"}')
    assert store.checkpoints.cache_get("compiled:abc") == '{"query": "y", "note": "快取"}'
    assert store.checkpoints.get("compiled:abc") == 0  # a separate room from checkpoints

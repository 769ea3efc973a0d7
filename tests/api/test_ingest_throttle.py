"""The ingest token bucket on a clock the test turns: bursts up to the bucket, refills at
the rate, each token its own bucket, a refused request spends nothing."""

import pytest

from api.ingest_throttle import IngestThrottle, Throttled


def test_bucket_refills_at_its_rate():
    now = [0.0]
    throttle = IngestThrottle(records_per_second=10, burst=100, concurrency=1, now=lambda: now[0])
    throttle.take("a", 100)
    with pytest.raises(Throttled) as refused:
        throttle.take("a", 50)
    assert refused.value.retry_after == 5  # 50 records at 10 a second
    throttle.take("b", 100)  # another token's bucket is full
    now[0] = 5.0
    throttle.take("a", 50)  # the refused try cost nothing: 50 have come back
    now[0] = 1000.0
    throttle.take("a", 100)  # never more than the burst...
    with pytest.raises(Throttled):
        throttle.take("a", 1)


def test_slots_refuse_when_all_are_busy():
    throttle = IngestThrottle(records_per_second=1, burst=1, concurrency=2)
    with throttle.slot(), throttle.slot():
        with pytest.raises(Throttled) as busy, throttle.slot():
            pass
        assert busy.value.retry_after == 1
    with throttle.slot():  # released again
        pass

"""How long the Elasticsearch spool takes to drain after an outage.

    python -m benchmarks.spool_drain_elasticsearch [--events 100000] [--url http://...]

The outage is the node's read-only block (what a full disk sets) on every CitySOC index:
ingest goes on, every batch lands in the spool (flushed to disk) and counts as pending.
Then the block is lifted and the spool is drained as `serve`'s spool-drain worker does
(oldest batch first, each deleted once the node took it), timed until the node holds
every event.
"""

import argparse
import tempfile
from pathlib import Path

from elasticsearch import Elasticsearch

from benchmarks.common import report, timed
from benchmarks.elastic_node import elasticsearch
from benchmarks.ingest_elasticsearch import lines
from collectors.ingest import Ingestor
from collectors.records import RawRecord
from core.agencies import AgencyRegistry
from core.clock import SystemClock
from core.settings import DEFAULT_AGENCIES
from core.storage.elasticsearch import ElasticStore

PREFIX = "bench-spool"


def _block(url: str, on: bool) -> None:
    with Elasticsearch(url) as es:
        es.indices.put_settings(
            index=f"{PREFIX}-*",
            settings={"index.blocks.read_only_allow_delete": True if on else None},
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--url")
    args = parser.parse_args()
    registry = AgencyRegistry.load(DEFAULT_AGENCIES)
    records = lines(args.events)
    spool_dir = Path(tempfile.mkdtemp(prefix="citysoc-bench-spool-"))
    with elasticsearch(args.url) as url:
        store = ElasticStore(url, prefix=PREFIX, spool_dir=spool_dir)
        store.drop()
        store = ElasticStore(url, prefix=PREFIX, spool_dir=spool_dir)
        _block(url, True)
        try:
            ingestor = Ingestor(store, registry, clock=SystemClock())
            with timed() as spooled:
                for line in records:
                    ingestor.submit(RawRecord("bench", line, SystemClock().now()), "jsonl")
                ingestor.flush()
            pending = store.pending_events()
            batches = store.spool.pending() if store.spool else 0
        finally:
            _block(url, False)
        with timed() as drained:
            written = store.drain_spool()
        held = store.events.count()
        store.drop()
        store.close()
    report(
        "spool_drain_elasticsearch",
        {
            "events": args.events,
            "spooled (pending)": pending,
            "spool batches": batches,
            "ingest into the spool s": round(spooled[0], 2),
            "drain s": round(drained[0], 2),
            "drain events/s": round(written / drained[0]) if drained[0] else 0,
            "events stored by the drain": written,
            "events the node holds": held,
        },
    )


if __name__ == "__main__":
    main()

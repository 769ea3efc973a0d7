"""Events through CitySOC into Elasticsearch vs raw ``helpers.bulk`` of the same documents.

    python -m benchmarks.ingest_elasticsearch [--events 100000] [--url http://...]

CitySOC's figure covers everything `citysoc ingest` does per record (parse a JSON line,
normalize, tag the agency, reserve positions, bulk-create by event id); the ceiling is the
official client's ``helpers.bulk`` sending the very documents CitySOC stored, into an index
with the same template, in the same run on the same node — once with the stock client (the
issue's yardstick) and once with the client configured as CitySOC's (orjson serializer).
"""

import argparse
import json
import time

from elasticsearch import Elasticsearch, OrjsonSerializer, helpers

from benchmarks.common import report
from benchmarks.elastic_node import elasticsearch
from collectors.ingest import Ingestor
from collectors.records import RawRecord
from core.agencies import AgencyRegistry
from core.settings import DEFAULT_AGENCIES
from core.storage.elasticsearch import ElasticStore


def lines(n: int) -> list[bytes]:
    return [
        json.dumps(
            {
                "@timestamp": f"2026-03-02T01:{i // 60 % 60:02d}:{i % 60:02d}Z",
                "event": {"action": "connection", "outcome": "allow"},
                "source": {"ip": f"10.20.{i % 200}.{i % 250}", "port": 40000 + i % 20000},
                "destination": {"ip": f"203.0.113.{i % 250}", "port": 443},
                "host": {"name": f"fw-{i % 12:02d}"},
                "message": f"allow tcp 10.20.{i % 200}.{i % 250} -> 203.0.113.{i % 250}:443 #{i}",
            }
        ).encode()
        for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--url")
    args = parser.parse_args()
    registry = AgencyRegistry.load(DEFAULT_AGENCIES)
    records = lines(args.events)
    with elasticsearch(args.url) as url:
        store = ElasticStore(url, prefix="bench-citysoc")
        store.drop()
        store = ElasticStore(url, prefix="bench-citysoc")
        ingestor = Ingestor(store, registry, batch_size=2000)
        start = time.perf_counter()
        for line in records:
            ingestor.submit(RawRecord("bench", line, ingestor.clock.now()), "jsonl")
        ingestor.flush()
        ours = time.perf_counter() - start
        stored = store.events.count()
        # the ceiling: the same documents, as stored, bulk-indexed by the client alone
        docs = [
            {
                "_op_type": "create",
                "_index": "bench-raw-events-2026.03",
                "_id": h["_id"],
                "_source": h["_source"],
            }
            for h in store.search_hits(store.events_pattern, {"match_all": {}}, [{"pos": "asc"}])
        ]
        raw = Elasticsearch(url, request_timeout=120)
        raw.options(ignore_status=404).indices.delete(index="bench-raw-events-*")
        raw.indices.put_index_template(
            name="bench-raw-events",
            index_patterns=["bench-raw-events-*"],
            template=store.es.indices.get_index_template(name="bench-citysoc-events")[
                "index_templates"
            ][0]["index_template"]["template"],
            priority=200,
        )
        start = time.perf_counter()
        helpers.bulk(raw, docs, chunk_size=500)
        ceiling = time.perf_counter() - start
        # ... and by a client configured as CitySOC's is (orjson), into a fresh index
        tuned = Elasticsearch(url, request_timeout=120, serializer=OrjsonSerializer())
        tuned_docs = [{**d, "_index": "bench-raw-events-2026.04"} for d in docs]
        start = time.perf_counter()
        helpers.bulk(tuned, tuned_docs, chunk_size=500)
        ceiling_tuned = time.perf_counter() - start
        store.drop()
        raw.indices.delete(index="bench-raw-events-*")
        raw.indices.delete_index_template(name="bench-raw-events")
    report(
        "ingest_elasticsearch",
        {
            "events": args.events,
            "stored": stored,
            "citysoc events/s (parse + normalize + bulk create)": args.events / ours,
            "raw helpers.bulk docs/s (ceiling, stock client)": len(docs) / ceiling,
            "ratio citysoc / ceiling": (args.events / ours) / (len(docs) / ceiling),
            "raw helpers.bulk docs/s (client with orjson, as CitySOC's)": len(docs) / ceiling_tuned,
            "ratio citysoc / orjson ceiling": (args.events / ours) / (len(docs) / ceiling_tuned),
        },
    )


if __name__ == "__main__":
    main()

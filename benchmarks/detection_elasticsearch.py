"""SigmaHQ Windows rules over the shared EVTX set on Elasticsearch vs on SQLite, same run.

    python -m benchmarks.detection_elasticsearch [--url http://...]

Both engines get the same events and the same rules (each compiled for its engine through
the one CitySOC pipeline); the benchmark reports each engine's detection time, the ratio,
and how many alerts each produced and how many differ.
"""

import argparse
import collections
import sys
import tempfile
from pathlib import Path

from benchmarks.common import SHARED_DATA, report, timed
from benchmarks.elastic_node import elasticsearch
from collectors.files import ingest_paths
from collectors.ingest import Ingestor
from core.agencies import AgencyRegistry
from core.settings import DEFAULT_AGENCIES
from core.storage.base import Store
from core.storage.elasticsearch import ElasticStore
from core.storage.sqlite import SqliteStore
from detections.compile import compile_rule_dirs
from detections.runner import run_detections


def run(store: Store, samples: list[Path], rules_dir: Path, registry: AgencyRegistry) -> dict:
    with timed() as ingest:
        ingested = ingest_paths(samples, Ingestor(store, registry))
    with timed() as compile_:
        compiled = compile_rule_dirs([rules_dir], store=store)
    with timed() as detect:
        detection = run_detections(store, compiled.compiled)
    return {
        "events": ingested.stored,
        "rules": len(compiled.compiled),
        "ingest s": ingest[0],
        "compile s": compile_[0],
        "detect s": detect[0],
        "failed": detection.failed,
        "alerts": {(a.rule_id, a.event.event_id) for a in store.alerts.list(limit=10**7)},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    args = parser.parse_args()
    rules_dir = SHARED_DATA / "sigmahq-rules" / "rules" / "windows"
    samples = sorted((SHARED_DATA / "evtx-attack-samples").rglob("*.evtx"))
    if not samples or not rules_dir.is_dir():
        sys.exit(f"needs the shared data set under {SHARED_DATA}")
    registry = AgencyRegistry.load(DEFAULT_AGENCIES)
    work = Path(tempfile.mkdtemp(prefix="citysoc-bench-"))
    with SqliteStore(work / "citysoc.db") as lite:
        sqlite = run(lite, samples, rules_dir, registry)
    with elasticsearch(args.url) as url:
        store = ElasticStore(url, prefix="bench-detect")
        store.drop()
        store = ElasticStore(url, prefix="bench-detect")
        elastic = run(store, samples, rules_dir, registry)
        store.drop()
    only_sqlite = sqlite["alerts"] - elastic["alerts"]
    only_elastic = elastic["alerts"] - sqlite["alerts"]
    report(
        "detection_elasticsearch",
        {
            "events": sqlite["events"],
            "rules (sqlite / elasticsearch)": f"{sqlite['rules']} / {elastic['rules']}",
            "sqlite detect s": sqlite["detect s"],
            "elasticsearch detect s": elastic["detect s"],
            "ratio elasticsearch / sqlite (detect)": elastic["detect s"] / sqlite["detect s"],
            "elasticsearch ingest s": elastic["ingest s"],
            "alerts sqlite": len(sqlite["alerts"]),
            "alerts elasticsearch": len(elastic["alerts"]),
            "only on sqlite": len(only_sqlite),
            "only on elasticsearch": len(only_elastic),
            "rules differing": str(
                collections.Counter(r for r, _ in only_sqlite | only_elastic).most_common(5)
            ),
            "failed on elasticsearch": len(elastic["failed"]),
        },
    )


if __name__ == "__main__":
    main()

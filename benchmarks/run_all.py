"""Run every benchmark: `make bench` (or python -m benchmarks.run_all [--quick])."""

import subprocess
import sys

QUICK = "--quick" in sys.argv
RUNS = [
    ["benchmarks.ingest_syslog_tcp", "--events", "50000" if QUICK else "200000"],
    ["benchmarks.ingest_syslog_tls", "--events", "20000" if QUICK else "100000"],
    ["benchmarks.ingest_syslog_udp", "--seconds", "1" if QUICK else "3"],
    ["benchmarks.ingest_evtx", "--repeat", "1" if QUICK else "3"],
    ["benchmarks.ingest_memory", "--gigabytes", "0.05" if QUICK else "1.0"],
    ["benchmarks.detection"],
    ["benchmarks.compliance_pdf", "--incidents", "1000" if QUICK else "10000"],
    ["benchmarks.ingest_http", "--events", "20000" if QUICK else "100000"],
    ["benchmarks.ingest_elasticsearch", "--events", "20000" if QUICK else "100000"],
    ["benchmarks.detection_elasticsearch"],
    ["benchmarks.spool_drain_elasticsearch", "--events", "20000" if QUICK else "100000"],
    ["benchmarks.api_latency", "--requests", "100" if QUICK else "400"],
    ["benchmarks.alert_queue_filters", "--alerts", "20000" if QUICK else "100000"],
    ["benchmarks.source_health", "--events", "50000" if QUICK else "300000"],
    ["benchmarks.event_search", "--events", "100000" if QUICK else "1000000"],
    [
        "benchmarks.api_latency",
        "--engine",
        "elasticsearch",
        "--requests",
        "100" if QUICK else "400",
    ],
]

for args in RUNS:
    subprocess.run([sys.executable, "-m", *args], check=True)

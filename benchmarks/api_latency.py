"""API latency of the alert queue and the incident list with 100k alerts and 10k incidents,
under a load generator on loopback: p50 / p99 per endpoint, and each as a ratio to the
baseline of the same run (GET /api/v1/me: the same server, authentication and JSON, no data).

    python -m benchmarks.api_latency [--alerts 100000] [--incidents 10000]
        [--requests 400] [--concurrency 8] [--engine sqlite|elasticsearch] [--url URL]

The server is `uvicorn` in its own process (as `citysoc serve` runs it); the load generator
is asyncio + httpx in this one, with ``--concurrency`` requests in flight. Callers use a
real analyst's API token (hashed at rest), and a reporter's for the agency-scoped list.
"""

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2 as httpx  # the dev extra installs httpx under this name (as tests do)

from benchmarks.common import report, timed
from benchmarks.elastic_node import elasticsearch
from core import accounts
from core.access import Actor, Role
from core.agencies import AgencyRegistry
from core.alerts import Alert, MatchedEvent, Severity
from core.clock import FixedClock
from core.settings import DEFAULT_AGENCIES, Settings
from core.storage import open_store
from core.storage.base import Store
from core.storage.elasticsearch import ElasticStore
from incidents import service

ADMIN = Actor("bench-admin", Role.ADMIN)
PASSWORD = "benchmark password, not a secret"  # noqa: S105 - throwaway accounts


def seed(store: Store, registry: AgencyRegistry, alerts: int, incidents: int) -> dict[str, str]:
    rng = random.Random(7)  # noqa: S311 - benchmark data
    codes = [a.code for a in registry]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    severities = list(Severity)
    batch: list[Alert] = []
    for n in range(alerts):
        org = codes[n % len(codes)]
        at = start + timedelta(seconds=n * 30)
        host = f"{org.upper()}-PC{n % 40:02d}"
        rule = f"rule-{n % 120:03d}"
        batch.append(
            Alert(
                id=f"a{n:08d}",
                rule_id=rule,
                rule_title=f"Benchmark rule {n % 120}",
                severity=severities[rng.randrange(len(severities))],
                organization_id=org,
                host_name=host,
                event=MatchedEvent(event_id=f"e{n:08d}", timestamp=at, computer=host),
                created_at=at,
                group_key=f"{rule}|{org}|{host}|{n // 500}",
            )
        )
        if len(batch) == 5000:
            store.alerts.add(batch)
            batch = []
    store.alerts.add(batch)
    for n in range(incidents):
        aware = start + timedelta(minutes=n * 50)
        service.open_incident(
            store=store,
            actor=ADMIN,
            organization_id=codes[n % len(codes)],
            title=f"benchmark incident {n}",
            aware_at=aware,
            clock=FixedClock(aware),
        )
    clock = FixedClock(datetime.now(UTC))
    tokens = {}
    for name, role, agency in (("analyst", Role.ANALYST, None), ("xitun", Role.REPORTER, codes[0])):
        user = accounts.create_user(
            store=store,
            actor=ADMIN,
            registry=registry,
            username=f"bench-{name}",
            password=PASSWORD,
            role=role,
            agency=agency,
            clock=clock,
        )
        tokens[name], _ = accounts.issue_token(
            store=store, actor=user.actor(), name="bench", clock=clock
        )
    tokens["agency"] = codes[0]
    return tokens


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(store_url: str, prefix: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CITYSOC_STORE": store_url, "CITYSOC_STORE_INDEX_PREFIX": prefix}
    code = (
        "import uvicorn; from api.app import create_app; from api.context import CitySoc; "
        "from core.settings import Settings; "
        "soc = CitySoc(Settings()); "
        f"uvicorn.run(create_app(soc, api_token='unused-{os.getpid()}'), host='127.0.0.1', "
        f"port={port}, log_level='warning')"
    )
    server = subprocess.Popen([sys.executable, "-c", code], env=env)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the API server did not start")


async def measure(base: str, path: str, token: str, requests: int, concurrency: int) -> list[float]:
    """Latency of each request, in ms; every response must be 200."""
    latencies: list[float] = []
    queue = list(range(requests))
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        for _ in range(10):  # warm-up
            (await client.get(path)).raise_for_status()

        async def worker() -> None:
            while queue:
                queue.pop()
                start = time.perf_counter()
                response = await client.get(path)
                latencies.append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{path}: {response.status_code} {response.text[:200]}")

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--engine", choices=["sqlite", "elasticsearch"], default="sqlite")
    parser.add_argument("--url", help="an Elasticsearch node (default: start a throwaway one)")
    args = parser.parse_args()
    registry = AgencyRegistry.load(DEFAULT_AGENCIES)
    work = Path(tempfile.mkdtemp(prefix="citysoc-bench-api-"))
    prefix = "bench-api"
    node = elasticsearch(args.url) if args.engine == "elasticsearch" else nullcontext(None)
    with node as es_url:
        store_url = es_url or f"sqlite:///{work / 'citysoc.db'}"
        settings = Settings(store=store_url, store_index_prefix=prefix, state_dir=work)
        with open_store(settings) as store:
            if isinstance(store, ElasticStore):
                store.drop()  # a clean index set for this run
        with open_store(settings) as store, timed() as seeding:
            tokens = seed(store, registry, args.alerts, args.incidents)
        port = free_port()
        server = serve(store_url, prefix, port)
        base = f"http://127.0.0.1:{port}"
        agency = tokens["agency"]
        endpoints = {
            "baseline GET /api/v1/me": ("/api/v1/me", "analyst"),
            "alert queue, first page": ("/api/v1/alerts?limit=50", "analyst"),
            "alert queue, filtered": (
                f"/api/v1/alerts?agency={agency}&severity=high&limit=50",
                "analyst",
            ),
            "alert queue, page 1000": ("/api/v1/alerts?limit=50&offset=50000", "analyst"),
            "incident list, first page": ("/api/v1/incidents?limit=50", "analyst"),
            "incident list, page 100": ("/api/v1/incidents?limit=50&offset=5000", "analyst"),
            "incident list, reporter": ("/api/v1/incidents?limit=50", "xitun"),
        }
        result: dict[str, object] = {
            "engine": args.engine,
            "alerts": args.alerts,
            "incidents": args.incidents,
            "requests_per_endpoint": args.requests,
            "concurrency": args.concurrency,
            "seed_seconds": round(seeding[0], 1),
        }
        try:
            base_p50 = base_p99 = 0.0
            for label, (path, who) in endpoints.items():
                ms = asyncio.run(measure(base, path, tokens[who], args.requests, args.concurrency))
                p50, p99 = statistics.median(ms), percentile(ms, 0.99)
                if label.startswith("baseline"):
                    base_p50, base_p99 = p50, p99
                result[f"{label} p50 ms"] = round(p50, 1)
                result[f"{label} p99 ms"] = round(p99, 1)
                if not label.startswith("baseline"):
                    result[f"{label} p50 ratio to baseline"] = round(p50 / base_p50, 2)
                    result[f"{label} p99 ratio to baseline"] = round(p99 / base_p99, 2)
        finally:
            server.terminate()
            server.wait(timeout=30)
    report(f"api_latency_{args.engine}", result)
    print(json.dumps({"store": store_url}))


if __name__ == "__main__":
    main()

"""HTTP ingest (POST /api/v1/ingest) vs the same NDJSON lines handed to the Ingestor
in-process, in the same run.

    python -m benchmarks.ingest_http [--events 50000] [--batch 1000]

A real uvicorn in its own process on loopback (as `citysoc serve` runs it) and a real HTTP
client (httpx) sending ``--batch`` records per request, one request at a time as a single
shipper does; each 202 means stored. The
baseline is the file collector's path on the very lines (no HTTP, no token, no throttle),
into a store of its own: the ratio is what the HTTP layer costs.
"""

import argparse
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import httpx2 as httpx

from api.context import CitySoc
from benchmarks.api_latency import free_port, serve
from benchmarks.common import report, timed
from collectors.http_ingest import ingest_ndjson, ndjson_lines
from core.access import Actor, Role
from core.ingest_tokens import issue_ingest_token
from core.settings import Settings


def records(n: int) -> list[bytes]:
    at = datetime(2026, 3, 2, 1, 0, tzinfo=UTC).isoformat()
    return [
        json.dumps(
            {
                "@timestamp": at,
                "event": {"code": "4625", "action": "logon-failed"},
                "host": {"name": f"D-XITUN-PC{i % 40:02d}"},
                "source": {"ip": f"198.51.100.{i % 250}"},
                "user": {"name": f"u{i}"},
                "message": f"An account failed to log on ({i})",
            }
        ).encode()
        for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="citysoc-bench-"))
    lines = records(args.events)
    batches = [
        b"\n".join(lines[i : i + args.batch]) + b"\n" for i in range(0, len(lines), args.batch)
    ]

    base = Settings(store=f"sqlite:///{work / 'direct.db'}", state_dir=work / "direct")
    with CitySoc(base) as soc:
        ingestor = soc.ingestor()
        with timed() as direct:
            for body in batches:
                ingest_ndjson(
                    ingestor,
                    ndjson_lines(body),
                    source="bench",
                    agency="district-xitun",
                    sender=None,
                    received_at=datetime.now(UTC),
                )
        direct_stored = soc.store.events.count()

    url = f"sqlite:///{work / 'http.db'}"
    with CitySoc(Settings(store=url, state_dir=work / "http")) as soc:
        token, _ = issue_ingest_token(
            store=soc.store,
            actor=Actor("bench", Role.ADMIN),
            registry=soc.registry,
            agency="district-xitun",
            name="bench",
            clock=soc.clock,
        )
    os.environ["CITYSOC_INGEST_RECORDS_PER_SECOND"] = "1e9"  # the path, not the throttle
    port = free_port()
    server = serve(url, "unused", port)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
    try:
        with (
            httpx.Client(
                base_url=f"http://127.0.0.1:{port}", trust_env=False, timeout=120
            ) as client,
            timed() as over_http,
        ):
            for body in batches:
                answer = client.post("/api/v1/ingest", content=body, headers=headers)
                assert answer.status_code == 202, answer.text
    finally:
        server.terminate()
        server.wait(timeout=30)
    with CitySoc(Settings(store=url, state_dir=work / "http")) as soc:
        http_stored = soc.store.events.count()
    ours, ceiling = http_stored / over_http[0], direct_stored / direct[0]
    report(
        "ingest_http",
        {
            "events sent": args.events,
            "records per request": args.batch,
            "events stored over HTTP": http_stored,
            "HTTP ingest events/s": ours,
            "in-process Ingestor events/s (baseline)": ceiling,
            "ratio HTTP / in-process": ours / ceiling,
        },
    )


if __name__ == "__main__":
    main()

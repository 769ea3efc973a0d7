"""Syslog over TCP into CitySOC vs raw executemany of the same rows.

    python -m benchmarks.ingest_syslog_tcp [--events 200000]

A separate process sends newline-framed RFC 3164 lines over loopback (senders are other
machines in production, so they should not share the server's interpreter).
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import raw_insert_seconds, report, timed
from collectors.ingest import Ingestor
from collectors.syslog import SyslogServer
from core.agencies import AgencyRegistry
from core.settings import DEFAULT_AGENCIES
from core.storage.sqlite import SqliteStore

SENDER = """
import socket, sys
host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with socket.create_connection((host, port)) as s, open(path, 'rb') as f:
    while chunk := f.read(1 << 20):
        s.sendall(chunk)
"""


def lines(n: int) -> bytes:
    hosts = ["D-XITUN-WEB02", "POLICE-WEB01", "EDUCATION-GW01", "TRANSPORTATION-GW01"]
    out = []
    for i in range(n):
        out.append(
            f"<38>Mar  2 09:{i // 60 % 60:02d}:{i % 60:02d} {hosts[i % 4]} sshd[{i}]: Failed "
            f"password for invalid user u{i} from 198.51.100.{i % 250} port {40000 + i % 20000} "
            "ssh2\n"
        )
    return "".join(out).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="citysoc-bench-"))
    payload = work / "lines.log"
    payload.write_bytes(lines(args.events))
    registry = AgencyRegistry.load(DEFAULT_AGENCIES)
    with SqliteStore(work / "citysoc.db") as store:
        server = SyslogServer(Ingestor(store, registry, batch_size=2000), udp_port=None, tcp_port=0)
        with server, timed() as elapsed:
            host, port = server.tcp_address or ("127.0.0.1", 0)
            subprocess.run(
                [sys.executable, "-c", SENDER, host, str(port), str(payload)], check=True
            )
            server.drain(expect=args.events, timeout=600)
        stored = store.events.count()
        raw_seconds, raw_rows = raw_insert_seconds(store, work / "raw.db")
    ours = stored / elapsed[0]
    ceiling = raw_rows / raw_seconds
    report(
        "ingest_syslog_tcp",
        {
            "events sent": args.events,
            "events stored": stored,
            "citysoc events/s": ours,
            "raw executemany events/s (ceiling)": ceiling,
            "ratio citysoc / ceiling": ours / ceiling,
        },
    )


if __name__ == "__main__":
    main()

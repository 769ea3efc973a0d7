"""Sustained syslog over TCP into CitySOC vs raw executemany of the same rows.

    python -m benchmarks.ingest_syslog_tcp [--events 200000] [--senders 50]

A separate process opens ``--senders`` connections at once and sends newline-framed RFC 3164
lines over loopback on all of them (senders are other machines in production, so they
should not share the server's interpreter). Every line goes through the on-disk journal
(kept beside the store, as `citysoc serve` does) before it is parsed and stored.
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
import socket, sys, threading
host, port, path, senders = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
lines = open(path, 'rb').read().splitlines(keepends=True)
def send(part):
    with socket.create_connection((host, port)) as s:
        data = b''.join(part)
        for i in range(0, len(data), 1 << 16):
            s.sendall(data[i:i + (1 << 16)])
threads = [threading.Thread(target=send, args=(lines[n::senders],)) for n in range(senders)]
for t in threads: t.start()
for t in threads: t.join()
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
    parser.add_argument("--senders", type=int, default=50)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="citysoc-bench-"))
    payload = work / "lines.log"
    payload.write_bytes(lines(args.events))
    registry = AgencyRegistry.load(DEFAULT_AGENCIES)
    with SqliteStore(work / "citysoc.db") as store:
        server = SyslogServer(
            Ingestor(store, registry, batch_size=2000),
            udp_port=None,
            tcp_port=0,
            journal_dir=work / "syslog-journal",
        )
        with server, timed() as elapsed:
            host, port = server.tcp_address or ("127.0.0.1", 0)
            subprocess.run(
                [sys.executable, "-c", SENDER, host, str(port), str(payload), str(args.senders)],
                check=True,
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
            "concurrent senders": args.senders,
            "events stored": stored,
            "citysoc events/s": ours,
            "raw executemany events/s (ceiling)": ceiling,
            "ratio citysoc / ceiling": ours / ceiling,
        },
    )


if __name__ == "__main__":
    main()

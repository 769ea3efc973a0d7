"""Syslog over UDP: the send rate at which CitySOC first loses datagrams.

    python -m benchmarks.ingest_syslog_udp [--seconds 3] [--start 2000] [--factor 1.5]

A separate process sends RFC 3164 datagrams over loopback at a paced rate for ``--seconds``;
the rate grows by ``--factor`` each step until datagrams are lost: counted by the kernel
for our socket (its receive buffer was full; /proc/net/udp) or refused because the journal
was full. Reports the last rate without loss and the first rate with loss.
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import report
from collectors.ingest import Ingestor
from collectors.syslog import SyslogServer
from core.agencies import AgencyRegistry
from core.settings import DEFAULT_AGENCIES
from core.storage.sqlite import SqliteStore

SENDER = """
import socket, sys, time
host, port, step = sys.argv[1], int(sys.argv[2]), sys.argv[5]
rate, seconds = float(sys.argv[3]), float(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
total = int(rate * seconds)
start = time.perf_counter()
for i in range(total):
    due = start + i / rate
    while time.perf_counter() < due:
        pass
    line = f"<38>Mar  2 09:00:00 web02 sshd[{i}]: Failed password for u{i} step {step}"
    s.sendto(line.encode(), (host, port))
print(total, total / (time.perf_counter() - start))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--start", type=float, default=2000.0)
    parser.add_argument("--factor", type=float, default=1.5)
    parser.add_argument("--max", type=float, default=200_000.0)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="citysoc-bench-"))
    registry = AgencyRegistry.load(DEFAULT_AGENCIES)
    results: dict[str, object] = {}
    with SqliteStore(work / "citysoc.db") as store:
        server = SyslogServer(
            Ingestor(store, registry, batch_size=2000),
            udp_port=0,
            tcp_port=None,
            journal_dir=work / "syslog-journal",
        )
        with server:
            host, port = server.udp_address or ("127.0.0.1", 0)
            rate, step, lossless = args.start, 0, 0.0
            while rate <= args.max:
                step += 1
                before = _lost(server)
                done = subprocess.run(
                    [sys.executable, "-c", SENDER, host, str(port), str(rate)]
                    + [str(args.seconds), str(step)],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                sent, achieved = done.stdout.split()
                server.drain(timeout=600)
                lost = _lost(server) - before
                print(f"  {float(achieved):>10,.0f} lines/s sent: {lost} of {sent} lost")
                if lost:
                    results["first rate with loss (lines/s)"] = float(achieved)
                    results["lost at that rate"] = lost
                    break
                lossless = float(achieved)
                rate *= args.factor
            results["highest rate without loss (lines/s)"] = lossless
            results["events stored"] = store.events.count()
    report("ingest_syslog_udp", results)


def _lost(server: SyslogServer) -> int:
    return sum(int(g.value) for g in server.metrics() if g.name == "citysoc_syslog_udp_drops_total")


if __name__ == "__main__":
    main()

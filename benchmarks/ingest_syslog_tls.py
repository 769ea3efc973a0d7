"""Syslog over mutual TLS vs plain TCP into the same CitySOC, measured in the same run.

    python -m benchmarks.ingest_syslog_tls [--events 100000] [--senders 20]

One server listens on both; a separate process sends the same RFC 3164 lines on
``--senders`` connections, first over TCP (the baseline), then over TLS with an agency's
client certificate (the CA, certificates and CRL made here, as the tests make them). The
ratio says what the handshake, the encryption and the certificate's agency cost.
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import report, timed
from benchmarks.ingest_syslog_tcp import lines
from collectors.ingest import Ingestor
from collectors.syslog import SyslogServer
from collectors.syslog_tls import TlsConfig
from core.agencies import AgencyRegistry
from core.settings import DEFAULT_AGENCIES
from core.storage.sqlite import SqliteStore
from tests.collectors.tls_certs import TestPki

SENDER = """
import socket, ssl, sys, threading
host, port, path, senders, ca, cert, key = sys.argv[1:8]
lines = open(path, 'rb').read().splitlines(keepends=True)
context = None
if ca:
    context = ssl.create_default_context(cafile=ca)
    context.load_cert_chain(cert, key)
def send(part):
    with socket.create_connection((host, int(port))) as raw:
        s = context.wrap_socket(raw, server_hostname=host) if context else raw
        data = b''.join(part)
        for i in range(0, len(data), 1 << 16):
            s.sendall(data[i:i + (1 << 16)])
        if context:  # close_notify both ways: unread session tickets would make close() a reset
            s.unwrap()
n = int(senders)
threads = [threading.Thread(target=send, args=(lines[k::n],)) for k in range(n)]
for t in threads: t.start()
for t in threads: t.join()
"""


def _send(address: tuple[str, int], payload: Path, senders: int, tls: list[str]) -> None:
    host, port = address
    argv = [sys.executable, "-c", SENDER, host, str(port), str(payload), str(senders)]
    subprocess.run([*argv, *(tls or ["", "", ""])], check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--senders", type=int, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="citysoc-bench-"))
    payload = work / "lines.log"
    payload.write_bytes(lines(args.events))
    pki = TestPki(work)
    pki.issue("server", server=True, ips=("127.0.0.1",))
    client = pki.issue("finance-syslog")
    base = AgencyRegistry.load(DEFAULT_AGENCIES)
    named = {"certificate_names": ("finance-syslog",)}
    agencies = [a.model_copy(update=named if a.code == "finance" else {}) for a in base]
    registry = AgencyRegistry(agencies, superior=base.superior_code)
    config = TlsConfig(cert=work / "server.pem", key=work / "server.key", client_ca=pki.ca)
    with SqliteStore(work / "citysoc.db") as store:
        server = SyslogServer(
            Ingestor(store, registry, batch_size=2000),
            udp_port=None,
            tcp_port=0,
            tls_port=0,
            tls=config,
            journal_dir=work / "syslog-journal",
        )
        with server:
            assert server.tcp_address and server.tls_address
            with timed() as tcp:
                _send(server.tcp_address, payload, args.senders, [])
                server.drain(expect=args.events, timeout=600)
            with timed() as tls:
                _send(
                    server.tls_address,
                    payload,
                    args.senders,
                    [str(pki.ca), str(client.cert), str(client.key)],
                )
                server.drain(expect=2 * args.events, timeout=600)
        stored = store.events.count()
    report(
        "ingest_syslog_tls",
        {
            "events sent per transport": args.events,
            "concurrent senders": args.senders,
            "events stored (both)": stored,
            "tcp events/s (baseline)": args.events / tcp[0],
            "mutual tls events/s": args.events / tls[0],
            "ratio tls / tcp": tcp[0] / tls[0],
        },
    )


if __name__ == "__main__":
    main()

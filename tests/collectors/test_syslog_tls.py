"""Syslog over TLS (RFC 5425) with mutual TLS, end to end on loopback into a real SQLite
store: certificates made here (tests/collectors/tls_certs.py), a Python ssl client sending
octet-counted frames, and Debian's rsyslog (omfwd + gtls) as a real client."""

import ipaddress
import logging
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from collectors.ingest import AGENCY_MISMATCH_FIELD, Ingestor
from collectors.syslog import SyslogServer
from collectors.syslog_tls import TlsConfig, server_context, syslog_tls_config
from core.agencies import AgencyRegistry
from core.errors import ConfigError
from core.settings import Settings
from tests.collectors.tls_certs import Pair, TestPki
from tests.conftest import _free_port, require_binary
from tests.rsyslog import start_rsyslog, stop_rsyslog

LINE = b"<38>1 2026-03-02T09:00:00+08:00 fw01 sshd 7 - - Failed password for root"


@pytest.fixture
def pki(tmp_path: Path) -> TestPki:
    pki = TestPki(tmp_path)
    pki.issue("server", server=True, dns=("citysoc.test",), ips=("127.0.0.1",))
    pki.issue("finance-syslog")  # mapped by its subject CN
    pki.issue("edu", common_name="someone", dns=("syslog.edu.example.tw",))  # by its SAN
    pki.issue("stranger")  # valid, but no agency names it
    pki.issue("stolen", common_name="finance-syslog")  # revoked below
    pki.crl("stolen")
    return pki


def _registry(base: AgencyRegistry, *, loopback_owner: str | None = None) -> AgencyRegistry:
    """The default agencies with certificate names; ``loopback_owner``'s network holds
    127.0.0.0/8, so a loopback sender is in that agency's network."""
    names = {"finance": ("finance-syslog",), "education": ("syslog.edu.example.tw",)}
    agencies = []
    for agency in base:
        update: dict[str, object] = {"certificate_names": names.get(agency.code, ())}
        if agency.code == loopback_owner:
            update["networks"] = (*agency.networks, ipaddress.ip_network("127.0.0.0/8"))
        agencies.append(agency.model_copy(update=update))
    return AgencyRegistry(agencies, superior=base.superior_code)


def _config(pki: TestPki, *, client_ca: bool = True, crl: bool = True) -> TlsConfig:
    return TlsConfig(
        cert=pki.folder / "server.pem",
        key=pki.folder / "server.key",
        client_ca=pki.ca if client_ca else None,
        crl=pki.folder / "crl.pem" if crl else None,
    )


@pytest.fixture
def make_server(store, registry, clock) -> Iterator[Callable[..., SyslogServer]]:
    servers: list[SyslogServer] = []

    def make(config: TlsConfig, *, loopback_owner: str | None = None) -> SyslogServer:
        ingestor = Ingestor(
            store, _registry(registry, loopback_owner=loopback_owner), clock=clock, batch_size=50
        )
        server = SyslogServer(ingestor, udp_port=None, tcp_port=None, tls_port=0, tls=config)
        servers.append(server.start())
        return server

    yield make
    for server in servers:
        server.close()


def _octets(*messages: bytes) -> bytes:
    return b"".join(str(len(m)).encode() + b" " + m for m in messages)


def _send(server: SyslogServer, pki: TestPki, client: Pair | None, payload: bytes) -> None:
    """Connect, send, close; raises what the TLS session raised (refusals arrive on the
    first read under TLS 1.3, after the client thinks its handshake is done)."""
    context = ssl.create_default_context(cafile=pki.ca)
    if client is not None:
        context.load_cert_chain(client.cert, client.key)
    address = server.tls_address
    assert address is not None
    with (
        socket.create_connection(address, timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(payload)
        tls.settimeout(0.5)
        try:
            if tls.recv(1) == b"":  # the server never answers syslog: EOF means refused
                raise ConnectionResetError("closed by the server")
        except TimeoutError:
            pass  # still open: accepted


def _client(pki: TestPki, name: str) -> Pair:
    return Pair(pki.folder / f"{name}.pem", pki.folder / f"{name}.key")


def _wait_for(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 10
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _tls_stats(server: SyslogServer) -> dict[str, int]:
    stats = server.status()["tls"]
    assert isinstance(stats, dict)
    return stats


def test_an_agency_certificate_makes_events_of_that_agency(make_server, pki, store):
    server = make_server(_config(pki))
    _send(server, pki, _client(pki, "finance-syslog"), _octets(LINE, LINE + b" again"))
    _send(server, pki, _client(pki, "edu"), _octets(LINE) + LINE + b" newline framed\n")
    server.drain(expect=4)
    agencies = sorted(e.organization_id for e in store.events.list())
    # loopback is no agency's network: without the certificate these would be unassigned
    assert agencies == ["education", "education", "finance", "finance"]
    assert not any(AGENCY_MISMATCH_FIELD in e.fields for e in store.events.list())
    assert _tls_stats(server)["frames"] == 4


def test_no_client_certificate_is_refused_counted_and_logged(make_server, pki, store, caplog):
    server = make_server(_config(pki))
    with caplog.at_level(logging.WARNING, "citysoc.syslog"), pytest.raises((ssl.SSLError, OSError)):
        _send(server, pki, None, _octets(LINE))
    _wait_for(lambda: _tls_stats(server)["refused_handshake"] == 1, "the refusal count")
    assert store.events.count() == 0
    assert "refused a TLS connection from 127.0.0.1" in caplog.text
    assert "BEGIN" not in caplog.text  # no certificate or key material in the log
    metrics = {(g.name, g.labels): g.value for g in server.metrics()}
    assert metrics[("citysoc_syslog_tls_refused_total", (("reason", "handshake"),))] == 1


def test_a_revoked_certificate_is_refused(make_server, pki, store, caplog):
    server = make_server(_config(pki))
    with caplog.at_level(logging.WARNING, "citysoc.syslog"), pytest.raises((ssl.SSLError, OSError)):
        _send(server, pki, _client(pki, "stolen"), _octets(LINE))
    _wait_for(lambda: _tls_stats(server)["refused_handshake"] == 1, "the refusal count")
    assert "revoked" in caplog.text
    assert store.events.count() == 0


def test_the_same_certificate_passes_without_a_crl(make_server, pki, store):
    """The revocation test above fails because of the CRL, not the certificate."""
    server = make_server(_config(pki, crl=False))
    _send(server, pki, _client(pki, "stolen"), _octets(LINE))
    server.drain(expect=1)
    assert [e.organization_id for e in store.events.list()] == ["finance"]


def test_a_valid_certificate_naming_no_agency_is_refused(make_server, pki, store):
    server = make_server(_config(pki))
    with pytest.raises((ssl.SSLError, OSError)):
        _send(server, pki, _client(pki, "stranger"), _octets(LINE))
    _wait_for(lambda: _tls_stats(server)["refused_unmapped"] == 1, "the refusal count")
    assert store.events.count() == 0


def test_an_address_in_another_agencys_network_is_a_recorded_mismatch(make_server, pki, store):
    server = make_server(_config(pki), loopback_owner="civil-affairs")
    _send(server, pki, _client(pki, "finance-syslog"), _octets(LINE))
    server.drain(expect=1)
    (event,) = store.events.list()
    assert event.organization_id == "finance"  # the certificate, not the address
    assert event.fields[AGENCY_MISMATCH_FIELD] == "civil-affairs"
    assert _tls_stats(server)["agency_mismatch"] == 1
    names = {g.name: g.value for g in server.metrics()}
    assert names["citysoc_syslog_tls_agency_mismatch_total"] == 1


def test_without_a_client_ca_the_address_decides_as_on_plain_tcp(make_server, pki, store):
    server = make_server(_config(pki, client_ca=False, crl=False), loopback_owner="finance")
    _send(server, pki, None, _octets(LINE))
    server.drain(expect=1)
    assert [e.organization_id for e in store.events.list()] == ["finance"]


def test_unreadable_certificates_name_the_settings(pki, tmp_path):
    with pytest.raises(ConfigError, match="CITYSOC_SYSLOG_TLS_CERT"):
        server_context(TlsConfig(cert=tmp_path / "missing.pem", key=tmp_path / "missing.key"))


RSYSLOG_INSTALL = "apt-get install rsyslog rsyslog-gnutls (scripts/setup --for-tests does)"


def _gtls_module() -> None:
    """Skip (or, under CI, fail) with the install command where rsyslog has no TLS driver."""
    if not list(Path("/usr/lib").rglob("lmnsd_gtls.so")):
        require_binary("rsyslog-gnutls-lmnsd_gtls.so", RSYSLOG_INSTALL)


def _start_rsyslog(folder: Path, pki: TestPki, client: str, listen: int, tls: int):
    """rsyslogd, unprivileged, with its own configuration: what reaches its plain TCP input
    goes on over TLS (omfwd, gtls driver, x509/name: the server must be ``citysoc.test``)."""
    binary = require_binary("rsyslogd", RSYSLOG_INSTALL)
    _gtls_module()
    config = f"""
global(workDirectory="{{work}}"
       DefaultNetstreamDriver="gtls"
       DefaultNetstreamDriverCAFile="{pki.ca}"
       DefaultNetstreamDriverCertFile="{folder / client}.pem"
       DefaultNetstreamDriverKeyFile="{folder / client}.key")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="{listen}" ruleset="forward")
ruleset(name="forward") {{
  action(type="omfwd" target="127.0.0.1" port="{tls}" protocol="tcp"
         StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name"
         StreamDriverPermittedPeers="citysoc.test" TCP_Framing="octet-counted"
         template="RSYSLOG_SyslogProtocol23Format"
         action.resumeRetryCount="-1" action.resumeInterval="1")
}}
"""
    return start_rsyslog(binary, folder, config, listen)


def test_rsyslog_forwards_over_mutual_tls_as_its_certificates_agency(
    make_server, pki, store, tmp_path
):
    server = make_server(_config(pki))
    assert server.tls_address is not None
    listen = _free_port()
    rsyslog = _start_rsyslog(tmp_path, pki, "edu", listen, server.tls_address[1])
    try:
        with socket.create_connection(("127.0.0.1", listen)) as sender:
            sender.sendall(
                b"".join(
                    f"<38>Mar  2 09:00:00 web02 app: tls-line-{n}\n".encode() for n in range(50)
                )
            )
        server.drain(expect=50, timeout=30)
    finally:
        stop_rsyslog(rsyslog)
    events = store.events.list(limit=100)
    # rsyslog's %msg% of a BSD line keeps the space after "app:"
    assert sorted(str(e.fields["message"]).strip() for e in events) == sorted(
        f"tls-line-{n}" for n in range(50)
    )
    assert {e.organization_id for e in events} == {"education"}


def test_rsyslog_with_a_revoked_certificate_gets_nothing_in(make_server, pki, store, tmp_path):
    server = make_server(_config(pki))
    assert server.tls_address is not None
    listen = _free_port()
    rsyslog = _start_rsyslog(tmp_path, pki, "stolen", listen, server.tls_address[1])
    try:
        with socket.create_connection(("127.0.0.1", listen)) as sender:
            sender.sendall(b"<38>Mar  2 09:00:00 web02 app: from a revoked key\n")
        _wait_for(lambda: _tls_stats(server)["refused_handshake"] >= 1, "a refused handshake")
    finally:
        stop_rsyslog(rsyslog)
    assert store.events.count() == 0


def test_settings_refuse_a_tls_port_without_its_certificate(tmp_path):
    with pytest.raises(ValidationError, match="syslog_tls_port needs syslog_tls_cert"):
        Settings(syslog_tls_port=6514)
    with pytest.raises(ValidationError, match="syslog_tls_crl needs syslog_tls_client_ca"):
        Settings(syslog_tls_crl=tmp_path / "crl.pem")
    settings = Settings(
        syslog_tls_port=6514, syslog_tls_cert=tmp_path / "c.pem", syslog_tls_key=tmp_path / "k"
    )
    config = syslog_tls_config(settings)
    assert config is not None and config.client_ca is None
    assert syslog_tls_config(Settings()) is None  # off by default

"""Syslog over TLS (RFC 5425) with mutual TLS: the TCP listener's stream, wrapped.

A connection is admitted by the TCP listener's caps, then the TLS handshake runs on it
(``start_tls``); what follows is the same octet-counted / newline framing as plain TCP
(``collectors.syslog_tcp``). With a client CA configured, a client certificate is required
and verified (against a CRL too, when one is given), and the sending agency is the one
whose ``certificate_names`` (core/data/agencies.yaml) hold the certificate's subject CN or
a DNS/IP SAN, never the source address: an address in another agency's network is only
recorded (``citysoc.agency_mismatch`` on the event, a counter here).

Refused handshakes are counted and logged with the peer address and OpenSSL's reason,
never with certificate or key material.
"""

import asyncio
import logging
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collectors.syslog_tcp import Deliver, TcpLimits, TcpStats, TcpSyslogListener
from core.agencies import AgencyRegistry
from core.clock import Clock
from core.errors import ConfigError
from core.health import Gauge
from core.settings import Settings

__all__ = [
    "TlsConfig",
    "TlsStats",
    "TlsSyslogListener",
    "certificate_names",
    "server_context",
    "syslog_tls_config",
]

log = logging.getLogger("citysoc.syslog")

_HANDSHAKE_SECONDS = 30.0  # a peer that does not finish its handshake by then is refused


@dataclass(frozen=True, slots=True)
class TlsConfig:
    cert: Path  # CITYSOC_SYSLOG_TLS_CERT: the server's certificate chain (PEM)
    key: Path  # CITYSOC_SYSLOG_TLS_KEY
    client_ca: Path | None = None  # CITYSOC_SYSLOG_TLS_CLIENT_CA: set = client certs required
    crl: Path | None = None  # CITYSOC_SYSLOG_TLS_CRL: revoked client certificates (PEM)


@dataclass
class TlsStats(TcpStats):
    refused_handshake: int = 0  # no, an invalid, an expired or a revoked client certificate
    refused_unmapped: int = 0  # a valid certificate that names no agency
    agency_mismatch: int = 0  # connections from an address in another agency's network

    def as_dict(self) -> dict[str, int]:
        return {
            **super().as_dict(),
            "refused_handshake": self.refused_handshake,
            "refused_unmapped": self.refused_unmapped,
            "agency_mismatch": self.agency_mismatch,
        }


def syslog_tls_config(settings: Settings) -> TlsConfig | None:
    """The TLS listener's files from the settings; None when it is off."""
    if settings.syslog_tls_port is None or not settings.syslog_tls_cert:
        return None
    if not settings.syslog_tls_key:
        return None  # Settings refuses a port without both files
    return TlsConfig(
        cert=settings.syslog_tls_cert,
        key=settings.syslog_tls_key,
        client_ca=settings.syslog_tls_client_ca,
        crl=settings.syslog_tls_crl,
    )


def server_context(config: TlsConfig) -> ssl.SSLContext:
    """TLS 1.2+ server context; client certificates required when a client CA is given."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(config.cert, config.key)
        if config.client_ca is not None:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(cafile=config.client_ca)
            if config.crl is not None:
                context.load_verify_locations(cafile=config.crl)
                context.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(
            f"syslog TLS: cannot load the certificates ({exc}); check CITYSOC_SYSLOG_TLS_CERT, "
            "CITYSOC_SYSLOG_TLS_KEY, CITYSOC_SYSLOG_TLS_CLIENT_CA and CITYSOC_SYSLOG_TLS_CRL",
            location="syslog_tls",
        ) from exc
    if config.crl is not None and config.client_ca is None:
        raise ConfigError(
            "syslog TLS: CITYSOC_SYSLOG_TLS_CRL needs CITYSOC_SYSLOG_TLS_CLIENT_CA",
            location="syslog_tls_crl",
        )
    return context


def certificate_names(peer_cert: dict[str, Any]) -> list[str]:
    """A verified peer certificate's names, subject CN first, then DNS and IP SANs."""
    names = [
        str(value)
        for rdn in peer_cert.get("subject", ())
        for key, value in rdn
        if key == "commonName"
    ]
    names += [
        str(value)
        for kind, value in peer_cert.get("subjectAltName", ())
        if kind in ("DNS", "IP Address")
    ]
    return names


class TlsSyslogListener(TcpSyslogListener):
    """RFC 5425 syslog: the TCP listener, with a TLS handshake before the first frame."""

    thread_name = default_source = "syslog-tls"

    def __init__(
        self,
        host: str,
        port: int,
        *,
        deliver: Deliver,
        clock: Clock,
        limits: TcpLimits,
        context: ssl.SSLContext,
        agencies: AgencyRegistry,
    ) -> None:
        super().__init__(host, port, deliver=deliver, clock=clock, limits=limits)
        self.stats: TlsStats = TlsStats()
        self._context = context
        self._agencies = agencies

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str
    ) -> None:
        try:
            await writer.start_tls(
                self._context,
                ssl_handshake_timeout=min(_HANDSHAKE_SECONDS, self.limits.idle_seconds),
            )
        except (OSError, TimeoutError, EOFError) as exc:
            self.stats.refused_handshake += 1
            self._refused(peer, _reason(exc), self.stats.refused_handshake)
            return
        except asyncio.CancelledError:
            return  # close() during the handshake
        agency: str | None = None
        if self._context.verify_mode == ssl.CERT_REQUIRED:
            names = certificate_names(writer.get_extra_info("peercert") or {})
            found = self._agencies.for_certificate(names)
            if found is None:
                self.stats.refused_unmapped += 1
                self._refused(
                    peer,
                    f"the certificate's names {names} belong to no agency (certificate_names "
                    "in the agencies file)",
                    self.stats.refused_unmapped,
                )
                return
            agency = found.code
            mismatch = self._agencies.address_mismatch(found, peer)
            if mismatch is not None:
                self.stats.agency_mismatch += 1
                log.warning(
                    "syslog-tls: %s presents a certificate of agency %s but its address is in "
                    "the network of %s; its events are %s's, marked citysoc.agency_mismatch",
                    peer,
                    agency,
                    mismatch,
                    agency,
                )
        await self._read_frames(reader, peer, agency)

    def metrics(self) -> list[Gauge]:
        """For /metrics (through the syslog server's): refusals by reason, and mismatches."""
        stats = self.stats
        refused = (("handshake", stats.refused_handshake), ("unmapped", stats.refused_unmapped))
        return [
            *(
                Gauge(
                    "citysoc_syslog_tls_refused_total",
                    "TLS syslog connections refused (handshake: no, a bad or a revoked client "
                    "certificate; unmapped: a certificate naming no agency).",
                    value,
                    (("reason", reason),),
                    kind="counter",
                )
                for reason, value in refused
            ),
            Gauge(
                "citysoc_syslog_tls_agency_mismatch_total",
                "TLS syslog connections from an address in another agency's network than "
                "their certificate's.",
                stats.agency_mismatch,
                kind="counter",
            ),
        ]

    def _refused(self, peer: str, reason: str, count: int) -> None:
        if count <= 10 or count % 1000 == 0:  # a scan must not flood the log as well
            log.warning(
                "syslog-tls: refused a TLS connection from %s: %s; %d refused so far",
                peer,
                reason,
                count,
            )


def _reason(exc: BaseException) -> str:
    """OpenSSL's reason for a failed handshake, without any certificate content."""
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        return f"certificate verification failed: {exc.verify_message}"
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return f"handshake failed: {exc.reason}"
    if isinstance(exc, TimeoutError):
        return "the handshake did not finish in time"
    return f"handshake failed: {type(exc).__name__}"

"""Settings from the environment (prefix CITYSOC_) or a .env file, validated once."""

import ipaddress
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.alerts import Severity
from core.errors import ConfigError
from core.time_range import EARLIEST

__all__ = ["ALERT_GROUP_FIELDS", "MAX_ALERT_GROUP_WINDOW_MINUTES", "Settings"]

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_AGENCIES = Path(__file__).resolve().parent / "data" / "agencies.yaml"
DEFAULT_RULES = PACKAGE_ROOT / "detections" / "rules" / "city"
# Shipped as an example only: never loaded unless CITYSOC_SCAN_TARGETS_FILE names a file.
EXAMPLE_SCAN_TARGETS = Path(__file__).resolve().parent / "data" / "scan_targets.example.yaml"
DEFAULT_EXPOSURE_POLICY = PACKAGE_ROOT / "detections" / "exposure_policy.yaml"
DEFAULT_PARTNERS = PACKAGE_ROOT / "incidents" / "sharing" / "partners.yaml"
# Alert grouping (detections.grouping): what a group shares, and its longest window. Past a
# week a "repeated alert" is a recurring weakness, not one case.
ALERT_GROUP_FIELDS = ("rule", "agency", "host")
MAX_ALERT_GROUP_WINDOW_MINUTES = 7 * 24 * 60


class Settings(BaseSettings):
    """All CitySOC settings. ``CITYSOC_STORE=sqlite:///path`` selects the embedded store."""

    model_config = SettingsConfigDict(
        env_prefix="CITYSOC_", env_file=".env", extra="ignore", env_nested_delimiter="__"
    )

    store: str = Field(
        default="sqlite:///var/citysoc.db",
        description="sqlite:///path/citysoc.db or http(s)://elasticsearch-host:9200",
    )
    store_username: str | None = None
    store_password: SecretStr | None = None
    store_ca_certs: Path | None = Field(default=None, description="CA file for https")
    store_index_prefix: str = Field(default="citysoc", pattern=r"^[a-z0-9][a-z0-9_-]{0,40}$")
    state_dir: Path = Field(default=Path("var"), description="API token, spool")
    agencies_file: Path = DEFAULT_AGENCIES
    rule_dirs: list[Path] = Field(default_factory=lambda: [DEFAULT_RULES])
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=0, le=65535)
    syslog_host: str = "127.0.0.1"
    syslog_udp_port: int = Field(default=5514, ge=0, le=65535)
    syslog_tcp_port: int = Field(default=5514, ge=0, le=65535)
    syslog_max_connections: int = Field(default=2048, ge=1, description="open TCP connections")
    syslog_max_connections_per_source: int = Field(
        default=64, ge=1, description="open TCP connections from one address"
    )
    syslog_idle_seconds: float = Field(
        default=300, gt=0, description="a TCP connection silent this long is closed"
    )
    syslog_journal_max_bytes: int = Field(
        default=256 * 1024 * 1024,
        ge=1024 * 1024,
        description="bytes of accepted, not yet stored syslog lines kept on disk (full: "
        "TCP is not read, UDP is dropped and counted)",
    )
    syslog_relp_port: int | None = Field(
        default=None, ge=0, le=65535, description="RELP listener (acknowledged delivery); off"
    )
    syslog_tls_port: int | None = Field(
        default=None, ge=0, le=65535, description="syslog over TLS (RFC 5425, 6514 usual); off"
    )
    syslog_tls_cert: Path | None = Field(default=None, description="TLS server certificate")
    syslog_tls_key: Path | None = Field(default=None, description="its private key")
    syslog_tls_client_ca: Path | None = Field(
        default=None, description="set: client certificates required, the agency taken from them"
    )
    syslog_tls_crl: Path | None = Field(default=None, description="revoked client certificates")
    ingest_batch_size: int = Field(default=2000, ge=1, le=100_000)
    max_record_bytes: int = Field(default=1024 * 1024, ge=1024)
    event_time_min: date = Field(
        default=date(1990, 1, 1),
        ge=EARLIEST,  # an incident, filter or page cannot take an earlier time
        description="event times before this are stored as the receive time (and flagged)",
    )
    event_time_max_ahead_hours: int = Field(
        default=24,
        ge=0,
        le=24 * 366,
        description="event times further ahead of the receive time are stored as it (flagged)",
    )
    alert_group_window_minutes: int = Field(
        default=60, description="alerts in one window of this many minutes form one case"
    )
    alert_group_by: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(ALERT_GROUP_FIELDS),
        description="what the alerts of one case share: agency, and rule and/or host",
    )
    log_format: Literal["text", "json"] = "text"
    scan_targets_file: Path | None = Field(
        default=None, description="what nmap may scan (none by default: scanning is opt-in)"
    )
    exposure_policy_file: Path = DEFAULT_EXPOSURE_POLICY
    scan_schedule: bool = Field(default=False, description="run due scans from `serve`")
    cookie_secure: bool = Field(default=True, description="session cookies only over HTTPS")
    login_attempts_per_minute: int = Field(default=10, ge=1)
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="reverse proxies whose X-Forwarded-For/-Proto are believed (none: ignored)",
    )
    partners_file: Path = Field(default=DEFAULT_PARTNERS, description="joint-defence partners")
    # HTTP ingest for shippers (api/routes/ingest.py): per request, and per token.
    ingest_max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024, le=1024**3)
    ingest_max_records: int = Field(default=10_000, ge=1, le=1_000_000, description="per request")
    ingest_records_per_second: float = Field(
        default=5_000.0, gt=0, description="per ingest token; bursts up to ingest_max_records"
    )
    ingest_concurrency: int = Field(
        default=2, ge=1, le=64, description="requests parsed at once; more answer 429"
    )
    taxii_max_content_length: int = Field(default=10 * 1024 * 1024, ge=1024)
    taxii_max_objects: int = Field(
        default=500, ge=1, le=100_000, description="objects per POSTed TAXII envelope"
    )
    share_pull_schedule: bool = Field(default=True, description="pull partners from `serve`")
    share_pull_connect_timeout: float = Field(default=10.0, gt=0, le=600, description="seconds")
    share_pull_read_timeout: float = Field(
        default=60.0, gt=0, le=3600, description="seconds of silence, and per page"
    )
    share_pull_max_pages: int = Field(default=50, ge=1, description="pages per partner per pull")
    share_pull_max_objects: int = Field(
        default=10_000, ge=1, description="objects per partner per pull; the next pull resumes"
    )
    evidence_dir: Path | None = Field(
        default=None, description="evidence files (default: evidence/ beside the store's data)"
    )
    max_evidence_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)
    audit_key_file: Path | None = Field(
        default=None,
        description="HMAC key of the audit anchors (default: audit.key beside "
        "the store's data); keep it where the store's administrators cannot read it",
    )
    audit_anchor_file: Path | None = Field(
        default=None,
        description="append-only signed checkpoints of the audit chain "
        "(default: <store>.audit-anchors.jsonl beside the store's data)",
    )
    audit_anchor_every_entries: int = Field(default=100, ge=1)
    audit_anchor_every_minutes: int = Field(default=5, ge=1)
    # Internal (not statutory) time to confirm or dismiss a suspected case, per severity;
    # a severity not named has no target. E.g. critical=30,high=120.
    triage_target_minutes: Annotated[dict[str, int], NoDecode] = Field(
        default_factory=lambda: {"critical": 30, "high": 120, "medium": 480, "low": 1440},
        description="minutes to confirm or dismiss a suspected case, per severity",
    )
    # Messages to people (incidents.messages): e-mail over SMTP and a signed JSON webhook;
    # a channel without its host or URL is off. Secrets are SecretStr: never logged.
    message_smtp_host: str | None = Field(default=None, description="SMTP server; unset: no e-mail")
    message_smtp_port: int = Field(default=587, ge=1, le=65535)
    message_smtp_starttls: bool = Field(default=True, description="STARTTLS before logging in")
    message_smtp_username: str | None = None
    message_smtp_password: SecretStr | None = None
    message_smtp_from: str = Field(default="citysoc@localhost", description="the From address")
    message_smtp_timeout: float = Field(default=30.0, gt=0, le=600, description="seconds")
    message_webhook_url: str | None = Field(
        default=None, description="http(s) URL that receives each message as signed JSON"
    )
    message_webhook_secret: SecretStr | None = Field(
        default=None, description="HMAC-SHA256 key of the webhook's X-CitySOC-Signature"
    )
    message_max_attempts: int = Field(default=8, ge=1, le=100, description="then failed")
    message_retry_seconds: float = Field(
        default=60.0, gt=0, description="first retry delay; doubles per attempt, up to 6 h"
    )
    message_base_url: str = Field(
        default="http://127.0.0.1:8000", description="the pages' address people use: links"
    )
    message_scan_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="how often `serve` looks for triggers and sends"
    )
    # Source health (core.source_health): the interval a source is expected to send in,
    # learned from its history but never below the floor, or configured in minutes per
    # source name or agency code (e.g. xitun=30,syslog:10.20.3.7=10); and how often `serve`
    # looks for silent sources.
    source_interval_floor_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    source_intervals: Annotated[dict[str, int], NoDecode] = Field(
        default_factory=dict,
        description="expected minutes between events, per source name or agency code",
    )
    source_check_seconds: float = Field(
        default=300.0, gt=0, le=86400, description="how often `serve` looks for silent sources"
    )

    @field_validator("store")
    @classmethod
    def _known_engine(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "http://", "https://")):
            raise ValueError(
                "store must look like sqlite:///path/to/citysoc.db or "
                f"http(s)://host:9200 (Elasticsearch), got {value!r}"
            )
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_addresses(cls, value: object) -> object:
        """A comma-separated list (or a list) of addresses and networks; never '*'."""
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list):
            return value
        proxies = [str(item).strip() for item in items if str(item).strip()]
        for proxy in proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(
                    "trusted_proxies lists the reverse proxies' IP addresses or networks "
                    f"(e.g. 10.0.0.5,10.0.1.0/24); {proxy!r} is not one. Trusting any other "
                    "sender would let clients forge their address"
                ) from None
        return proxies

    @field_validator("triage_target_minutes", mode="before")
    @classmethod
    def _triage_targets(cls, value: object) -> object:
        """``critical=30,high=120`` (or a mapping): minutes per known alert severity."""
        if isinstance(value, str):
            pairs = [p.split("=", 1) for p in value.replace(" ", ",").split(",") if p.strip()]
            if any(len(p) != 2 for p in pairs):
                raise ValueError(
                    f"triage_target_minutes looks like critical=30,high=120: {value!r}"
                )
            value = {k.strip().lower(): v.strip() for k, v in pairs}
        if isinstance(value, dict):
            unknown = set(value) - {s.value for s in Severity}
            if unknown:
                raise ValueError(f"triage_target_minutes: unknown severity {sorted(unknown)}")
            if any(int(v) < 1 for v in value.values()):
                raise ValueError("triage_target_minutes: each target is at least 1 minute")
        return value

    @field_validator("alert_group_window_minutes")
    @classmethod
    def _group_window(cls, value: int) -> int:
        if not 1 <= value <= MAX_ALERT_GROUP_WINDOW_MINUTES:
            raise ValueError(
                f"alert_group_window_minutes is from 1 to {MAX_ALERT_GROUP_WINDOW_MINUTES} "
                f"(7 days), got {value}: a longer window folds unrelated attacks into one "
                "case (1440 is a day)"
            )
        return value

    @field_validator("alert_group_by", mode="before")
    @classmethod
    def _group_by(cls, value: object) -> object:
        """``rule,agency,host`` (or a list): agency always, since a case is one agency's."""
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list):
            return value
        fields = [str(item).strip().lower() for item in items if str(item).strip()]
        unknown = sorted(set(fields) - set(ALERT_GROUP_FIELDS))
        if unknown:
            raise ValueError(
                f"alert_group_by names {', '.join(ALERT_GROUP_FIELDS)}; {unknown} is not one"
            )
        if "agency" not in fields:
            raise ValueError(
                "alert_group_by must include agency: a case belongs to one agency "
                f"(e.g. agency,host), got {value!r}"
            )
        return [f for f in ALERT_GROUP_FIELDS if f in fields]

    @field_validator("source_intervals", mode="before")
    @classmethod
    def _source_intervals(cls, value: object) -> object:
        """``xitun=30,syslog:10.20.3.7=10`` (or a mapping): minutes per source or agency."""
        if isinstance(value, str):
            pairs = [p.rsplit("=", 1) for p in value.split(",") if p.strip()]
            if any(len(p) != 2 for p in pairs):
                raise ValueError(
                    f"source_intervals looks like xitun=30,syslog:10.20.3.7=10: {value!r}"
                )
            value = {k.strip().lower(): v.strip() for k, v in pairs}
        if isinstance(value, dict) and any(int(v) < 1 for v in value.values()):
            raise ValueError("source_intervals: each interval is at least 1 minute")
        return value

    @field_validator("message_webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"message_webhook_url must be an http(s) URL, got {value!r}")
        return value or None

    @model_validator(mode="after")
    def _syslog_tls_files(self) -> "Settings":
        if self.syslog_tls_port is not None and not (self.syslog_tls_cert and self.syslog_tls_key):
            raise ValueError("syslog_tls_port needs syslog_tls_cert and syslog_tls_key")
        if self.syslog_tls_crl is not None and self.syslog_tls_client_ca is None:
            raise ValueError("syslog_tls_crl needs syslog_tls_client_ca")
        return self

    @property
    def engine(self) -> Literal["sqlite", "elasticsearch"]:
        return "sqlite" if self.store.startswith("sqlite:///") else "elasticsearch"

    @cached_property
    def sqlite_path(self) -> Path:
        if not self.store.startswith("sqlite:///"):
            raise ConfigError(f"store {self.store!r} is not a SQLite store", location="store")
        return Path(self.store.removeprefix("sqlite:///"))

    @property
    def data_dir(self) -> Path:
        """Where local state lives: beside the SQLite file, or ``state_dir``."""
        return self.sqlite_path.parent if self.engine == "sqlite" else self.state_dir

    @property
    def evidence_path(self) -> Path:
        return self.evidence_dir or self.data_dir / "evidence"

    @property
    def audit_key_path(self) -> Path:
        return self.audit_key_file or self.data_dir / "audit.key"

    @property
    def audit_anchor_path(self) -> Path:
        """One anchor file per store: the SQLite file's name, or the index prefix."""
        if self.audit_anchor_file:
            return self.audit_anchor_file
        name = self.sqlite_path.name if self.engine == "sqlite" else self.store_index_prefix
        return self.data_dir / f"{name}.audit-anchors.jsonl"

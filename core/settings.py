"""Settings from the environment (prefix CITYSOC_) or a .env file, validated once."""

from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.errors import ConfigError

__all__ = ["Settings"]

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_AGENCIES = Path(__file__).resolve().parent / "data" / "agencies.yaml"
DEFAULT_RULES = PACKAGE_ROOT / "detections" / "rules" / "city"
DEFAULT_SCAN_TARGETS = Path(__file__).resolve().parent / "data" / "scan_targets.yaml"
DEFAULT_EXPOSURE_POLICY = PACKAGE_ROOT / "detections" / "exposure_policy.yaml"
DEFAULT_PARTNERS = PACKAGE_ROOT / "incidents" / "sharing" / "partners.yaml"


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
    ingest_batch_size: int = Field(default=2000, ge=1, le=100_000)
    max_record_bytes: int = Field(default=1024 * 1024, ge=1024)
    event_time_min: date = Field(
        default=date(1990, 1, 1),
        description="event times before this are stored as the receive time (and flagged)",
    )
    event_time_max_ahead_hours: int = Field(
        default=24,
        ge=0,
        le=24 * 366,
        description="event times further ahead of the receive time are stored as it (flagged)",
    )
    alert_group_window_minutes: int = Field(default=60, ge=1)
    log_format: Literal["text", "json"] = "text"
    scan_targets_file: Path = DEFAULT_SCAN_TARGETS
    exposure_policy_file: Path = DEFAULT_EXPOSURE_POLICY
    scan_schedule: bool = Field(default=True, description="run due scans from `serve`")
    cookie_secure: bool = Field(default=True, description="session cookies only over HTTPS")
    login_attempts_per_minute: int = Field(default=10, ge=1)
    partners_file: Path = Field(default=DEFAULT_PARTNERS, description="joint-defence partners")
    taxii_max_content_length: int = Field(default=10 * 1024 * 1024, ge=1024)
    share_pull_schedule: bool = Field(default=True, description="pull partners from `serve`")
    evidence_dir: Path | None = Field(
        default=None, description="evidence files (default: evidence/ beside the store's data)"
    )
    max_evidence_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)

    @field_validator("store")
    @classmethod
    def _known_engine(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "http://", "https://")):
            raise ValueError(
                "store must look like sqlite:///path/to/citysoc.db or "
                f"http(s)://host:9200 (Elasticsearch), got {value!r}"
            )
        return value

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

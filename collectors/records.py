"""The raw record every collector hands to ingest."""

from dataclasses import dataclass
from datetime import datetime

__all__ = ["RawRecord"]


@dataclass(frozen=True, slots=True)
class RawRecord:
    """Bytes as received, with where and when they came from."""

    source: str  # "syslog-udp", "file:/var/log/fw.csv"
    data: bytes
    received_at: datetime
    position: str | None = None  # "line 12", "record 40"
    sender: str | None = None  # peer address for network input
    original_size: int | None = None  # set when a reader kept only the first bytes of a record
    # Stream sources (syslog): where the record stands in what this listener received (its
    # journal position), so identical lines stay separate events and a replay stays one.
    sequence: int | None = None
    # Columns a header earlier in the file named (W3C ``#Fields:``), for the lines after it.
    layout: tuple[str, ...] | None = None
    # The agency code the transport vouched for (a TLS client certificate): it wins over the
    # sender address, which is only compared with it (``citysoc.agency_mismatch``).
    agency: str | None = None

"""HTTP ingest: an NDJSON request body (ECS or Winlogbeat JSON, one record a line) through
the same Ingestor the file collector feeds with .jsonl lines, each record vouched for as the
token's agency (``RawRecord.agency``, as a client certificate vouches on syslog over TLS).

The records of one request are stored (flushed) before the caller hears back, so a 202 means
durable; a bad line costs that line only (dead-lettered with its reason and line number).
"""

from datetime import datetime

from collectors.ingest import Ingestor, IngestReport
from collectors.records import RawRecord

__all__ = ["ingest_ndjson", "ndjson_lines"]


def ndjson_lines(body: bytes) -> list[tuple[int, bytes]]:
    """The records of a body with their line numbers (1-based); blank lines are no records
    (shippers end a batch with a newline, some with two)."""
    return [(n, line) for n, line in enumerate(body.split(b"\n"), 1) if line.strip()]


def ingest_ndjson(
    ingestor: Ingestor,
    lines: list[tuple[int, bytes]],
    *,
    source: str,
    agency: str,
    sender: str | None,
    received_at: datetime,
) -> IngestReport:
    """Parse and store ``lines``; their counts (stored, duplicates, dead-lettered) once the
    store has them. The store's errors are raised, after forgetting what was queued: the
    shipper sends the same batch again and event ids keep that idempotent."""
    try:
        for number, line in lines:
            ingestor.submit(
                RawRecord(
                    source=source,
                    data=line.rstrip(b"\r"),
                    received_at=received_at,
                    position=f"line {number}",
                    sender=sender,
                    agency=agency,
                ),
                "jsonl",
            )
        ingestor.flush()
    except BaseException:
        ingestor.discard_unsettled()
        raise
    return ingestor.report

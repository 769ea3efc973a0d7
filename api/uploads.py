"""Reading uploads without trusting their size, and serving evidence without letting a
browser render it."""

from pathlib import Path
from urllib.parse import quote

from fastapi import UploadFile
from fastapi.responses import FileResponse

from core.errors import InputError
from incidents.models import EvidenceFile

__all__ = ["evidence_response", "read_upload"]

_CHUNK = 1024 * 1024


async def read_upload(file: UploadFile, max_bytes: int) -> bytes:
    """The whole upload, refused as soon as it passes ``max_bytes`` (never read unbounded)."""
    parts: list[bytes] = []
    size = 0
    while chunk := await file.read(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise InputError(
                f"{file.filename or 'the file'!r} is larger than {max_bytes:,} bytes, the limit "
                "for evidence files (split or compress it)",
                location="file",
            )
        parts.append(chunk)
    return b"".join(parts)


def evidence_response(record: EvidenceFile, path: Path) -> FileResponse:
    """Always a download (attachment), never sniffed, never framed, with no active content."""
    ascii_name = record.filename.encode("ascii", "replace").decode().replace('"', "_")
    return FileResponse(
        path,
        media_type=record.media_type,
        headers={
            "Content-Disposition": (
                f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(record.filename)}"
            ),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )

"""Reading uploads without trusting their size, and serving evidence without letting a
browser render it."""

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import FileResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from core import limits
from core.errors import InputError
from incidents.models import EvidenceFile

__all__ = [
    "EVIDENCE_FORM_OPENAPI",
    "NOTE_LIMIT",
    "EvidenceForm",
    "evidence_response",
    "read_evidence_form",
    "read_upload",
]

_CHUNK = 1024 * 1024
NOTE_LIMIT = limits.REASON  # characters in an evidence file's note (core.limits)
# The evidence form, as an OpenAPI request body: the routes read it themselves, after the
# access check, so FastAPI cannot derive it from their parameters.
EVIDENCE_FORM_OPENAPI: dict[str, object] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "note": {"type": "string", "maxLength": NOTE_LIMIT, "default": ""},
                    },
                }
            }
        },
    }
}


@dataclass(frozen=True, slots=True)
class EvidenceForm:
    filename: str
    data: bytes
    note: str
    csrf_token: str  # pages send it in the form; the API takes a header instead
    problem: InputError | None = None  # what is wrong with the file or note, to report

    def raise_problem(self) -> None:
        if self.problem is not None:
            raise self.problem


async def read_evidence_form(request: Request, max_bytes: int) -> EvidenceForm:
    """The evidence upload form: one ``file``, an optional ``note`` and, from pages, the
    ``csrf_token``. Call it only after the caller's access is checked: this reads the body
    (bounded by the route's body limit). A missing, empty-named or oversized file or a long
    note is reported in ``problem`` (so a page can check its CSRF token first); a body that
    is not a form at all raises InputError saying what to send."""
    try:
        form = await request.form(max_files=1, max_fields=3)
    except HTTPException as exc:
        if exc.status_code != 400:
            raise  # the body limit's 413 keeps its own answer
        raise InputError(
            f"the upload is not a readable form ({exc.detail}); send multipart/form-data "
            "with the file in the field 'file'",
            location="body",
        ) from exc
    try:
        file, note, csrf = form.get("file"), form.get("note", ""), form.get("csrf_token", "")
        note = note if isinstance(note, str) else ""
        csrf = csrf if isinstance(csrf, str) else ""
        if not isinstance(file, UploadFile):
            problem = InputError(
                "attach the evidence as a file in the multipart field 'file'",
                location="file",
                key="file_missing",
            )
            return EvidenceForm("", b"", note, csrf, problem)
        if len(note) > NOTE_LIMIT:
            problem = InputError(
                f"the note may have at most {NOTE_LIMIT} characters",
                location="file",
                key="too_long",
                params={"field": "note", "max": NOTE_LIMIT},
            )
            return EvidenceForm(file.filename or "", b"", note, csrf, problem)
        try:
            data = await read_upload(file, max_bytes)
        except InputError as exc:
            return EvidenceForm(file.filename or "", b"", note, csrf, exc)
        return EvidenceForm(file.filename or "", data, note, csrf)
    finally:
        await form.close()


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
                key="file_too_big",
                params={
                    "name": file.filename or "",
                    "size": f"> {max_bytes:,}",
                    "max": f"{max_bytes:,}",
                },
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

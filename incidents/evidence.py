"""Evidence files: recognised by their content (not their name), size-limited, stored
outside the web root under their SHA-256, and served only through the incident's access
check. HTML, SVG, scripts and executables are refused: evidence that could run in a
browser or on a workstation belongs in an archive."""

import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
from pathlib import Path, PurePath

from core.access import Action, Actor, not_found, require
from core.clock import Clock
from core.errors import InputError, NotFoundError
from core.private_files import private_dir
from core.storage.base import Store
from incidents import service, workflow
from incidents.models import EvidenceFile, Incident
from incidents.workflow import Step

__all__ = [
    "ACCEPTED",
    "add_evidence",
    "check_may_add",
    "copy_files",
    "open_evidence",
    "recognise",
]


@dataclass(frozen=True, slots=True)
class _Kind:
    name: str
    media_type: str
    magic: tuple[bytes, ...]  # any of these prefixes; () means UTF-8 text
    extensions: frozenset[str]


_KINDS = (
    _Kind("pdf", "application/pdf", (b"%PDF-",), frozenset({".pdf"})),
    _Kind("png", "image/png", (b"\x89PNG\r\n\x1a\n",), frozenset({".png"})),
    _Kind("jpeg", "image/jpeg", (b"\xff\xd8\xff",), frozenset({".jpg", ".jpeg"})),
    _Kind(
        "zip",
        "application/zip",
        (b"PK\x03\x04",),
        frozenset({".zip", ".docx", ".xlsx", ".pptx", ".odt", ".ods"}),
    ),
    _Kind("gzip", "application/gzip", (b"\x1f\x8b",), frozenset({".gz", ".tgz"})),
    _Kind("7z", "application/x-7z-compressed", (b"7z\xbc\xaf\x27\x1c",), frozenset({".7z"})),
    _Kind("evtx", "application/octet-stream", (b"ElfFile\x00",), frozenset({".evtx"})),
    _Kind(
        "pcap",
        "application/vnd.tcpdump.pcap",
        (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\x0a\x0d\x0d\x0a"),
        frozenset({".pcap", ".pcapng", ".cap"}),
    ),
    _Kind(
        "text",
        "text/plain; charset=utf-8",
        (),
        frozenset({".txt", ".log", ".csv", ".json", ".jsonl", ".eml"}),
    ),
)
ACCEPTED = sorted(ext for kind in _KINDS for ext in kind.extensions)
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


def _clean_name(filename: str) -> str:
    name = PurePath(filename.replace("\\", "/")).name
    name = _UNSAFE.sub("_", unicodedata.normalize("NFC", name)).strip(" .")
    if not name:
        raise InputError("the file has no name", location="file", key="file_no_name")
    return name[:200]


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def recognise(filename: str, data: bytes) -> _Kind:
    """The kind the bytes are, which the file name's extension must agree with."""
    ext = PurePath(filename).suffix.lower()
    found = next((k for k in _KINDS if k.magic and data.startswith(k.magic)), None)
    if found is None and _is_text(data):
        found = next(k for k in _KINDS if not k.magic)
    if found is None:
        raise InputError(
            f"{filename!r} is not a type accepted as evidence ({', '.join(ACCEPTED)}); "
            "put other files in a .zip",
            location="file",
            key="file_type",
            params={"name": filename, "types": " ".join(ACCEPTED)},
        )
    if ext not in found.extensions:
        raise InputError(
            f"{filename!r} contains {found.name} data but is named {ext or 'without extension'}; "
            f"name it {' or '.join(sorted(found.extensions))}",
            location="file",
            key="file_misnamed",
            params={"name": filename, "ext": ext, "names": " ".join(sorted(found.extensions))},
        )
    return found


def _path(root: Path, incident_id: str, digest: str) -> Path:
    return root / incident_id / digest


def check_may_add(*, store: Store, actor: Actor, incident_id: str) -> Incident:
    """The incident, if ``actor`` may add evidence to it now: what ``service.change``
    checks, asked before any byte of an upload is read or written.

    Raises NotFoundError (also for another agency's incident), ForbiddenError (a role that
    may not edit, such as an auditor), TransitionError (a closed incident).
    """
    incident = service.get_incident(store=store, actor=actor, incident_id=incident_id)
    require(actor, Action.EDIT_INCIDENT, incident.organization_id, "incident")
    workflow.check(incident, Step.EDIT)
    return incident


def add_evidence(
    *,
    store: Store,
    actor: Actor,
    incident_id: str,
    filename: str,
    data: bytes,
    note: str,
    root: Path,
    max_bytes: int,
    clock: Clock,
) -> Incident:
    """Check access and the file, write it (atomically, fsynced), then record and audit
    on the incident."""
    incident = check_may_add(store=store, actor=actor, incident_id=incident_id)
    name = _clean_name(filename)
    if not data:
        raise InputError(
            f"{name!r} is empty", location="file", key="file_empty", params={"name": name}
        )
    if len(data) > max_bytes:
        raise InputError(
            f"{name!r} is {len(data):,} bytes; evidence files may be at most {max_bytes:,} "
            "bytes (split or compress it)",
            location="file",
            key="file_too_big",
            params={"name": name, "size": f"{len(data):,}", "max": f"{max_bytes:,}"},
        )
    kind = recognise(name, data)
    digest = sha256(data).hexdigest()
    if any(e.sha256 == digest for e in incident.evidence):
        raise InputError(
            f"this file is already attached to {incident_id}",
            location="file",
            key="file_attached",
            params={"incident": incident_id},
        )
    target = _path(root, incident.id, digest)
    private_dir(target.parent)  # 0700 like the files (mkstemp makes them 0600)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
        tmp.write(data)
        tmp.flush()
        os.fsync(tmp.fileno())
    os.replace(tmp.name, target)

    def mutate(i: Incident, now: datetime) -> Mapping[str, object]:
        i.evidence.append(
            EvidenceFile(
                sha256=digest,
                filename=name,
                kind=kind.name,
                media_type=kind.media_type,
                size=len(data),
                uploaded_at=now,
                uploaded_by=actor.name,
                note=note,
            )
        )
        return {"file": name, "sha256": digest, "bytes": len(data)}

    # If saving the record fails the file stays, unreferenced, under its own digest: an
    # upload retried later finds it in place; nothing is served without a record.
    return service.change(
        store=store,
        actor=actor,
        incident_id=incident_id,
        step=Step.EDIT,
        mutate=mutate,
        clock=clock,
        audit_action="incident.evidence",
    )


def copy_files(root: Path, from_id: str, to_id: str, digests: Sequence[str]) -> None:
    """Put the files ``digests`` of incident ``from_id`` under ``to_id`` as well (a merged
    duplicate's evidence is served from the survivor): a hard link where the file system
    allows, else a copy (0600 like the original). A file already there is left alone."""
    for digest in digests:
        source, target = _path(root, from_id, digest), _path(root, to_id, digest)
        if target.exists() or not source.is_file():
            continue
        private_dir(target.parent)
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)


def open_evidence(
    *, store: Store, actor: Actor, incident_id: str, digest: str, root: Path
) -> tuple[EvidenceFile, Path]:
    """The record and the file, for someone who may see the incident (else NotFound)."""
    incident = service.get_incident(store=store, actor=actor, incident_id=incident_id)
    record = next((e for e in incident.evidence if e.sha256 == digest), None)
    if record is None:
        raise not_found("evidence")
    path = _path(root, incident.id, digest)
    if not path.is_file():
        raise NotFoundError(
            f"the evidence file {record.filename!r} is recorded but missing from {root}; "
            "restore it from backup",
            location="evidence",
        )
    return record, path

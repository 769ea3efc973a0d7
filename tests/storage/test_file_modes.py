"""Everything CitySOC keeps on disk is private to its account whatever the umask: the SQLite
database with its WAL and SHM, evidence, the spool and the state files are 0600 in folders
0700, and files left open to others by an older version are tightened on open, logged."""

import logging
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from api.context import CitySoc
from api.server import api_token
from core.access import Actor, Role
from core.events import Event
from core.storage.elasticsearch.spool import Spool
from core.storage.sqlite import SqliteStore
from tests.factories import open_incident


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o000], ids=["umask022", "umask000"])
def umask(request) -> Iterator[int]:
    before = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(before)


def an_event(n: int) -> Event:
    return Event(
        event_id=f"mode-{n}",
        timestamp=datetime(2026, 3, 2, tzinfo=UTC),
        dataset="jsonl",
        organization_id="district-xitun",
        original=f'{{"n": {n}}}',
    )


def test_the_sqlite_store_and_its_wal_and_shm_are_private(tmp_path, umask):
    db = tmp_path / "var" / "deep" / "citysoc.db"
    with SqliteStore(db) as store:
        store.events.append([an_event(1)])
        wal, shm = Path(f"{db}-wal"), Path(f"{db}-shm")
        assert wal.exists() and shm.exists()
        assert {p.name: mode(p) for p in (db, wal, shm)} == dict.fromkeys(
            (db.name, wal.name, shm.name), 0o600
        )
        list(store.events.scan(["1=1"], after=0, upto=10))  # reader connections too
        assert mode(wal) == mode(shm) == 0o600
    assert mode(db.parent) == mode(db.parent.parent) == 0o700


def test_an_existing_world_readable_store_is_tightened_on_open(tmp_path, umask, caplog):
    folder = tmp_path / "var"
    db = folder / "citysoc.db"
    with SqliteStore(db) as store:
        store.events.append([an_event(1)])
        for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            os.chmod(path, 0o644)
        os.chmod(folder, 0o755)  # noqa: S103 - what an older version left, on purpose
    caplog.set_level(logging.WARNING, logger="citysoc.files")
    with SqliteStore(db) as store:
        store.events.append([an_event(2)])
        assert mode(db) == mode(Path(f"{db}-wal")) == mode(Path(f"{db}-shm")) == 0o600
    assert mode(folder) == 0o700
    assert f"tightened permissions of {db} from 0644 to 0600" in caplog.text


def test_spooled_batches_are_private(tmp_path, umask):
    spool = Spool(tmp_path / "state" / "spool" / "citysoc")
    batch = spool.put(['{"a": 1}'])
    assert mode(batch) == 0o600
    assert mode(spool.folder) == mode(spool.folder.parent) == mode(tmp_path / "state") == 0o700
    os.chmod(batch, 0o644)
    Spool(spool.folder)  # opening the spool again tightens what an older version left
    assert mode(batch) == 0o600


def test_the_api_token_is_private_and_an_open_one_is_tightened(tmp_path, umask):
    state = tmp_path / "state"
    token, path = api_token(state)
    assert mode(path) == 0o600 and mode(state) == 0o700
    os.chmod(path, 0o644)
    again, _ = api_token(state)
    assert again == token and mode(path) == 0o600


def test_evidence_files_and_folders_are_private(soc, umask):
    from core.access import Actor, Role

    incident = open_incident(
        soc.store, soc.clock, actor=Actor("amy", Role.ANALYST), title="evidence modes"
    )
    soc.attach_evidence(
        Actor("amy", Role.ANALYST), incident.id, filename="note.txt", data=b"seen", note=""
    )
    root = soc.settings.evidence_path
    [stored] = [p for p in root.rglob("*") if p.is_file()]
    assert mode(stored) == 0o600
    assert mode(stored.parent) == mode(root) == 0o700
    os.chmod(stored, 0o644)
    os.chmod(root, 0o755)  # noqa: S103 - what an older version left, on purpose
    with CitySoc(soc.settings, clock=soc.clock):  # a restart tightens what it finds
        assert mode(stored) == 0o600 and mode(root) == 0o700


def test_the_audit_key_and_anchor_file_are_private(soc, umask, caplog):
    from core import audit
    from core.access import SYSTEM

    audit.record(soc.store, actor=SYSTEM, action="t", subject="s", at=soc.clock.now())
    assert soc.anchor_audit("test") is not None
    key, anchors = soc.anchors.key_file, soc.anchors.anchor_file
    assert mode(key) == mode(anchors) == 0o600 and mode(key.parent) == 0o700
    leftovers = [p.name for p in key.parent.iterdir() if p.name.endswith((".new", ".tmp"))]
    assert leftovers == []
    os.chmod(key, 0o644)
    os.chmod(anchors, 0o644)
    caplog.set_level(logging.WARNING, logger="citysoc.files")
    assert soc.verify_audit(actor=Actor("audrey", Role.AUDITOR)).ok
    assert mode(key) == mode(anchors) == 0o600
    assert f"tightened permissions of {key} from 0644 to 0600" in caplog.text

"""Tampering with the audit trail as an attacker with write access to the store would, on
both engines: edit a row, delete one in the middle, cut off the newest rows, rewrite a row and
recompute every later hash (the chain's algorithm is public), reorder rows. Each is detected,
the ones the chain alone cannot see through the signed anchors kept outside the store, and
the verification names what happened.

SQLite is tampered through its own sqlite3 connection to the file, dropping the append-only
triggers first; Elasticsearch through a raw client on the audit index.
"""

import json
import sqlite3
from datetime import timedelta

import pytest
from elasticsearch import Elasticsearch

from core import audit
from core.access import Actor, Role
from core.storage.base import GENESIS_HASH, audit_hash

AUDITOR = Actor("audrey", Role.AUDITOR)  # verification counts every agency: audit readers

ACTOR = Actor("amy", Role.ANALYST)
COLUMNS = ("seq", "at", "actor", "action", "subject", "detail", "prev_hash", "hash")


@pytest.fixture
def engine(both_engines: str) -> str:
    return both_engines


class Attacker:
    """Raw access to the audit rows, around CitySOC."""

    def __init__(self, soc) -> None:
        self.soc = soc
        self.sqlite = soc.store.engine == "sqlite"

    def rows(self) -> list[dict]:
        if self.sqlite:
            with sqlite3.connect(self.soc.settings.sqlite_path) as con:
                found = con.execute(f"SELECT {', '.join(COLUMNS)} FROM audit ORDER BY seq")
                return [dict(zip(COLUMNS, r, strict=True)) for r in found]
        with Elasticsearch(self.soc.settings.store) as es:
            index = self.soc.store.index("audit")
            es.indices.refresh(index=index)
            hits = es.search(index=index, size=10_000, sort=[{"seq": "asc"}])["hits"]["hits"]
            return [h["_source"] for h in hits]

    def put(self, row: dict) -> None:
        if self.sqlite:
            con = sqlite3.connect(self.soc.settings.sqlite_path)
            con.execute("DROP TRIGGER IF EXISTS audit_no_update")
            sets = ", ".join(f"{c} = ?" for c in COLUMNS[1:])
            con.execute(
                f"UPDATE audit SET {sets} WHERE seq = ?",  # noqa: S608 - test's own columns
                (*(row[c] for c in COLUMNS[1:]), row["seq"]),
            )
            con.commit()
            con.close()
            return
        with Elasticsearch(self.soc.settings.store) as es:
            es.index(
                index=self.soc.store.index("audit"), id=str(row["seq"]), document=row, refresh=True
            )

    def delete(self, *seqs: int) -> None:
        if self.sqlite:
            con = sqlite3.connect(self.soc.settings.sqlite_path)
            con.execute("DROP TRIGGER IF EXISTS audit_no_delete")
            con.executemany("DELETE FROM audit WHERE seq = ?", [(s,) for s in seqs])
            con.commit()
            con.close()
            return
        with Elasticsearch(self.soc.settings.store) as es:
            for seq in seqs:
                es.delete(index=self.soc.store.index("audit"), id=str(seq), refresh=True)

    def rehash(self, rows: list[dict], start: int) -> None:
        """Recompute every hash from entry ``start`` on, as anyone can (SHA-256 is public)."""
        prev = GENESIS_HASH
        for row in rows:
            if row["seq"] >= start:
                fields = (row["at"], row["actor"], row["action"], row["subject"], row["detail"])
                row = {**row, "prev_hash": prev, "hash": audit_hash(prev, *fields)}
                self.put(row)
            prev = row["hash"]


def write(soc, n: int) -> None:
    for i in range(n):
        audit.record(
            soc.store,
            actor=ACTOR,
            action="test.step",
            subject=f"S{i}",
            at=soc.clock.now(),
            detail={"i": i},
        )


def anchored(soc, n: int = 5):
    """``n`` entries, anchored (as serve, a CLI command or a verification would)."""
    write(soc, n)
    anchor = soc.anchor_audit("test")
    assert anchor is not None and (anchor.entries, anchor.head_seq) == (n, n)
    result = soc.verify_audit(actor=AUDITOR)
    assert result.ok and result.anchors == 1, result.problems
    return anchor


def check(soc, *expected: str, first_bad: int | None = None):
    result = soc.verify_audit(actor=AUDITOR)
    assert not result.ok, "tampering went unnoticed"
    text = " | ".join(result.problems)
    for part in expected:
        assert part in text, f"{part!r} not in {text!r}"
    if first_bad is not None:
        assert result.first_bad_seq == first_bad, text
    assert soc.anchor_audit("test") is None  # nothing is anchored over a tampered chain
    return result


def test_an_edited_row_is_detected(soc):
    anchored(soc)
    attacker = Attacker(soc)
    row = attacker.rows()[2]
    attacker.put({**row, "detail": json.dumps({"i": 99})})
    check(soc, "entry 3 was changed after it was written", first_bad=3)


def test_a_row_deleted_in_the_middle_is_detected(soc):
    anchored(soc)
    Attacker(soc).delete(3)
    check(
        soc,
        "entry 3 is missing (removed): entry 4 follows entry 2",
        "1 entry up to entry 5 missing compared with anchor #1",
        first_bad=4,
    )


def test_deleting_the_newest_rows_is_detected_by_the_anchor(soc):
    anchor = anchored(soc)
    Attacker(soc).delete(4, 5)
    chain_only = audit.verify(soc.store)
    assert chain_only.ok  # the chain alone cannot see a clean cut at its end
    result = check(soc, "entries 4–5 were removed after anchor #1 at", first_bad=4)
    assert result.entries == 3 and result.latest_anchor == anchor


def test_rewriting_a_row_and_recomputing_the_chain_is_detected_by_the_anchor(soc):
    anchored(soc)
    attacker = Attacker(soc)
    rows = attacker.rows()
    rows[2] = {**rows[2], "detail": json.dumps({"i": 99})}
    attacker.rehash(rows, start=3)
    assert audit.verify(soc.store).ok  # consistent again as far as the public hashes go
    check(
        soc,
        "entry 5 was rewritten: anchored head differs from anchor #1",
        "no earlier anchor matches",
        first_bad=5,
    )


def test_a_rewrite_is_located_between_the_anchors_around_it(soc):
    anchored(soc, 2)
    soc.clock.advance(timedelta(minutes=10))
    write(soc, 3)
    assert soc.anchor_audit("test").number == 2
    attacker = Attacker(soc)
    rows = attacker.rows()
    rows[3] = {**rows[3], "actor": "mallory"}
    attacker.rehash(rows, start=4)
    check(soc, "entry 5 was rewritten", "after entry 2 (anchor #1 still matches)")


def test_reordered_rows_are_detected(soc):
    anchored(soc)
    attacker = Attacker(soc)
    rows = attacker.rows()
    second, third = rows[1], rows[2]
    attacker.put({**third, "seq": 2})
    attacker.put({**second, "seq": 3})
    check(soc, "entry 2 does not link to the entry before it", first_bad=2)


def test_reordered_and_rehashed_rows_are_detected_by_the_anchor(soc):
    anchored(soc)
    attacker = Attacker(soc)
    rows = attacker.rows()
    rows[1], rows[2] = {**rows[2], "seq": 2}, {**rows[1], "seq": 3}
    attacker.rehash(rows, start=2)
    assert audit.verify(soc.store).ok
    check(soc, "entry 5 was rewritten: anchored head differs from anchor #1")


def test_cutting_the_end_and_writing_on_is_detected(soc):
    anchored(soc)
    Attacker(soc).delete(4, 5)
    soc.clock.advance(timedelta(minutes=1))
    write(soc, 3)  # CitySOC goes on writing after the cut
    if soc.store.engine == "sqlite":  # SQLite numbers the next entry after the highest left
        check(
            soc,
            "entry 5 is not the one anchor #1 recorded at 2026-03-02 09:00 Taipei time: it is "
            "dated 2026-03-02 09:01 Taipei time, after that anchor",
            first_bad=5,
        )
    else:  # this process goes on from the link it wrote last
        check(
            soc,
            "entries 4–5 are missing (removed): entry 6 follows entry 3",
            "entry 5, the head of anchor #1, is missing",
            first_bad=6,
        )

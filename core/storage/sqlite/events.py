"""Events: append (idempotent on the event id), read, and the detection scan."""

from __future__ import annotations

import builtins
import sqlite3
from collections.abc import Iterator, Sequence

from core.errors import NotFoundError, RuleError
from core.events import Event
from core.storage.records import ScanHit
from core.storage.sqlite.columns import (
    EVENT_INSERT,
    JSON_FIELD,
    event_from_row,
    event_row,
)
from core.storage.sqlite.connection import SubStore, unavailable
from core.storage.sqlite.regexp import RegexpGuard

__all__ = ["SqliteEvents"]


SCAN_WINDOW = 50_000  # event positions per temporary table
SCAN_COLUMNS = 400  # conditions per SELECT, well under SQLite's 2,000-column limit
SCAN_PART = 150  # conditions per parallel part (each part extracts its own fields)


def _literal_in(pattern: str, condition: str) -> bool:
    """Whether a compiled condition holds ``pattern`` as its REGEXP operand."""
    return f"'{pattern}'" in condition or f"'{pattern.replace(chr(39), chr(39) * 2)}'" in condition


class SqliteEvents(SubStore):
    def append(self, events: Sequence[Event]) -> int:
        rows = [event_row(e) for e in events]
        with self._db.write() as con:
            before = con.total_changes
            con.executemany(EVENT_INSERT, rows)
            return con.total_changes - before

    def get(self, event_id: str) -> Event:
        row = self._db.one("SELECT * FROM events WHERE event_id = ?", (event_id,))
        if row is None:
            raise NotFoundError(f"no event {event_id}", location="event")
        return event_from_row(row)

    def count(self, *, organization_id: str | None = None) -> int:
        if organization_id is None:
            return int(self._db.one("SELECT count(*) FROM events")[0])
        return int(self._db.one("SELECT count(*) FROM events WHERE org = ?", (organization_id,))[0])

    def last_position(self) -> int:
        return int(self._db.one("SELECT coalesce(max(pos), 0) FROM events")[0])

    def list(self, *, limit: int = 100, offset: int = 0) -> list[Event]:
        rows = self._db.all("SELECT * FROM events ORDER BY pos LIMIT ? OFFSET ?", (limit, offset))
        return [event_from_row(r) for r in rows]

    def scan(
        self,
        conditions: Sequence[str],
        *,
        after: int,
        upto: int,
        prefilter: str | None = None,
        failed: dict[int, str] | None = None,
    ) -> Iterator[ScanHit]:
        """Evaluate many rule conditions over (after, upto] in few passes.

        The fields the conditions read are extracted once per row into a temporary table
        (window by window, so memory stays bounded) and up to ``SCAN_COLUMNS`` conditions
        are evaluated per SELECT against plain columns: extracting JSON once per row instead
        of once per rule and row is what makes thousands of rules affordable. Large sets of
        conditions are split across reader threads, one connection each (SQLite releases
        the GIL while it evaluates).

        A condition whose regular expression runs out of time (core.storage.sqlite.regexp) is
        recorded in ``failed`` with the reason and matches nothing from then on; without
        ``failed`` it raises RuleError. Other SQL errors raise RuleError.
        """
        if not conditions:
            return
        upto = min(upto, self.last_position())  # no empty windows past the last event
        # Many small parts rather than one per worker: rule costs differ a lot, and a queue
        # of small parts keeps every worker busy until the end.
        parts = 1 if self._db.scan_workers == 1 else -(-len(conditions) // SCAN_PART)
        size = -(-len(conditions) // parts)
        chunks = [
            (start, conditions[start : start + size]) for start in range(0, len(conditions), size)
        ]
        for low in range(after, upto, SCAN_WINDOW):
            high = min(low + SCAN_WINDOW, upto)
            hits: dict[int, builtins.list[int]] = {}
            jobs = [
                self._db.pool.submit(self._match, part, offset, low, high, prefilter)
                for offset, part in chunks
            ]
            for job in jobs:
                part_hits, slow = job.result()
                for pos, matched in part_hits.items():
                    hits.setdefault(pos, []).extend(matched)
                if slow:
                    if failed is None:
                        raise RuleError("; ".join(sorted(set(slow.values()))))
                    for index, reason in slow.items():
                        failed.setdefault(index, reason)
            if failed:  # a failed rule reports nothing, not what it matched before timing out
                hits = {p: [i for i in m if i not in failed] for p, m in hits.items()}
                hits = {p: m for p, m in hits.items() if m}
            for pos in sorted(hits):
                found = self._db.one("SELECT * FROM events WHERE pos = ?", (pos,))
                if found is not None:
                    yield ScanHit(rowid=pos, event=event_from_row(found), matched=hits[pos])

    def _match(
        self, conditions: Sequence[str], offset: int, low: int, high: int, prefilter: str | None
    ) -> tuple[dict[int, builtins.list[int]], dict[int, str]]:
        """Positions in (low, high] matching any condition -> matched indexes (+ offset),
        and the conditions (+ offset) whose regular expression ran out of time -> why."""
        fields = sorted({m for c in conditions for m in JSON_FIELD.findall(c)})
        column_of = {f: f"f{i}" for i, f in enumerate(fields)}
        local = [JSON_FIELD.sub(lambda m: f'"{column_of[m.group(1)]}"', c) for c in conditions]
        extracted = "".join(f', json_extract(doc, \'$."{f}"\') AS "{column_of[f]}"' for f in fields)
        where = "pos > ? AND pos <= ?" + (f" AND ({prefilter})" if prefilter else "")
        con = self._db.reader()
        guard = RegexpGuard()  # this part's REGEXP: bounded, and it remembers what timed out
        con.create_function("REGEXP", 2, guard, deterministic=True)
        hits: dict[int, builtins.list[int]] = {}
        try:
            con.execute("DROP TABLE IF EXISTS temp.scan_rows")
            con.execute(
                "CREATE TEMP TABLE scan_rows AS SELECT pos, channel, event_code, host, org, "  # noqa: S608
                f"dataset, original, ts{extracted} FROM events WHERE {where}",
                (low, high),
            )
            for start in range(0, len(local), SCAN_COLUMNS):
                part = local[start : start + SCAN_COLUMNS]
                columns = ", ".join(f"({c})" for c in part)
                for row in con.execute(f"SELECT pos, {columns} FROM temp.scan_rows"):  # noqa: S608
                    matched = [offset + start + i for i, v in enumerate(row[1:]) if v]
                    if matched:
                        hits.setdefault(row[0], []).extend(matched)
        except sqlite3.Error as exc:
            # a locked or unreadable database is no fault of the rules (the runner would
            # bisect and fail every one of them)
            translated = unavailable(self._db.path, exc)
            if translated is not None:
                raise translated from exc
            raise RuleError(f"detection query failed: {exc}") from exc
        finally:
            con.execute("DROP TABLE IF EXISTS temp.scan_rows")
        slow: dict[int, str] = {}
        for pattern, reason in guard.timed_out.items():
            found = [i for i, c in enumerate(conditions) if _literal_in(pattern, c)]
            if not found:
                raise RuleError(reason)  # cannot tell which rule: the runner bisects
            slow.update((offset + i, reason) for i in found)
        return hits, slow

"""Event search on SQLite: the query's tree compiled to a WHERE clause whose every value is
a bound parameter (field names become ``field_sql`` expressions, which quote them), and
the counts, pages, histogram and top values over it.

Numbers and networks are tested by two SQL functions registered on each connection used
(``citysoc_number``, ``citysoc_in_network``: core.event_query.values, which the
Elasticsearch engine applies too).
"""

from __future__ import annotations

import builtins
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from ipaddress import IPv4Network, IPv6Network

from core.event_query.ast import (
    And,
    Cidr,
    Equals,
    Exists,
    Match,
    Node,
    Not,
    Or,
    Range,
    Wildcard,
    word_parts,
)
from core.event_query.fields import VERBATIM_FIELDS
from core.event_query.values import in_network, number
from core.events import Event
from core.storage.searching import EventFilter
from core.storage.sqlite.columns import (
    TS_MILLIS,
    event_from_row,
    field_sql,
    json_field_sql,
    millis_text,
)
from core.storage.sqlite.connection import SubStore, unavailable

__all__ = ["SqliteEventSearch", "compile_filter"]

STREAM_BATCH = 1000
# The header fields with a column of their own beyond COLUMN_FIELDS.
_COLUMNS = {"event.id": "event_id"}
# Fields whose column holds exactly the document's text (winlog.event_id's integer column
# does not: "04624" is 4624 there), so the column may stand for the field.
_SAME_TEXT = frozenset(
    {
        "host.name",
        "winlog.channel",
        "organization.id",
        "event.dataset",
        "event.original",
        "@timestamp",
        "event.id",
    }
)
# Newest first to the millisecond, then by event id: the order Elasticsearch gives too.
_ORDER = f" ORDER BY {TS_MILLIS} DESC, event_id DESC"
# Histogram: group by a prefix of the stored time (text, cheap) no longer than the
# bucket, then add the groups up into buckets in Python. (prefix length, its seconds)
_PREFIXES = ((10, 86_400), (13, 3600), (16, 60))


def _column(field: str) -> str:
    if field in _COLUMNS:
        return _COLUMNS[field]
    return field_sql(field) if field in _SAME_TEXT else json_field_sql(field)


def _like(parts: tuple[str, ...]) -> str:
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append("%" if part == "*" else "_")
        else:
            out.append(re.sub(r"([\\%_])", r"\\\1", part))
    return "".join(out)


def _glob(parts: tuple[str, ...]) -> str:
    out = []
    for i, part in enumerate(parts):
        out.append(part if i % 2 else re.sub(r"([*?\[])", r"[\1]", part))
    return "".join(out)


def _time_text(value: datetime) -> str:
    """A bound as stored times are written (isoformat of aware UTC), so text compares."""
    return value.astimezone(UTC).isoformat()


class _Compiler:
    def __init__(self) -> None:
        # named parameters: the order in which parts of the clause are built does not matter
        self.params: dict[str, object] = {}

    def node(self, node: Node) -> str:
        if isinstance(node, And):
            return "(" + " AND ".join(self.node(n) for n in node.items) + ")"
        if isinstance(node, Or):
            return "(" + " OR ".join(self.node(n) for n in node.items) + ")"
        if isinstance(node, Not):  # a missing field is NULL: NOT must still hold then
            return f"(NOT coalesce({self.node(node.item)}, 0))"
        return self.match(node)

    def _bind(self, value: object) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def match(self, m: Match) -> str:
        test = m.test
        if m.field is None:  # the original record contains the text
            pattern = "%" + _like(word_parts(test)) + "%"
            return f"original LIKE {self._bind(pattern)} ESCAPE '\\'"
        column = _column(m.field)
        verbatim = m.field in VERBATIM_FIELDS
        if isinstance(test, Equals | Wildcard) and column.startswith("json_extract"):
            literals = (test.text,) if isinstance(test, Equals) else test.parts[0::2]
            return self._in_document(literals, self._text(column, test, verbatim))
        return (
            self._text(column, test, verbatim)
            if isinstance(test, Equals | Wildcard)
            else (self._other(column, test))
        )

    def _in_document(self, literals: tuple[str, ...], exact: str) -> str:
        """``exact`` behind a cheap necessary condition: the JSON document contains the
        value's literal parts in order. orjson writes text verbatim but for quotes,
        backslashes and control characters, so only literals free of those qualify; LIKE
        folds ASCII case exactly as NOCASE does."""
        usable = [p for p in literals if p]
        if not usable or any(c in '"\\' or c < " " for p in usable for c in p):
            return exact
        pattern = "%" + "%".join(_like((p,)) for p in usable) + "%"
        return f"(doc LIKE {self._bind(pattern)} ESCAPE '\\' AND {exact})"

    def _text(self, column: str, test: Equals | Wildcard, verbatim: bool) -> str:
        if isinstance(test, Equals):
            collate = "" if verbatim else " COLLATE NOCASE"
            return f"{column} = {self._bind(test.text)}{collate}"
        if verbatim:
            return f"{column} GLOB {self._bind(_glob(test.parts))}"
        return f"{column} LIKE {self._bind(_like(test.parts))} ESCAPE '\\'"

    def _other(self, column: str, test: Exists | Cidr | Range) -> str:
        if isinstance(test, Exists):
            return f"{column} IS NOT NULL"
        if isinstance(test, Cidr):
            return self._cidr(column, test.network)
        if column == json_field_sql("winlog.event_id"):
            # its integer column holds the same number wherever the text is one: a cheap
            # necessary condition on an indexed column, before the document is read
            near = self._bounds("event_code", test, [])
            return f"((event_code IS NULL OR {near}) AND {self._range(column, test)})"
        return self._range(column, test)

    def _range(self, column: str, r: Range) -> str:
        low, high = r.low, r.high
        if isinstance(low, datetime) or isinstance(high, datetime):
            return self._bounds(column, r, [f"{column} IS NOT NULL"])
        # CAST reads every number the exact test accepts as the same number (and more), so
        # it is a cheap necessary condition; the Python test then runs on candidates only
        cast = self._bounds(f"CAST({column} AS REAL)", r, [f"{column} IS NOT NULL"])
        return self._bounds(f"citysoc_number({column})", r, [cast])

    def _bounds(self, value: str, r: Range, terms: list[str]) -> str:
        for bound, op in (
            (r.low, ">=" if r.include_low else ">"),
            (r.high, "<=" if r.include_high else "<"),
        ):
            if bound is not None:
                shown = _time_text(bound) if isinstance(bound, datetime) else bound
                terms.append(f"{value} {op} {self._bind(shown)}")
        return "(" + " AND ".join(terms) + ")"

    def _cidr(self, column: str, network: IPv4Network | IPv6Network) -> str:
        exact = f"citysoc_in_network({column}, {self._bind(str(network))})"
        whole = network.prefixlen // 8
        if network.version != 4 or whole == 0:
            return exact
        # cheap necessary conditions on the document's text: a dotted quad starts with the
        # network's whole octets right after its opening quote; IPv4-mapped IPv6 addresses
        # (any form) contain "ffff:"
        prefix = '%"' + ".".join(str(network.network_address).split(".")[:whole]) + ".%"
        near = f"(doc LIKE {self._bind(prefix)} OR doc LIKE '%ffff:%')"
        return f"({near} AND {exact})" if column.startswith("json_extract") else exact


def compile_filter(where: EventFilter) -> tuple[str, dict[str, object]]:
    """(the WHERE clause, its parameters)."""
    compiler = _Compiler()
    clauses: list[str] = []
    if where.organization_ids is not None:
        if not where.organization_ids:
            return "0", {}
        marks = ", ".join(compiler._bind(o) for o in where.organization_ids)
        clauses.append(f"org IN ({marks})")
    # the window on the indexed millisecond key; a bound finer than a millisecond (never
    # from the service, which rounds) is checked on the exact time as well
    if where.start is not None:
        clauses.append(f"{TS_MILLIS} >= {compiler._bind(millis_text(where.start))}")
        if where.start.microsecond % 1000:
            clauses.append(f"ts >= {compiler._bind(_time_text(where.start))}")
    if where.end is not None:
        exact = where.end.microsecond % 1000 != 0
        clauses.append(
            f"{TS_MILLIS} {'<=' if exact else '<'} {compiler._bind(millis_text(where.end))}"
        )
        if exact:
            clauses.append(f"ts < {compiler._bind(_time_text(where.end))}")
    if where.query is not None:
        clauses.append(compiler.node(where.query))
    return (" AND ".join(clauses) or "1"), compiler.params


class SqliteEventSearch(SubStore):
    def _run(self, sql: str, params: dict[str, object]) -> builtins.list[sqlite3.Row]:
        # this thread's own reader: a long search does not hold the writers' lock (WAL)
        con = self._db.reader()
        _register(con)
        try:
            cursor = con.execute(sql, params)
            cursor.row_factory = sqlite3.Row
            return cursor.fetchall()
        except sqlite3.Error as exc:
            translated = unavailable(self._db.path, exc)
            if translated is not None:
                raise translated from exc
            raise

    def count(self, where: EventFilter) -> int:
        clause, params = compile_filter(where)
        return int(self._run(f"SELECT count(*) FROM events WHERE {clause}", params)[0][0])  # noqa: S608

    def page(self, where: EventFilter, *, limit: int, offset: int) -> builtins.list[Event]:
        clause, params = compile_filter(where)
        rows = self._run(
            f"SELECT * FROM events WHERE {clause}{_ORDER} LIMIT :limit OFFSET :offset",  # noqa: S608
            {**params, "limit": limit, "offset": offset},
        )
        return [event_from_row(r) for r in rows]

    def stream(self, where: EventFilter) -> Iterator[Event]:
        # a connection of its own: the export is read by whichever thread serves the
        # download next, and a WAL reader holds no writer back
        clause, params = compile_filter(where)
        con = sqlite3.connect(self._db.path, timeout=30)
        con.row_factory = sqlite3.Row
        _register(con)
        try:
            cursor = con.execute(f"SELECT * FROM events WHERE {clause}{_ORDER}", params)  # noqa: S608
            while rows := cursor.fetchmany(STREAM_BATCH):
                yield from (event_from_row(r) for r in rows)
        except sqlite3.Error as exc:
            translated = unavailable(self._db.path, exc)
            if translated is not None:
                raise translated from exc
            raise
        finally:
            con.close()

    def histogram(self, where: EventFilter, *, bucket_seconds: int) -> dict[int, int]:
        clause, params = compile_filter(where)
        length = next(n for n, seconds in _PREFIXES if bucket_seconds % seconds == 0 or n == 16)
        rows = self._run(
            f"SELECT substr({TS_MILLIS}, 1, {length}) AS p, count(*) FROM events "  # noqa: S608
            f"WHERE {clause} GROUP BY p",
            params,
        )
        pad = {10: "T00:00", 13: ":00", 16: ""}[length]
        out: dict[int, int] = {}
        for prefix, n in rows:
            at = int(datetime.fromisoformat(f"{prefix}{pad}+00:00").timestamp())
            key = at // bucket_seconds * bucket_seconds
            out[key] = out.get(key, 0) + int(n)
        return out

    def top(self, where: EventFilter, field: str, *, limit: int) -> builtins.list[tuple[str, int]]:
        clause, params = compile_filter(where)
        column = _column(field)
        value = column if field in VERBATIM_FIELDS else f"lower({column})"
        rows = self._run(
            f"SELECT {value} AS v, count(*) AS n FROM events "  # noqa: S608
            f"WHERE ({clause}) AND {column} IS NOT NULL GROUP BY v ORDER BY n DESC, v LIMIT :limit",
            {**params, "limit": limit},
        )
        return [(str(r[0]), int(r[1])) for r in rows]


def _register(con: sqlite3.Connection) -> None:
    con.create_function("citysoc_number", 1, number, deterministic=True)
    con.create_function("citysoc_in_network", 2, in_network, deterministic=True)

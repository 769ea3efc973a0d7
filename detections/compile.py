"""Compile rule files into engine conditions, cached outside the store per file text and
compiler (detections.compile_cache), many files in parallel worker processes.

A cache hit skips pySigma entirely (2,400 rules cost ~25 s on one core), so a warm start
reads only the files and the cache.
"""

import json
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule

from core.alerts import Severity
from core.errors import RuleError
from core.storage.base import Store
from detections.compile_cache import CompileCache
from detections.dialects import Dialect, dialect_for
from detections.rules import RuleFile, RuleIssue, parse_rule_file, read_rule_files

__all__ = [
    "CompileReport",
    "CompiledRule",
    "compile_rule_dict",
    "compile_rule_dirs",
    "compile_rule_files",
]


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule_id: str
    title: str
    severity: Severity
    tags: tuple[str, ...]
    author: str | None
    references: tuple[str, ...]
    source: str
    condition: str  # engine syntax
    prefilter: str | None  # cheap indexed condition every match satisfies, if provable


@dataclass
class CompileReport:
    compiled: list[CompiledRule] = field(default_factory=list)
    issues: list[RuleIssue] = field(default_factory=list)
    files: int = 0
    from_cache: int = 0

    @property
    def attempted(self) -> int:
        return len(self.compiled) + len(self.issues)


def _severity(rule: SigmaRule) -> Severity:
    level = rule.level.name.lower() if rule.level else "medium"
    return Severity(level) if level in {s.value for s in Severity} else Severity.MEDIUM


def _compile_rule(dialect: Dialect, backend: Any, rule: SigmaRule, path: Path) -> dict[str, object]:
    try:
        queries = backend.convert_rule(rule)
    except SigmaError as exc:
        return {"error": str(exc)}
    finally:
        errors = [str(e[1]) if isinstance(e, tuple) else str(e) for e in backend.errors]
        backend.errors.clear()
    if errors or not queries:
        return {"error": "; ".join(errors) or "the rule produced no query"}
    compiled = CompiledRule(
        rule_id=str(rule.id) if rule.id else f"file:{path.name}",
        title=rule.title,
        severity=_severity(rule),
        tags=tuple(str(t) for t in rule.tags or ()),
        author=rule.author,
        references=tuple(rule.references or ()),
        source=str(path),
        condition=dialect.condition(queries),
        prefilter=dialect.prefilter(backend, rule),
    )
    return {"rule": asdict(compiled)}


class _Compiler:
    def __init__(self, engine: str = "sqlite") -> None:
        self.dialect = dialect_for(engine)
        self._backend: Any = None
        self.lock = threading.Lock()  # a backend collects errors on itself: one user at a time

    @property
    def backend(self) -> Any:
        if self._backend is None:
            self._backend = self.dialect.backend()
        return self._backend

    def compile_file(self, rule_file: RuleFile) -> list[dict[str, object]]:
        rules, issues = parse_rule_file(rule_file)
        results: list[dict[str, object]] = [{"error": i.reason, "stage": i.stage} for i in issues]
        for rule in rules:
            result = _compile_rule(self.dialect, self.backend, rule, rule_file.path)
            if "error" in result:
                result["stage"] = "compile"
            results.append(result)
        return results


_shared = {engine: _Compiler(engine) for engine in ("sqlite", "elasticsearch")}


def compile_rule_dict(
    rule: dict[str, object], source: str, *, engine: str = "sqlite"
) -> CompiledRule:
    """Compile a rule built in code (e.g. from a partner's indicator). Raises RuleError."""
    try:
        parsed = SigmaRule.from_dict(rule)
    except SigmaError as exc:
        raise RuleError(f"{source}: {exc}", location=source) from exc
    compiler = _shared[engine]
    with compiler.lock:
        result = _compile_rule(compiler.dialect, compiler.backend, parsed, Path(source))
    if "error" in result:
        raise RuleError(f"{source}: {result['error']}", location=source)
    data = dict(result["rule"])  # type: ignore[call-overload]
    data["source"] = source
    data["severity"] = Severity(data["severity"])
    data["tags"] = tuple(data["tags"])
    data["references"] = tuple(data["references"])
    return CompiledRule(**data)


# Below this many files a worker's start (importing pySigma, ~1 s) costs more than it saves.
PARALLEL_FROM = 200


def compile_rule_files(
    files: Iterable[RuleFile],
    *,
    store: Store | None = None,
    cache: CompileCache | None = None,
    progress: Callable[[int], None] | None = None,
    parallel_from: int | None = PARALLEL_FROM,
) -> CompileReport:
    """Compile every rule in the files for the store's engine (SQLite without a store).
    Files compiled before, by any process, come from ``cache`` (the default cache when not
    given); the others are compiled in worker processes when there are at least
    ``parallel_from`` (None: always in this process)."""
    report = CompileReport()
    engine = store.engine if store is not None else "sqlite"
    cache = cache if cache is not None else CompileCache.default()
    files = list(files)
    keys = {f.path: CompileCache.key(engine, f.text_hash) for f in files}
    cached = cache.get_many(keys.values())
    missing = [f for f in files if keys[f.path] not in cached]
    compiled = _compile_all(engine, missing, parallel_from)
    fresh = dict(zip((keys[f.path] for f in missing), compiled, strict=True))
    cache.put_many(fresh)
    for rule_file in files:
        report.files += 1
        key = keys[rule_file.path]
        if key in cached:
            results = json.loads(cached[key])
            report.from_cache += 1
        else:
            results = json.loads(fresh[key])
        for result in results:
            if "error" in result:
                report.issues.append(
                    RuleIssue(rule_file.path, str(result["error"]), str(result["stage"]))
                )
            else:
                data = dict(result["rule"])
                data["source"] = str(rule_file.path)
                data["severity"] = Severity(data["severity"])
                data["tags"] = tuple(data["tags"])
                data["references"] = tuple(data["references"])
                report.compiled.append(CompiledRule(**data))
        if progress:
            progress(1)
    return report


def _compile_all(engine: str, files: list[RuleFile], parallel_from: int | None) -> list[str]:
    """Each file's results as JSON, in order: in this process for a few files, else in
    worker processes (forkserver: a fork of a clean server, never of a threaded server)."""
    workers = min(os.cpu_count() or 1, 8)
    if parallel_from is None or len(files) < parallel_from or workers < 2:
        compiler = _Compiler(engine)
        return [json.dumps(compiler.compile_file(f), ensure_ascii=False) for f in files]
    size = -(-len(files) // (workers * 4))  # a few chunks per worker: even finishing times
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["detections.compile"])
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        done = pool.map(_compile_chunk, [engine] * len(chunks), chunks)
        return [text for chunk in done for text in chunk]


def _compile_chunk(engine: str, files: list[RuleFile]) -> list[str]:
    compiler = _worker_compilers.setdefault(engine, _Compiler(engine))
    return [json.dumps(compiler.compile_file(f), ensure_ascii=False) for f in files]


_worker_compilers: dict[str, _Compiler] = {}  # one per engine in each worker process


def compile_rule_dirs(
    dirs: Iterable[Path],
    *,
    store: Store | None = None,
    cache: CompileCache | None = None,
    progress: Callable[[int], None] | None = None,
) -> CompileReport:
    files, issues = read_rule_files(dirs)
    report = compile_rule_files(files, store=store, cache=cache, progress=progress)
    report.issues[:0] = issues
    return report

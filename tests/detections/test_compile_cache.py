"""The compiled-rule cache lives outside the store: a new store, another process or the
other engine's compile reuses or keeps apart what was compiled; many files compile in worker
processes with the same result as one process; a broken cache costs time, never rules."""

import logging
import subprocess
import sys
from pathlib import Path

from core.settings import DEFAULT_RULES
from core.storage.sqlite.store import SqliteStore
from detections import compile_cache as cache_module
from detections.compile import compile_rule_dirs, compile_rule_files
from detections.compile_cache import CompileCache, compiler_fingerprint, default_cache_path
from detections.rules import read_rule_files


def _store(path: Path) -> SqliteStore:
    return SqliteStore(path)


def test_a_new_store_reuses_what_another_store_compiled(tmp_path):
    cache = CompileCache(tmp_path / "cache.sqlite")
    first = compile_rule_dirs([DEFAULT_RULES], store=_store(tmp_path / "a.db"), cache=cache)
    second = compile_rule_dirs([DEFAULT_RULES], store=_store(tmp_path / "b.db"), cache=cache)
    assert first.from_cache == 0 and second.from_cache == second.files == first.files > 0
    assert second.compiled == first.compiled and second.issues == first.issues


def test_another_process_reuses_the_cache(tmp_path):
    """What `citysoc` run twice, or two collectors, would do."""
    cache_path = tmp_path / "cache.sqlite"
    script = (
        "import sys; from pathlib import Path;"
        "from core.settings import DEFAULT_RULES;"
        "from detections.compile import compile_rule_dirs;"
        "from detections.compile_cache import CompileCache;"
        "r = compile_rule_dirs([DEFAULT_RULES], cache=CompileCache(Path(sys.argv[1])));"
        "print(r.from_cache, r.files)"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, str(cache_path)],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
        ).stdout.split()
        for _ in range(2)
    ]
    files = runs[0][1]
    assert runs == [["0", files], [files, files]]


def test_the_engines_are_cached_apart(tmp_path, store):
    cache = CompileCache(tmp_path / "cache.sqlite")
    sqlite = compile_rule_dirs([DEFAULT_RULES], cache=cache)  # no store: SQLite's conditions
    files, _issues = read_rule_files([DEFAULT_RULES])
    key = CompileCache.key("elasticsearch", files[0].text_hash)
    assert key not in cache.get_many([key])
    assert CompileCache.key("sqlite", files[0].text_hash) in cache.get_many(
        [CompileCache.key("sqlite", files[0].text_hash)]
    )
    assert sqlite.from_cache == 0


def test_many_files_compile_in_workers_with_the_same_result(tmp_path):
    files, _issues = read_rule_files([DEFAULT_RULES])
    one = compile_rule_files(files, cache=CompileCache(None), parallel_from=None)
    many = compile_rule_files(files, cache=CompileCache(tmp_path / "c.sqlite"), parallel_from=2)
    assert many.compiled == one.compiled and many.issues == one.issues
    assert len(many.compiled) >= 2


def test_a_cache_that_cannot_be_opened_is_skipped_with_a_warning(tmp_path, caplog):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    cache = CompileCache(blocker / "cache.sqlite")  # its directory is a file
    with caplog.at_level(logging.WARNING, logger="citysoc.rules"):
        report = compile_rule_dirs([DEFAULT_RULES], cache=cache)
    assert report.compiled and report.from_cache == 0
    assert "unusable" in caplog.text


def test_the_cache_follows_the_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("CITYSOC_RULE_CACHE", "off")
    assert default_cache_path() is None
    monkeypatch.setenv("CITYSOC_RULE_CACHE", str(tmp_path / "c.sqlite"))
    assert default_cache_path() == tmp_path / "c.sqlite"
    monkeypatch.delenv("CITYSOC_RULE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_path() == tmp_path / "xdg" / "citysoc" / "compiled-rules.sqlite"


def test_a_changed_compiler_misses_the_cache(tmp_path, monkeypatch):
    """The key carries a fingerprint of the compiler's code and packages: editing the
    pipeline (here a stand-in source file) gives new keys; nothing is invalidated by hand."""
    source = tmp_path / "pipeline.py"
    source.write_text("VERSION = 1\n")
    monkeypatch.setattr(cache_module, "_SHAPING_SOURCES", (source,))
    compiler_fingerprint.cache_clear()
    try:
        before = CompileCache.key("sqlite", "h")
        source.write_text("VERSION = 2\n")
        compiler_fingerprint.cache_clear()
        assert CompileCache.key("sqlite", "h") != before
    finally:
        compiler_fingerprint.cache_clear()

"""A throwaway Elasticsearch node for a benchmark (scripts/elasticsearch), or --url."""

import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "elasticsearch"


@contextmanager
def elasticsearch(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = Path(tempfile.mkdtemp(prefix="citysoc-bench-es-"))
    started = subprocess.run(
        [str(SCRIPT), "start", str(folder / "node"), str(port)],
        capture_output=True,
        text=True,
        check=True,
    )
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([str(SCRIPT), "stop", str(folder / "node")], check=False)
        shutil.rmtree(folder, ignore_errors=True)

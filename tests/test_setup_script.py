"""scripts/setup: `make run`'s set-up never downloads Elasticsearch (it works offline once
.venv is installed); `make test`'s (--for-tests) fetches the node. Run with stand-ins for
the network (curl) and the package database (dpkg), and an empty download cache."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STAMP = ROOT / ".venv" / ".citysoc-installed"


@pytest.fixture
def offline(tmp_path: Path) -> tuple[dict[str, str], Path]:
    if not STAMP.exists() or STAMP.stat().st_mtime < (ROOT / "pyproject.toml").stat().st_mtime:
        pytest.skip("`make setup` has not installed the current pyproject.toml into .venv")
    bin_dir, calls = tmp_path / "bin", tmp_path / "network-calls"
    bin_dir.mkdir()
    (bin_dir / "curl").write_text(f'#!/bin/sh\necho "curl $*" >> {calls}\nexit 7\n')
    (bin_dir / "dpkg").write_text("#!/bin/sh\nexit 0\n")  # every Debian package is there
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "CITYSOC_CACHE": str(tmp_path / "cache"),  # no Elasticsearch cached
    }
    return env, calls


def test_the_run_setup_downloads_nothing(offline):
    env, calls = offline
    done = subprocess.run(
        [ROOT / "scripts" / "setup"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert not calls.exists(), calls.read_text()
    assert "elasticsearch" not in (done.stdout + done.stderr).lower()


def test_the_test_setup_fetches_elasticsearch(offline):
    env, calls = offline
    done = subprocess.run(
        [ROOT / "scripts" / "setup", "--for-tests"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0  # the stand-in network refused the download
    assert "elasticsearch: downloading" in done.stderr
    assert "repo1.maven.org" in calls.read_text()


def test_an_unknown_option_is_refused(offline):
    env, _calls = offline
    done = subprocess.run(
        [ROOT / "scripts" / "setup", "--tests"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 2 and "usage: scripts/setup [--for-tests]" in done.stderr

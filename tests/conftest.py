"""Shared fixtures: real SQLite files, the real agency registry, a fixed clock."""

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from api.context import CitySoc
from core.access import Actor, Role
from core.agencies import AgencyRegistry
from core.clock import FixedClock
from core.settings import DEFAULT_AGENCIES, DEFAULT_RULES, Settings
from core.storage import SqliteStore

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("CITYSOC_SHARED_DATA", REPO.parent / "shared" / "data"))
EVTX_SAMPLES = SHARED_DATA / "evtx-attack-samples"
SIGMAHQ_RULES = SHARED_DATA / "sigmahq-rules" / "rules"
DATA = Path(__file__).resolve().parent / "data"


def need_shared(path: Path) -> Path:
    """Skip (with the reason) where ../shared/data is absent; CI has it and runs these."""
    if not path.exists():
        if os.environ.get("CITYSOC_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{path} is required under CI but missing")
        pytest.skip(f"needs the shared data set at {path} (not part of a user's clone)")
    return path


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))  # 09:00 Taipei


@pytest.fixture(scope="session")
def registry() -> AgencyRegistry:
    return AgencyRegistry.load(DEFAULT_AGENCIES)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "citysoc.db") as s:
        yield s


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store=f"sqlite:///{tmp_path / 'citysoc.db'}", rule_dirs=[DEFAULT_RULES])


@pytest.fixture
def soc(settings: Settings, clock: FixedClock) -> Iterator[CitySoc]:
    with CitySoc(settings, clock=clock) as s:
        yield s


@pytest.fixture
def analyst() -> Actor:
    return Actor("amy", Role.ANALYST)


@pytest.fixture
def lead() -> Actor:
    return Actor("lee", Role.LEAD)


def require_binary(name: str, install: str) -> str:
    """The path of a program; skip (user clone) or fail (CI) with the install command."""
    import shutil

    path = shutil.which(name)
    if path is None:
        if os.environ.get("CITYSOC_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{name} is required under CI: {install}")
        pytest.skip(f"{name} is not installed: {install}")
    return path

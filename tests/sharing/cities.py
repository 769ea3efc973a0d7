"""Two CitySOC instances on loopback, each with its own store and partner registry."""

import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import uvicorn
import yaml

from api.app import create_app
from api.context import CitySoc
from collectors.records import RawRecord
from core.access import Actor, Role
from core.clock import Clock
from core.settings import DEFAULT_PARTNERS, DEFAULT_RULES, Settings
from incidents.sharing.partners import issue_partner_token

ADMIN = Actor("root-admin", Role.ADMIN)
OPERATOR_TOKEN = "operator-token-taxii"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class City:
    name: str
    soc: CitySoc
    base: str  # http://127.0.0.1:port

    def collection_url(self, alias: str) -> str:
        collection = self.soc.partners.collection(alias)
        return f"{self.base}/taxii2/{self.soc.partners.api_root}/collections/{collection.id}/"

    def token_for(self, partner_id: str) -> str:
        token, _ = issue_partner_token(
            store=self.soc.store,
            actor=ADMIN,
            registry=self.soc.registry,
            partners=self.soc.partners,
            partner_id=partner_id,
            clock=self.soc.clock,
        )
        return token

    def ingest_json(self, *docs: dict[str, object]) -> None:
        ingestor = self.soc.ingestor()
        for doc in docs:
            ingestor.submit(
                RawRecord("test", json.dumps(doc).encode(), self.soc.clock.now()), "jsonl"
            )
        ingestor.flush()


def registry_file(
    path: Path,
    *,
    identity: str,
    name: str,
    partner_id: str,
    partner_name: str,
    pull_url: str,
    token_env: str,
    collection_ids: tuple[str, str],
) -> Path:
    """A partner registry for one city, with one partner that may read and write."""
    data = yaml.safe_load(DEFAULT_PARTNERS.read_text(encoding="utf-8"))
    data["identity"] = {"id": identity, "name": name, "name_en": name, "contact": ""}
    data["collections"][0]["id"], data["collections"][1]["id"] = collection_ids
    data["partners"] = [
        {
            "id": partner_id,
            "name_zh": partner_name,
            "name_en": partner_name,
            "grants": {"city-indicators": "read", "partner-inbox": "write"},
            "max_tlp": "amber",
            "pull": {"collection_url": pull_url, "token_env": token_env, "every_minutes": 15},
        },
        {
            "id": "read-only-county",
            "name_zh": "唯讀縣",
            "name_en": "Read-only County",
            "grants": {"city-indicators": "read"},
            "max_tlp": "green",
        },
    ]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@contextmanager
def serving(soc: CitySoc, port: int, wrap: Callable[[Any], Any] | None = None) -> Iterator[None]:
    """Uvicorn on loopback in a thread; ``wrap`` may put an ASGI middleware around the app."""
    app = create_app(soc, api_token=OPERATOR_TOKEN)
    config = uvicorn.Config(
        wrap(app) if wrap else app, host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)


A_COLLECTIONS = ("0a3f0f3c-6f7e-4f1e-9a53-0c6a7b1e2d41", "0c9e2b7a-3d4f-4a8b-8e6f-5a2d9c0b7e13")
B_COLLECTIONS = ("0b3f0f3c-6f7e-4f1e-9a53-0c6a7b1e2d41", "0d9e2b7a-3d4f-4a8b-8e6f-5a2d9c0b7e13")


@contextmanager
def two_cities(tmp_path: Path, clock: Clock) -> Iterator[tuple[City, City]]:
    """Taichung (A) and Changhua (B), each pulling the other's outgoing collection."""
    port_a, port_b = free_port(), free_port()
    path = "/taxii2/joint-defence/collections/{}/"
    a_file = registry_file(
        tmp_path / "a-partners.yaml",
        identity="identity--5b0d6a57-1f0e-4c3e-9b55-2a8f4c1d7e10",
        name="臺中市政府 SOC",
        partner_id="changhua-county",
        partner_name="彰化縣政府",
        pull_url=f"http://127.0.0.1:{port_b}" + path.format(B_COLLECTIONS[0]),
        token_env="CITYSOC_TEST_TOKEN_FROM_CHANGHUA",
        collection_ids=A_COLLECTIONS,
    )
    b_file = registry_file(
        tmp_path / "b-partners.yaml",
        identity="identity--7c1e8b68-2a1f-4d4f-8c66-3b9a5d2e8f21",
        name="彰化縣政府 SOC",
        partner_id="taichung-city",
        partner_name="臺中市政府",
        pull_url=f"http://127.0.0.1:{port_a}" + path.format(A_COLLECTIONS[0]),
        token_env="CITYSOC_TEST_TOKEN_FROM_TAICHUNG",
        collection_ids=B_COLLECTIONS,
    )
    cities = []
    for label, file in (("a", a_file), ("b", b_file)):
        settings = Settings(
            store=f"sqlite:///{tmp_path / label / 'citysoc.db'}",
            rule_dirs=[DEFAULT_RULES],
            partners_file=file,
            cookie_secure=False,
        )
        cities.append(CitySoc(settings, clock=clock))
    a = City("taichung", cities[0], f"http://127.0.0.1:{port_a}")
    b = City("changhua", cities[1], f"http://127.0.0.1:{port_b}")
    try:
        with serving(a.soc, port_a), serving(b.soc, port_b):
            yield a, b
    finally:
        for soc in cities:
            soc.close()


def event(at: datetime, **fields: object) -> dict[str, object]:
    doc: dict[str, object] = {"@timestamp": at.isoformat(), "host": {"name": "pc-01"}}
    for key, value in fields.items():
        doc[key.replace("__", ".")] = value
    return doc


def partner_indicator(
    oid: str | None = None,
    *,
    modified: str = "2026-03-01T00:00:00.000Z",
    address: str = "203.0.113.9",
    **extra: object,
) -> dict[str, object]:
    """A partner's STIX 2.1 indicator for one address."""
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": oid or f"indicator--{uuid.uuid4()}",
        "created": "2026-03-01T00:00:00.000Z",
        "modified": modified,
        "name": f"bad address {address}",
        "pattern": f"[ipv4-addr:value = '{address}']",
        "pattern_type": "stix",
        "valid_from": "2026-03-01T00:00:00Z",
    } | extra


def publish_now(**kwargs: Any) -> Any:
    """Both steps of sharing at once, as an analyst who confirms what the preview shows."""
    from incidents.sharing.outgoing import publish
    from incidents.sharing.preview import preview_share

    preview = preview_share(**{k: v for k, v in kwargs.items() if k != "clock"})
    return publish(**kwargs, confirm=preview.digest)

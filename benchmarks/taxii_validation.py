"""What a TAXII POST of partner indicators costs, per 1,000 indicators: CitySOC's whole add
path (envelope checks, STIX patterns, stix2-validator, the watchlist import, storing, the
audit entry) beside the baseline of the same run, one raw stix2-validator call on the same
bundle with its default options.

    python -m benchmarks.taxii_validation [--indicators 1000] [--repeat 3]

Each figure is the best of ``--repeat`` runs on a fresh SQLite store (this machine's speed
varies between runs; compare the ratio).
"""

import argparse
import inspect
import json
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

from stix2validator import ValidationOptions, validate_string

from benchmarks.common import report, timed
from core.access import Actor, Role
from core.clock import FixedClock
from core.settings import DEFAULT_PARTNERS, Settings
from core.storage import open_store
from incidents.sharing import taxii
from incidents.sharing.partners import PartnerRegistry, partner_username
from incidents.sharing.tlp import Tlp, marking_id

PARTNER = Actor(partner_username("miaoli-county"), Role.PARTNER)


def indicators(n: int) -> list[dict[str, object]]:
    return [
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": f"indicator--{uuid.uuid4()}",
            "created": "2026-03-01T00:00:00.000Z",
            "modified": "2026-03-01T00:00:00.000Z",
            "name": f"bad address {i}",
            "pattern": f"[ipv4-addr:value = '198.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}']",
            "pattern_type": "stix",
            "valid_from": "2026-03-01T00:00:00Z",
            "confidence": 80,
            "object_marking_refs": [marking_id(Tlp.GREEN)],
        }
        for i in range(n)
    ]


def citysoc_add(objects: list[dict[str, object]]) -> float:
    body = json.dumps({"objects": objects}).encode()
    partners = PartnerRegistry.load(DEFAULT_PARTNERS)
    clock = FixedClock(datetime(2026, 3, 2, 1, tzinfo=UTC))
    extra = {}
    if "max_objects" in inspect.signature(taxii.add_objects).parameters:
        extra["max_objects"] = len(objects)  # the whole bundle in one request
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(store=f"sqlite:///{Path(folder) / 'bench.db'}")
        with open_store(settings) as store, timed() as took:
            status = taxii.add_objects(
                store=store,
                partners=partners,
                actor=PARTNER,
                collection_key="partner-inbox",
                body=body,
                max_bytes=len(body),
                clock=clock,
                **extra,
            )
        assert status["success_count"] == len(objects), status
    return took[0]


def raw_validator(objects: list[dict[str, object]]) -> float:
    bundle = json.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects})
    with timed() as took:
        result = validate_string(bundle, ValidationOptions(version="2.1"))
    assert result.is_valid
    return took[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--indicators", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    objects = indicators(args.indicators)
    per_1000 = 1000 / args.indicators
    ours = min(citysoc_add(objects) for _ in range(args.repeat)) * per_1000
    baseline = min(raw_validator(objects) for _ in range(args.repeat)) * per_1000
    report(
        "taxii_validation",
        {
            "indicators": args.indicators,
            "citysoc_add_seconds_per_1000": ours,
            "raw_stix2_validator_seconds_per_1000": baseline,
            "ratio_to_raw_validator": ours / baseline,
        },
    )


if __name__ == "__main__":
    main()

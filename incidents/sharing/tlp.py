"""Traffic Light Protocol 2.0 as STIX 2.1 marking definitions (the OASIS TLP 2.0 extension)."""

import re
from collections.abc import Mapping
from enum import StrEnum

__all__ = ["TLP_EXTENSION", "Tlp", "marking_definition", "marking_id", "tlp_of"]

TLP_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"


class Tlp(StrEnum):
    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    AMBER_STRICT = "amber+strict"
    RED = "red"

    @property
    def rank(self) -> int:
        return list(Tlp).index(self)

    @property
    def label(self) -> str:
        return f"TLP:{self.value.upper()}"


# The well-known ids FIRST and OASIS publish for TLP 2.0 (the same UUIDs in STIX and CACAO).
_IDS = {
    Tlp.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    Tlp.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Tlp.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Tlp.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Tlp.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# TLP 1.0 markings built into STIX 2.1 (partners on older tools still send them).
_TLP1_IDS = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": Tlp.CLEAR,  # white
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": Tlp.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": Tlp.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": Tlp.RED,
}
_BY_ID = {v: k for k, v in _IDS.items()} | _TLP1_IDS
_BY_NAME = {t.value: t for t in Tlp} | {"white": Tlp.CLEAR}
_LABEL = re.compile(r"\bTLP\s*:\s*(CLEAR|WHITE|GREEN|AMBER\s*\+\s*STRICT|AMBER|RED)\b", re.I)


def marking_id(tlp: Tlp) -> str:
    return _IDS[tlp]


def marking_definition(tlp: Tlp) -> dict[str, object]:
    """The marking-definition object to ship in a bundle alongside objects it marks."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": _IDS[tlp],
        "created": "2022-10-01T00:00:00.000Z",
        "name": tlp.label,
        "extensions": {
            TLP_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": tlp.value}
        },
    }


def _named(value: object) -> Tlp | None:
    if not isinstance(value, str):
        return None
    return _BY_NAME.get(value.strip().lower().replace(" ", ""))


def _defined(item: Mapping[str, object]) -> Tlp | None:
    """The level a (possibly embedded) marking definition states, if it states one: the TLP 2.0
    extension, a TLP 1.0 definition, or a marking definition named or worded ``TLP:…``."""
    if "tlp_2_0" in item:
        return _named(item["tlp_2_0"]) or Tlp.RED  # a level we cannot read: assume the worst
    definition = item.get("definition")
    if item.get("definition_type") == "tlp" and isinstance(definition, Mapping):
        return _named(definition.get("tlp")) or Tlp.RED
    if item.get("type") == "marking-definition":
        words = [item.get("name")]
        if isinstance(definition, Mapping):
            words.append(definition.get("statement"))
        labels = [m for w in words if isinstance(w, str) for m in _LABEL.findall(w)]
        found = [_named(label) for label in labels]
        return max((t for t in found if t), key=lambda t: t.rank, default=None)
    return None


def tlp_of(obj: Mapping[str, object], known: Mapping[str, Tlp] | None = None) -> Tlp | None:
    """The strictest TLP anywhere in an object (TLP 1.0 or 2.0), or None when unmarked.

    Object-level markings, granular markings, marking definitions embedded anywhere in the
    object and references to them all count: an object is as restricted as its most
    restricted part. ``known`` maps other marking-definition ids (a partner's own, shipped
    in the same envelope) to their level. A marking definition is itself "marked" with the
    level it defines, so a TLP:RED definition is treated as red wherever it would be served.
    """
    known = known or {}
    found: list[Tlp] = []
    pending: list[object] = [obj]
    while pending:  # iterative: partner data may nest deeper than Python's recursion limit
        item = pending.pop()
        if isinstance(item, str):
            level = _BY_ID.get(item) or known.get(item)
            if level is not None:
                found.append(level)
        elif isinstance(item, Mapping):
            level = _defined(item)
            if level is not None:
                found.append(level)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return max(found, key=lambda t: t.rank) if found else None

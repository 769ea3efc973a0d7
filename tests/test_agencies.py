from pathlib import Path

import pytest

from core.agencies import UNASSIGNED, AgencyRegistry, AgencyType
from core.errors import ConfigError


def test_registry_holds_first_level_agencies_and_all_29_district_offices(registry):
    districts = [a for a in registry if a.code.startswith("district-")]
    assert len(districts) == 29
    assert registry.get("digital-development").name_zh == "數位發展局"
    assert "數位治理局" in registry.get("digital-development").aliases
    assert registry.superior.code == "digital-development"


def test_heping_is_a_supervised_indigenous_district_office(registry):
    heping = registry.get("district-heping")
    assert heping.agency_type is AgencyType.INDIGENOUS_DISTRICT_OFFICE
    assert heping.relation == "supervised"


def test_sender_address_tags_the_agency_and_unknown_senders_are_unassigned(registry):
    assert registry.for_sender(address="10.30.6.77").code == "district-xitun"
    assert registry.for_sender(address="8.8.8.8") is UNASSIGNED
    assert registry.for_sender(host="d-xitun-fs01").code == "district-xitun"
    assert registry.for_sender(host="unknown-host") is UNASSIGNED


def test_most_specific_network_wins(tmp_path: Path):
    path = tmp_path / "agencies.yaml"
    path.write_text(
        "superior: aa\nagencies:\n"
        "  - {code: aa, name_zh: 甲, name_en: A, agency_type: first_level, networks: [10.0.0.0/8]}\n"
        "  - {code: bb, name_zh: 乙, name_en: B, agency_type: first_level, networks: [10.1.2.0/24]}\n",
        encoding="utf-8",
    )
    registry = AgencyRegistry.load(path)
    assert registry.for_sender(address="10.1.2.3").code == "bb"
    assert registry.for_sender(address="10.9.9.9").code == "aa"


def test_duplicate_agency_code_is_rejected_with_the_file_named(tmp_path: Path):
    path = tmp_path / "agencies.yaml"
    path.write_text(
        "superior: aa\nagencies:\n"
        "  - {code: aa, name_zh: 甲, name_en: A, agency_type: first_level}\n"
        "  - {code: aa, name_zh: 乙, name_en: B, agency_type: first_level}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="appears twice") as info:
        AgencyRegistry.load(path)
    assert info.value.location == str(path)


def test_unknown_agency_type_is_explained(tmp_path: Path):
    path = tmp_path / "agencies.yaml"
    path.write_text(
        "superior: aa\nagencies:\n  - {code: aa, name_zh: 甲, name_en: A, agency_type: bureau}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"agencies\.0\.agency_type"):
        AgencyRegistry.load(path)


def test_certificate_names_find_the_agency_and_another_network_is_a_mismatch(tmp_path: Path):
    path = tmp_path / "agencies.yaml"
    path.write_text(
        "superior: aa\nagencies:\n"
        "  - {code: aa, name_zh: 甲, name_en: A, agency_type: first_level,"
        " certificate_names: [aa-syslog.example.tw], networks: [10.1.0.0/16]}\n"
        "  - {code: bb, name_zh: 乙, name_en: B, agency_type: first_level, networks: [10.2.0.0/16]}\n",
        encoding="utf-8",
    )
    registry = AgencyRegistry.load(path)
    aa = registry.for_certificate(["someone", "AA-Syslog.example.tw"])  # names ignore case
    assert aa is not None and aa.code == "aa"
    assert registry.for_certificate(["bb-syslog.example.tw"]) is None
    assert registry.address_mismatch(aa, "10.2.0.9") == "bb"
    assert registry.address_mismatch(aa, "10.1.0.9") is None  # its own network
    assert registry.address_mismatch(aa, "192.0.2.1") is None  # nobody's network


def test_a_certificate_name_of_two_agencies_is_rejected(tmp_path: Path):
    path = tmp_path / "agencies.yaml"
    path.write_text(
        "superior: aa\nagencies:\n"
        "  - {code: aa, name_zh: 甲, name_en: A, agency_type: first_level, certificate_names: [x]}\n"
        "  - {code: bb, name_zh: 乙, name_en: B, agency_type: first_level, certificate_names: [X]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="certificate name belongs to more than one agency"):
        AgencyRegistry.load(path)

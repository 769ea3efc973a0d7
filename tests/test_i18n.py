"""The label catalogue (core.i18n): both languages say the same things."""

import string

import pytest

from core.agencies import AgencyRegistry
from core.i18n import LABELS, labels, localized


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_chinese_and_english_have_exactly_the_same_keys():
    zh, en = set(LABELS["zh"]), set(LABELS["en"])
    assert not zh - en, f"only in Chinese: {sorted(zh - en)}"
    assert not en - zh, f"only in English: {sorted(en - zh)}"


@pytest.mark.parametrize("key", sorted(LABELS["zh"]))
def test_each_label_has_the_same_placeholders_in_both_languages(key):
    assert _placeholders(labels("zh")[key]) == _placeholders(labels("en").get(key, ""))


def test_localized_picks_the_language_from_a_pair_or_a_named_record(registry: AgencyRegistry):
    assert localized(("通報", "notification"), "zh") == "通報"
    assert localized(("通報", "notification"), "en") == "notification"
    agency = registry.get("district-xitun")
    assert localized(agency, "zh") == agency.name_zh
    assert localized(agency, "en") == agency.name_en

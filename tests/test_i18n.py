"""The label catalogue (core.i18n): both languages say the same things."""

import re
import string
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.agencies import AgencyRegistry
from core.errors import ForbiddenError, InputError, TransitionError
from core.i18n import LABELS, labels, localized
from core.i18n.messages import describe


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


def test_an_error_with_a_key_is_said_in_each_language_with_its_codes_named():
    error = TransitionError(
        "cannot notify incident INC-1: ...",
        key="transition",
        params={"state": "closed", "step": "notify"},
    )
    assert describe(error, "zh") == "事件目前為「已結案」，不能通報。"
    assert describe(error, "en") == "The incident is closed: it cannot be notified."
    assert error.message.startswith("cannot notify")  # the API's English is kept
    at = datetime(2026, 3, 2, 1, tzinfo=UTC)
    future = InputError("x", key="in_future", params={"field": "aware_at", "at": at})
    assert describe(future, "zh").startswith("「知悉時間」民國115年03月02日 09:00 晚於現在")


def test_an_error_without_a_key_is_english_in_english_and_its_kind_in_chinese():
    plain = InputError("the rule_set must be 2021 or 2026", location="body.reason")
    assert describe(plain, "en") == "the rule_set must be 2021 or 2026"
    assert describe(plain, "zh") == "「理由」：輸入內容有誤，請修正後再送出。"
    refused = ForbiddenError("only leads")
    assert describe(refused, "zh") == labels("zh")["err_code_forbidden"]
    assert describe(refused, "zh", generic=False) == ""  # the error page's status says it


def test_every_error_key_raised_in_the_code_is_in_the_catalogue():
    """A new ``key=`` in the code needs its ``err_<key>`` in both catalogues (core/i18n/zh/errors.py, en/errors.py)."""
    root = Path(__file__).resolve().parent.parent
    keys = {
        key
        for folder in ("api", "core", "incidents", "reports", "collectors")
        for path in (root / folder).rglob("*.py")
        for key in re.findall(r'\bkey="([a-z0-9_]+)"', path.read_text(encoding="utf-8"))
    }
    assert {"transition", "role_may_not", "not_visible", "too_long"} <= keys
    missing = sorted(k for k in keys if f"err_{k}" not in LABELS["zh"])
    assert not missing, f"no err_<key> in the catalogue for {missing}"


def test_a_key_given_in_two_modules_of_a_catalogue_is_refused():
    import pytest

    from core.i18n.catalogue import merged

    assert merged({"a": "1"}, {"b": "2"}) == {"a": "1", "b": "2"}
    with pytest.raises(ValueError, match="'a'"):
        merged({"a": "1"}, {"a": "2"})

"""The query language: what each form parses to, and errors that name the position and
what was expected (in the catalogue)."""

from datetime import UTC, datetime
from ipaddress import ip_network

import pytest

from core.errors import InputError
from core.event_query.ast import And, Cidr, Equals, Exists, Match, Not, Or, Range, Wildcard
from core.event_query.parser import MAX_DEPTH, MAX_QUERY_LENGTH, parse
from core.i18n import labels


def test_empty_means_every_event():
    assert parse("") is None
    assert parse("   ") is None


def test_field_value_words_phrases_and_wildcards():
    assert parse("host.name:WS-1") == Match("host.name", Equals("WS-1"))
    assert parse('user.name:"Jane Doe"') == Match("user.name", Equals("Jane Doe"))
    assert parse('process.name:"a*b"') == Match("process.name", Equals("a*b"))  # quoted: literal
    assert parse("host.name:ws-*") == Match("host.name", Wildcard(("ws-", "*", "")))
    assert parse("host.name:?c-1") == Match("host.name", Wildcard(("", "?", "c-1")))
    assert parse(r"process.args:a\*b") == Match("process.args", Equals("a*b"))
    assert parse("source.ip:*") == Match("source.ip", Exists())
    assert parse("mimikatz") == Match(None, Equals("mimikatz"))
    assert parse('"lsass dump"') == Match(None, Equals("lsass dump"))
    assert parse(r'"say \"hi\""') == Match(None, Equals('say "hi"'))
    assert parse(r"C\:\\Windows\\*") == Match(None, Wildcard(("C:\\Windows\\", "*", "")))
    assert parse("winlog.event_data.TargetUserName:管理員") == Match(
        "winlog.event_data.TargetUserName", Equals("管理員")
    )


def test_boolean_operators_precedence_and_implicit_and():
    a, b, c = (Match(None, Equals(x)) for x in "abc")
    assert parse("a b") == And((a, b))
    assert parse("a AND b OR c") == Or((And((a, b)), c))
    assert parse("a OR b c") == Or((a, And((b, c))))
    assert parse("a AND (b OR c)") == And((a, Or((b, c))))
    assert parse("NOT a b") == And((Not(a), b))
    assert parse("NOT NOT a") == Not(Not(a))
    assert parse("a and b") == And((a, Match(None, Equals("and")), b))  # keywords are capitals


def test_ranges_on_numbers_and_times():
    assert parse("event.code:[4624 TO 4634]") == Match("event.code", Range(4624.0, 4634.0))
    assert parse("n:{1 TO 5]") == Match("n", Range(1.0, 5.0, include_low=False))
    assert parse("n:[* TO 5}") == Match("n", Range(None, 5.0, include_high=False))
    assert parse("n:>=-2.5") == Match("n", Range(-2.5, None))
    assert parse("n:<3") == Match("n", Range(None, 3.0, include_high=False))
    taipei_new_year = datetime(2025, 12, 31, 16, 0, tzinfo=UTC)
    assert parse("@timestamp:>2026-01-01") == Match(
        "@timestamp", Range(taipei_new_year, None, include_low=False)
    )
    assert parse("@timestamp:>=2026-01-01T00:00:00Z") == Match(
        "@timestamp", Range(datetime(2026, 1, 1, tzinfo=UTC), None)
    )
    day = parse("@timestamp:2026-01-01")  # a day as a value: the whole day, Taipei time
    assert day == Match(
        "@timestamp",
        Range(taipei_new_year, datetime(2026, 1, 1, 16, tzinfo=UTC), include_high=False),
    )


def test_cidr_on_address_fields():
    assert parse("source.ip:10.0.0.0/8") == Match("source.ip", Cidr(ip_network("10.0.0.0/8")))
    assert parse("winlog.event_data.IpAddress:fe80::/10") == Match(
        "winlog.event_data.IpAddress", Cidr(ip_network("fe80::/10"))
    )
    assert parse('url.path:"10.0.0.0/8"') == Match("url.path", Equals("10.0.0.0/8"))


@pytest.mark.parametrize(
    ("query", "key", "position"),
    [
        ("host.name:", "search_expected_value", 11),
        ("(a OR b", "search_unclosed_paren", 1),
        ("a)", "search_unopened_paren", 2),
        ("a AND", "search_expected_term", 6),
        ("OR a", "search_misplaced_keyword", 1),
        ('user.name:"abc', "search_unclosed_quote", 11),
        ("host.name:10.0.0.0/8", "search_cidr_field", 11),
        ("source.ip:10.0.0.0/99", "search_bad_cidr", 11),
        ("n:[1 TO x]", "search_bad_number", 9),
        ("n:[1 5]", "search_expected_to", 6),
        ("n:[1 TO 5", "search_unclosed_range", 3),
        ("n:>", "search_expected_bound", 4),
        ("@timestamp:>yesterday", "search_bad_time", 13),
        ("@timestamp:2026*", "search_time_wildcard", 12),
        ("()", "search_empty_group", 1),
        ("a b:c:d (", "search_expected_term", 10),
        ("bad$name:x", "search_bad_field", 1),
        ("trailing\\", "search_dangling_escape", 9),
    ],
)
def test_errors_name_the_position_and_have_catalogue_words(query, key, position):
    with pytest.raises(InputError) as raised:
        parse(query)
    assert raised.value.key == key
    assert raised.value.params["position"] == position
    assert raised.value.location == "q"
    for lang in ("zh", "en"):
        assert f"err_{key}" in labels(lang)


def test_limits():
    with pytest.raises(InputError) as raised:
        parse("a" * (MAX_QUERY_LENGTH + 1))
    assert raised.value.key == "search_too_long"
    with pytest.raises(InputError) as raised:
        parse("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    assert raised.value.key == "search_too_deep"

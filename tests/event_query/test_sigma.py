""" "Make this a Sigma rule": drafts pySigma accepts, which the project's own backend
compiles into rules that match exactly the events the search found; refusals for what
Sigma cannot say."""

from datetime import UTC, date, datetime, timedelta

import pytest
import yaml

from core.errors import InputError
from core.event_query.parser import parse
from core.event_query.sigma import MAX_GROUPS, sigma_draft
from core.events import Event
from core.storage import SqliteStore
from core.storage.searching import EventFilter
from detections.compile import compile_rule_dict

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)


def _event(n: int, **fields: str | int) -> Event:
    return Event(
        event_id=f"e{n}",
        timestamp=T0 + timedelta(seconds=n),
        dataset="winlog",
        organization_id="police",
        original=f"record {n} " + " ".join(f"{k}={v}" for k, v in fields.items()),
        fields=dict(fields),
    )


EVENTS = [
    _event(
        0,
        **{
            "winlog.event_id": 4688,
            "winlog.event_data.CommandLine": "mimikatz.exe sekurlsa",
            "host.name": "WS-1",
            "winlog.channel": "Security",
        },
    ),
    _event(
        1,
        **{
            "winlog.event_id": 4688,
            "winlog.event_data.CommandLine": "notepad.exe",
            "host.name": "WS-2",
            "winlog.channel": "Security",
        },
    ),
    _event(
        2,
        **{
            "winlog.event_id": 4625,
            "winlog.event_data.IpAddress": "10.1.2.3",
            "winlog.event_data.TargetUserName": "admin",
            "host.name": "DC-1",
            "winlog.channel": "Security",
        },
    ),
    _event(
        3,
        **{
            "winlog.event_id": 4625,
            "winlog.event_data.IpAddress": "192.168.1.9",
            "winlog.event_data.TargetUserName": "guest",
            "host.name": "DC-1",
            "winlog.channel": "Security",
        },
    ),
    _event(4, **{"winlog.event_id": 4634, "host.name": "ws-1", "winlog.channel": "Security"}),
]

SAME_EVENTS = [
    "winlog.event_id:4688 AND winlog.event_data.CommandLine:*mimikatz*",
    "winlog.event_id:4625 AND NOT winlog.event_data.TargetUserName:guest",
    "winlog.event_data.IpAddress:10.0.0.0/8 OR host.name:ws-*",
    "winlog.event_id:[4624 TO 4630] host.name:dc*",
    "winlog.event_data.CommandLine:notepad.exe OR winlog.event_data.CommandLine:*.exe",
    "winlog.event_id:>=4634",
    "(host.name:ws-1 OR host.name:ws-2) AND NOT (winlog.event_id:4634 OR winlog.event_id:4625)",
]


@pytest.fixture
def store(tmp_path):
    with SqliteStore(tmp_path / "s.db") as opened:
        opened.events.append(EVENTS)
        yield opened


@pytest.mark.parametrize("query", SAME_EVENTS)
def test_the_draft_compiles_and_matches_what_the_search_found(store, query):
    draft = sigma_draft(query, author="amy", today=TODAY)
    rule = yaml.safe_load(draft)
    assert rule["status"] == "experimental" and rule["author"] == "amy"
    compiled = compile_rule_dict(rule, "draft.yml")
    matched = {
        row[0]
        for row in store.all(f"SELECT event_id FROM events WHERE {compiled.condition}")  # noqa: S608
    }
    found = {e.event_id for e in store.event_search.stream(EventFilter(parse(query)))}
    assert found and matched == found, draft


def test_the_draft_uses_sigma_names_and_modifiers():
    draft = yaml.safe_load(
        sigma_draft(
            "winlog.event_id:4688 winlog.event_data.Image:*\\\\cmd.exe "
            "winlog.event_data.ParentImage:C\\:\\\\Windows* source.ip:10.0.0.0/8 x:* "
            "NOT winlog.event_data.User:system",
            author="a",
            today=TODAY,
        )
    )
    assert draft["logsource"] == {"product": "windows"}
    assert draft["detection"]["selection_1"] == {
        "EventID": "4688",
        "Image|endswith": "\\\\cmd.exe",  # Sigma's escaped backslash: one in the value
        "ParentImage|startswith": "C:\\\\Windows",
        "source.ip|cidr": "10.0.0.0/8",
        "x|exists": True,
    }
    assert draft["detection"]["filter_1"] == [{"User": "system"}]
    assert draft["detection"]["condition"] == "selection_1 and not filter_1"
    assert sigma_draft("a:1", author="a", today=TODAY) == sigma_draft(
        "a:1", author="a", today=TODAY
    )


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("", "search_sigma_empty"),
        ("@timestamp:>2026-01-01 host.name:x", "search_sigma_time_range"),
        ("NOT (a:1 AND b:2)", "search_sigma_not_group"),
        ("NOT a:1", "search_sigma_only_not"),
        ("a:1 NOT mimikatz", "search_sigma_not_word"),
        (" ".join(f"(a:{n} OR b:{n})" for n in range(6)), "search_sigma_too_many"),
    ],
)
def test_what_sigma_cannot_say_is_refused_with_the_reason(query, key):
    with pytest.raises(InputError) as refused:
        sigma_draft(query, author="a", today=TODAY)
    assert refused.value.key == key
    assert MAX_GROUPS < 2**6

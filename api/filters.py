"""Query-string filters shared by the API and the pages. A form submits an empty field for
"any", so blanks mean "no filter"; times without an offset are Taipei time (what a
datetime-local input sends)."""

from datetime import date, datetime
from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator, BeforeValidator

from core.alerts import AlertQuery, AlertStatus, Severity
from core.clock import TAIPEI, utc_clamped
from core.errors import InputError
from core.time_range import check_day, check_time

__all__ = ["MAX_OFFSET", "Blank", "Day", "Offset", "Text", "When", "alert_query", "bounded_time"]


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _taipei_if_naive(value: datetime | None) -> datetime | None:
    """Naive is Taipei time; the result is UTC, clamped to the representable range."""
    if value is None:
        return None
    return utc_clamped(value.replace(tzinfo=TAIPEI) if value.tzinfo is None else value)


def bounded_time(value: datetime | None) -> datetime | None:
    """A time every engine and page can convert (core.time_range); pydantic names the
    parameter in the error's location."""
    try:
        return None if value is None else check_time(value, "time")
    except InputError as exc:
        raise ValueError(exc.message) from None


def _bounded_day(value: date | None) -> date | None:
    try:
        return None if value is None else check_day(value, "day")
    except InputError as exc:
        raise ValueError(exc.message) from None


# A day of a period (compliance report, dashboard), within core.time_range.
Day = Annotated[date, AfterValidator(_bounded_day)]

# Paging deeper than this is not reading, it is exporting (and engines store 64-bit ints).
MAX_OFFSET = 1_000_000_000
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]

Blank = BeforeValidator(_blank_is_none)
When = Annotated[
    datetime | None,
    Blank,
    AfterValidator(_taipei_if_naive),
    AfterValidator(bounded_time),
    Query(description="ISO 8601; without an offset it is Taipei time (UTC+8)"),
]
# Length is checked on the text as sent, then a blank becomes None (a constraint applied to
# None after a before-validator would fail with a server error instead of a 422).
Text = Annotated[str | None, Query(max_length=300), AfterValidator(_blank_is_none)]


def alert_query(
    agency: Text = None,
    status: Annotated[AlertStatus | None, Blank, Query()] = None,
    severity: Annotated[Severity | None, Blank, Query()] = None,
    rule: Annotated[
        str | None,
        Query(max_length=300, description="part of the rule's id or title, any case"),
        AfterValidator(_blank_is_none),
    ] = None,
    host: Annotated[
        str | None,
        Query(max_length=300, description="part of the host name, any case"),
        AfterValidator(_blank_is_none),
    ] = None,
    assignee: Text = None,
    since: When = None,
    until: When = None,
) -> AlertQuery:
    """The alert queue's filters, newest first. Rule and host are what a person types:
    part of the name, any case, taken literally."""
    return AlertQuery(
        organization_id=agency,
        status=status,
        severity=severity,
        rule_contains=rule,
        host_contains=host,
        assignee=assignee,
        since=since,
        until=until,
        newest_first=True,
    )

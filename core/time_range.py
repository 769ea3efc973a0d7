"""The times and days a person may name in a filter, a form or a command.

Wide enough for any real record, narrow enough that converting between UTC and Taipei
time, or adding a day to the end of a period, can never overflow (Python's datetimes end
at years 1 and 9999: ``9999-12-31T23:59:59-14:00`` has no UTC form at all).
"""

from datetime import UTC, date, datetime

from core.errors import InputError

__all__ = ["EARLIEST", "LATEST", "check_day", "check_time"]

EARLIEST = date(1900, 1, 1)
LATEST = date(9998, 12, 31)


def _outside(shown: str, where: str) -> InputError:
    return InputError(
        f"{where} {shown} is out of range: use a time from {EARLIEST} to {LATEST}",
        location=where,
    )


def check_time(value: datetime, where: str) -> datetime:
    """``value`` unchanged if it lies in the range (in UTC); else InputError naming ``where``.
    A naive time is judged as it stands (its zone is the caller's business)."""
    try:
        day = value.astimezone(UTC).date() if value.tzinfo is not None else value.date()
    except OverflowError:
        raise _outside(value.isoformat(), where) from None
    if not EARLIEST <= day <= LATEST:
        raise _outside(value.isoformat(), where)
    return value


def check_day(value: date, where: str) -> date:
    """``value`` unchanged if it lies in the range; else InputError naming ``where``."""
    if not EARLIEST <= value <= LATEST:
        raise _outside(value.isoformat(), where)
    return value

"""Times in page forms: a ``datetime-local`` input holds a Taipei wall time to the minute,
both as shown (``local_input``) and as sent back (``taipei_input``)."""

from datetime import datetime

from core.clock import TAIPEI
from core.errors import InputError

__all__ = ["local_input", "taipei_input"]


def local_input(at: datetime | None) -> str:
    """A time as a datetime-local input shows it (Taipei, to the minute)."""
    if at is None:
        return ""
    try:
        local = at.astimezone(TAIPEI)
    except OverflowError:  # the calendar's last hours have no Taipei time: show them as given
        local = at
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d}T{local.hour:02d}:{local.minute:02d}"


def taipei_input(value: str, field: str = "at") -> datetime | None:
    """A datetime-local input's value (Taipei time); blank means now (None)."""
    if not value.strip():
        return None
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            f"not a time: {value!r}", location=field, key="not_a_time", params={"field": field}
        ) from None
    return at.replace(tzinfo=TAIPEI) if at.tzinfo is None else at

"""The incident board's query-string filters, shared by the board page and
``GET /api/v1/incidents`` (blank form fields mean "any", as in ``api.filters``)."""

from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator

from api.filters import Blank, Text
from incidents.board import BoardQuery, BoardSort
from incidents.models import IncidentState

__all__ = ["BOARD_FILTER_KEYS", "board_query"]

BOARD_FILTER_KEYS = ("state", "level", "agency", "assignee", "overdue", "q", "sort")


def _level(value: int | None) -> int | None:
    # Checked after a blank became None: a Query(ge=...) constraint would meet None (a 500).
    if value is not None and not 1 <= value <= 4:
        raise ValueError("the level is 1 to 4")
    return value


def board_query(
    state: Annotated[IncidentState | None, Blank, Query()] = None,
    level: Annotated[int | None, Blank, AfterValidator(_level), Query()] = None,
    agency: Text = None,
    assignee: Text = None,  # a username, or "mine"
    overdue: Annotated[
        bool | None, Blank, Query(description="a clock overdue or a triage target passed")
    ] = None,
    q: Text = None,  # text in the id, title or event name
    sort: Annotated[BoardSort | None, Blank, Query()] = None,
) -> BoardQuery:
    return BoardQuery(
        state=state,
        level=level,
        agency=agency,
        assignee=assignee,
        overdue=overdue,
        text=q.strip() if q else None,
        sort=sort or BoardSort.NEWEST,
    )

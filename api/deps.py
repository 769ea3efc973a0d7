"""Request dependencies shared by the JSON routes and the pages: the running CitySOC (set on
``app.state`` by ``create_app``), its clock and store."""

from typing import Annotated

from fastapi import Depends, Request

from api.context import CitySoc

__all__ = ["Soc", "get_soc"]


def get_soc(request: Request) -> CitySoc:
    """The CitySOC this app serves (one per app; tests build several side by side)."""
    soc: CitySoc = request.app.state.soc
    return soc


Soc = Annotated[CitySoc, Depends(get_soc)]

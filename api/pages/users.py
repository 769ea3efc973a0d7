"""The accounts page (/users): administrators list, create, disable, enable and unlock
accounts without the command line; leads and auditors read the list. The same services as
the JSON API (core.accounts, core.account_admin) decide who may; a refused form comes back
filled in (never the passwords) with the error in the page's language."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape

from api.context import CitySoc
from api.deps import Soc
from api.errors import status_of
from api.filters import Offset
from api.pages.deps import FormSession, PageSession, Session
from api.pages.rendering import labels_for, page, said, validated
from core.access import Action, Role, allowed
from core.account_admin import AccountCreate, open_account
from core.accounts import list_users, set_disabled, unlock_user
from core.errors import ConflictError, InputError

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
USERS_PAGE = 50
# The roles a person can hold (system and partner accounts are not made here).
PEOPLE = (Role.REPORTER, Role.ANALYST, Role.LEAD, Role.AUDITOR, Role.ADMIN)
Username = Annotated[str, Path(max_length=64)]


def _users_page(
    request: Request,
    soc: CitySoc,
    session: PageSession,
    *,
    offset: int = 0,
    status: int = 200,
    error: str = "",
    notice: Markup | None = None,
    generated: str | None = None,
    filled: dict[str, str] | None = None,
) -> Response:
    found = sorted(list_users(store=soc.store, actor=session.who), key=lambda u: u.username)
    now = soc.clock.now()
    return page(
        request,
        "users.html.j2",
        status=status,
        who=session.who,
        csrf=session.csrf,
        rows=found[offset : offset + USERS_PAGE],
        now=now,
        total=len(found),
        offset=offset,
        limit=USERS_PAGE,
        base="/users",
        manages=Action.MANAGE_ACCOUNTS in allowed(session.who),
        roles=[r.value for r in PEOPLE],
        agencies=list(soc.registry),
        agencies_by_code={a.code: a for a in soc.registry},
        error=error,
        notice=notice,
        generated=generated,
        filled=filled or {},
    )


def _notice(request: Request, key: str, username: str) -> Markup:
    """A catalogue sentence naming an account, the name marked as not for translation."""
    name = Markup('<span translate="no">{}</span>').format(username)
    return escape(labels_for(request)[key]).format(username=name)


@router.get("/users")
def users_page(
    request: Request,
    soc: Soc,
    session: Session,
    offset: Offset = 0,
    changed: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    notice = _notice(request, "users_changed", changed) if changed else Markup()
    return _users_page(request, soc, session, offset=offset, notice=notice)


@router.post("/users")
def users_create(
    request: Request,
    soc: Soc,
    session: FormSession,
    username: Annotated[str, Form(max_length=1000)] = "",
    display_name: Annotated[str, Form(max_length=1000)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    agency: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=1000)] = "",
    phone: Annotated[str, Form(max_length=1000)] = "",
    password: Annotated[str, Form(max_length=2000)] = "",
    password_again: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    filled = {
        "username": username,
        "display_name": display_name,
        "role": role,
        "agency": agency,
        "email": email,
        "phone": phone,
    }
    t = labels_for(request)
    if password != password_again:
        return _users_page(
            request, soc, session, status=422, error=t["users_mismatch"], filled=filled
        )
    try:
        form = validated(
            AccountCreate, **(filled | {"agency": agency or None, "password": password or None})
        )
        user, generated = open_account(
            store=soc.store, actor=session.who, registry=soc.registry, form=form, clock=soc.clock
        )
    except (InputError, ConflictError) as exc:  # fixable: the form again; others: error page
        return _users_page(
            request, soc, session, status=status_of(exc), error=said(request, exc), filled=filled
        )
    notice = _notice(request, "users_created", user.username)
    # A generated password is shown on this answer only: never in a URL or a redirect.
    return _users_page(request, soc, session, notice=notice, generated=generated)


def _changed(username: str) -> Response:
    return RedirectResponse(f"/users?{urlencode({'changed': username})}", status_code=303)


@router.post("/users/{username}/disable")
def users_disable(username: Username, soc: Soc, session: FormSession) -> Response:
    set_disabled(
        store=soc.store, actor=session.who, username=username, disabled=True, clock=soc.clock
    )
    return _changed(username)


@router.post("/users/{username}/enable")
def users_enable(username: Username, soc: Soc, session: FormSession) -> Response:
    set_disabled(
        store=soc.store, actor=session.who, username=username, disabled=False, clock=soc.clock
    )
    return _changed(username)


@router.post("/users/{username}/unlock")
def users_unlock(username: Username, soc: Soc, session: FormSession) -> Response:
    unlock_user(store=soc.store, actor=session.who, username=username, clock=soc.clock)
    return _changed(username)

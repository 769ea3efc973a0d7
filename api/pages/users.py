"""The accounts page (/users): administrators list, create, disable, enable, unlock and
reset accounts, change roles, and issue and revoke API tokens without the command line;
leads and auditors read the list. The same services as
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
from core.access import Action, allowed, require_right
from core.account_admin import AccountCreate, open_account
from core.account_changes import (
    PEOPLE,
    RoleChange,
    change_role,
    issue_token_for,
    reset_password,
)
from core.accounts import list_tokens, list_users, revoke_token, set_disabled, unlock_user
from core.errors import ConflictError, InputError

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
USERS_PAGE = 50
TokenId = Annotated[str, Path(max_length=64)]
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
    token: str | None = None,
) -> Response:
    found = sorted(list_users(store=soc.store, actor=session.who), key=lambda u: u.username)
    now = soc.clock.now()
    manages = Action.MANAGE_ACCOUNTS in allowed(session.who)
    tokens = list_tokens(store=soc.store, actor=session.who) if manages else []
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
        manages=manages,
        tokens=sorted(tokens, key=lambda t: (t.revoked_at is not None, t.username, t.name)),
        token=token,
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


# Issue 16 item 7: reset, role and tokens. A one-time password or a token is shown on this
# answer only, never in a URL or a redirect.


def _manages(session: PageSession) -> None:
    require_right(
        session.who, Action.MANAGE_ACCOUNTS, "only administrators change accounts", "user"
    )


@router.post("/users/{username}/reset")
def users_reset(username: Username, request: Request, soc: Soc, session: FormSession) -> Response:
    password = reset_password(
        store=soc.store, actor=session.who, username=username, clock=soc.clock
    )
    notice = _notice(request, "ops_users_reset_done", username)
    return _users_page(request, soc, session, notice=notice, generated=password)


@router.post("/users/role")
def users_role(
    request: Request,
    soc: Soc,
    session: FormSession,
    username: Annotated[str, Form(max_length=64)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    agency: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    _manages(session)  # before the form is judged: a refusal says only that
    try:
        change = validated(RoleChange, role=role, agency=agency or None)
        change_role(
            store=soc.store,
            actor=session.who,
            registry=soc.registry,
            username=username,
            change=change,
            clock=soc.clock,
        )
    except InputError as exc:
        return _users_page(request, soc, session, status=status_of(exc), error=said(request, exc))
    return _changed(username)


@router.post("/users/tokens")
def users_token(
    request: Request,
    soc: Soc,
    session: FormSession,
    username: Annotated[str, Form(max_length=64)] = "",
    name: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        plain, _token = issue_token_for(
            store=soc.store, actor=session.who, username=username, name=name, clock=soc.clock
        )
    except InputError as exc:
        return _users_page(request, soc, session, status=status_of(exc), error=said(request, exc))
    notice = _notice(request, "ops_users_token_done", username)
    return _users_page(request, soc, session, notice=notice, token=plain)


@router.post("/users/tokens/{token_id}/revoke")
def users_revoke(token_id: TokenId, soc: Soc, session: FormSession) -> Response:
    _manages(session)  # the page revokes anyone's token: administrators only
    token = revoke_token(store=soc.store, actor=session.who, token_id=token_id, clock=soc.clock)
    return _changed(token.username)

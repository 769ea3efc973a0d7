"""Accounts over HTTP: list them (administrators, leads, auditors), open one with its
profile, disable, enable, unlock, reset the password, change the role and issue a token
for the holder (administrators). Profiles are changed through
`PATCH /api/v1/users/{username}` (api/routes/messages.py). Access is decided in the
services (core.accounts, core.account_admin)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ActorDep, Soc
from api.filters import Offset
from core import limits
from core.account_admin import AccountCreate, account_summary, open_account
from core.account_changes import RoleChange, change_role, issue_token_for, reset_password
from core.accounts import list_users, set_disabled, unlock_user

__all__ = ["router"]

router = APIRouter()
Username = Annotated[str, Path(max_length=64)]


@router.get("/api/v1/users")
def users(
    who: ActorDep,
    soc: Soc,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> dict[str, object]:
    """Accounts by username, with role, agency, contact and whether disabled or locked."""
    found = sorted(list_users(store=soc.store, actor=who), key=lambda u: u.username)
    now = soc.clock.now()
    return {
        "total": len(found),
        "limit": limit,
        "offset": offset,
        "items": [account_summary(u, now) for u in found[offset : offset + limit]],
    }


@router.post("/api/v1/users", status_code=201)
def create(body: AccountCreate, who: ActorDep, soc: Soc) -> dict[str, object]:
    """Open an account. Without a password one is generated and returned once (only its
    hash is kept)."""
    user, generated = open_account(
        store=soc.store, actor=who, registry=soc.registry, form=body, clock=soc.clock
    )
    return {"account": account_summary(user, soc.clock.now()), "password": generated}


@router.post("/api/v1/users/{username}/disable")
def disable(username: Username, who: ActorDep, soc: Soc) -> dict[str, object]:
    """The account can no longer sign in; its sessions and tokens stop working."""
    user = set_disabled(
        store=soc.store, actor=who, username=username, disabled=True, clock=soc.clock
    )
    return account_summary(user, soc.clock.now())


@router.post("/api/v1/users/{username}/enable")
def enable(username: Username, who: ActorDep, soc: Soc) -> dict[str, object]:
    user = set_disabled(
        store=soc.store, actor=who, username=username, disabled=False, clock=soc.clock
    )
    return account_summary(user, soc.clock.now())


@router.post("/api/v1/users/{username}/unlock")
def unlock(username: Username, who: ActorDep, soc: Soc) -> dict[str, object]:
    """Clear failed logins and the lockout."""
    user = unlock_user(store=soc.store, actor=who, username=username, clock=soc.clock)
    return account_summary(user, soc.clock.now())


@router.post("/api/v1/users/{username}/reset")
def reset(username: Username, who: ActorDep, soc: Soc) -> dict[str, object]:
    """A new generated password, returned once (only its hash is kept); the lockout goes."""
    password = reset_password(store=soc.store, actor=who, username=username, clock=soc.clock)
    return {"username": username, "password": password}


@router.post("/api/v1/users/{username}/role")
def role(username: Username, body: RoleChange, who: ActorDep, soc: Soc) -> dict[str, object]:
    user = change_role(
        store=soc.store,
        actor=who,
        registry=soc.registry,
        username=username,
        change=body,
        clock=soc.clock,
    )
    return account_summary(user, soc.clock.now())


class TokenFor(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=limits.NAME)


@router.post("/api/v1/users/{username}/tokens", status_code=201)
def token_for(username: Username, body: TokenFor, who: ActorDep, soc: Soc) -> dict[str, object]:
    """An API token of the account's holder, returned once (see GET /api/v1/tokens and
    DELETE /api/v1/tokens/{id}, which administrators use for every account's tokens)."""
    plain, token = issue_token_for(
        store=soc.store, actor=who, username=username, name=body.name, clock=soc.clock
    )
    return {"id": token.id, "username": token.username, "name": token.name, "token": plain}

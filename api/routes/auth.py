"""Accounts over HTTP: log in and out (a browser session), who am I, and API tokens."""

from fastapi import APIRouter, Request, Response

from api.deps import ActorDep, Limiter, Soc
from api.origin import require_same_origin
from api.schemas import SessionCreate, TokenCreate
from api.sessions import clear_session_cookie, session_id_of, set_session_cookie
from core import accounts

__all__ = ["router"]

router = APIRouter()


@router.post("/api/v1/auth/login")
def login(
    body: SessionCreate, request: Request, response: Response, soc: Soc, limiter: Limiter
) -> dict[str, object]:
    require_same_origin(request)  # no session yet, so no CSRF token: where it came from
    limiter.check(request.client.host if request.client else "unknown")
    user = accounts.authenticate(
        store=soc.store,
        username=body.username,
        password=body.password.get_secret_value(),
        clock=soc.clock,
    )
    session_id, csrf = accounts.start_session(store=soc.store, user=user, clock=soc.clock)
    set_session_cookie(response, session_id, secure=soc.settings.cookie_secure)
    return {
        "username": user.username,
        "role": user.role.value,
        "agency": user.agency,
        "csrf_token": csrf,
    }


@router.post("/api/v1/auth/logout", status_code=204)
def logout(request: Request, response: Response, who: ActorDep, soc: Soc) -> None:  # noqa: ARG001
    session_id = session_id_of(request)
    if session_id:
        accounts.end_session(store=soc.store, session_id=session_id)
    clear_session_cookie(response)


@router.get("/api/v1/me")
def me(who: ActorDep) -> dict[str, object]:
    return {"name": who.name, "role": who.role.value, "agency": who.agency}


@router.post("/api/v1/tokens", status_code=201)
def create_token(body: TokenCreate, who: ActorDep, soc: Soc) -> dict[str, object]:
    plain, token = accounts.issue_token(store=soc.store, actor=who, name=body.name, clock=soc.clock)
    return {
        "id": token.id,
        "name": token.name,
        "token": plain,
        "note": "shown once: store it now; CitySOC keeps only its hash",
    }


@router.get("/api/v1/tokens")
def tokens(who: ActorDep, soc: Soc) -> list[dict[str, object]]:
    return [
        t.model_dump(exclude={"token_hash"}, mode="json")
        for t in accounts.list_tokens(store=soc.store, actor=who)
    ]


@router.delete("/api/v1/tokens/{token_id}")
def revoke(token_id: str, who: ActorDep, soc: Soc) -> dict[str, object]:
    token = accounts.revoke_token(store=soc.store, actor=who, token_id=token_id, clock=soc.clock)
    return token.model_dump(exclude={"token_hash"}, mode="json")

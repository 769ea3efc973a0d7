"""Messages to people over HTTP: the outbox (status, attempts, last error) and retrying a
message; the profile (one's own, and an administrator's edits of anyone's)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import ActorDep, Soc
from api.filters import Offset
from core.messages import MessageStatus
from core.profiles import ProfileChange, get_profile, update_profile
from incidents.messages.outbox import list_messages, retry_message

__all__ = ["router"]

router = APIRouter()
MessageId = Annotated[str, Path(max_length=200)]
Username = Annotated[str, Path(max_length=64)]


@router.get("/api/v1/messages")
def messages(
    who: ActorDep,
    soc: Soc,
    status: MessageStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> dict[str, object]:
    """The outbox, newest first (analysts, leads, admins)."""
    total, page = list_messages(soc.store, actor=who, status=status, limit=limit, offset=offset)
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "items": [m.model_dump(mode="json") for m in page],
    }


@router.post("/api/v1/messages/{message_id}/retry")
def retry(message_id: MessageId, who: ActorDep, soc: Soc) -> dict[str, object]:
    """Queue a pending or failed message again now (audited)."""
    return retry_message(soc.store, actor=who, message_id=message_id, clock=soc.clock).model_dump(
        mode="json"
    )


@router.get("/api/v1/profile")
def my_profile(who: ActorDep, soc: Soc) -> dict[str, object]:
    return get_profile(store=soc.store, actor=who, username=who.name).profile()


@router.patch("/api/v1/profile")
def change_my_profile(body: ProfileChange, who: ActorDep, soc: Soc) -> dict[str, object]:
    """Change one's own name, e-mail, phone, language and message opt-ins."""
    user = update_profile(
        store=soc.store, actor=who, username=who.name, change=body, clock=soc.clock
    )
    return user.profile()


@router.get("/api/v1/users/{username}")
def user_profile(username: Username, who: ActorDep, soc: Soc) -> dict[str, object]:
    return get_profile(store=soc.store, actor=who, username=username).profile()


@router.patch("/api/v1/users/{username}")
def change_user(
    username: Username, body: ProfileChange, who: ActorDep, soc: Soc
) -> dict[str, object]:
    """An administrator changes anyone's profile (`citysoc users update` does the same)."""
    user = update_profile(
        store=soc.store, actor=who, username=username, change=body, clock=soc.clock
    )
    return user.profile()

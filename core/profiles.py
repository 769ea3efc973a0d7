"""A person's profile: name, e-mail and phone (issue 15 puts them on the 通報單), the
language of their messages and the message kinds they opt in to (core.messages). Each
person changes their own; administrators change anyone's (`citysoc users update`)."""

import re
import unicodedata
from typing import Literal

from pydantic import BaseModel, ConfigDict

from core import audit
from core.access import Action, Actor, require_right
from core.accounts import User
from core.clock import Clock
from core.errors import InputError, NotFoundError
from core.messages import MessageKind
from core.storage.base import Store

__all__ = ["ProfileChange", "checked_change", "get_profile", "update_profile"]

MAX_DISPLAY_NAME = 100
_EMAIL = re.compile(r"^[^@\s\x00-\x1f<>,;\"]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
# Taiwanese numbers as people write them: 04-2228-9111#123, (02) 2345-6789, +886 912 345 678
_PHONE = re.compile(r"^\+?[0-9()][0-9 ()-]{4,24}(#[0-9]{1,6})?$")


class ProfileChange(BaseModel):
    """What a person changes in a profile; a field left out (None) stays as it is, an empty
    e-mail or phone clears it."""

    model_config = ConfigDict(extra="forbid")

    display_name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: Literal["zh", "en"] | None = None
    message_kinds: list[MessageKind] | None = None


def checked_change(change: ProfileChange) -> ProfileChange:
    """The change with its text trimmed; InputError naming the field when it is not valid."""
    fields = change.model_dump(exclude_none=True)
    for key in ("display_name", "email", "phone"):
        if key in fields:
            fields[key] = fields[key].strip()
    name = fields.get("display_name")
    if name is not None:
        if not name or len(name) > MAX_DISPLAY_NAME:
            raise InputError(
                f"display name must have 1-{MAX_DISPLAY_NAME} characters",
                location="display_name",
                key="display_name_length",
                params={"max": MAX_DISPLAY_NAME},
            )
        if any(unicodedata.category(c).startswith("C") for c in name):
            raise InputError(
                "display name must not contain control characters",
                location="display_name",
                key="display_name_control",
            )
    email = fields.get("email")
    if email and (len(email) > 254 or not _EMAIL.match(email)):
        raise InputError(
            f"e-mail {email!r} is not an address like name@agency.gov.tw",
            location="email",
            key="email_form",
        )
    phone = fields.get("phone")
    if phone and (not _PHONE.match(phone) or sum(c.isdigit() for c in phone) < 6):
        raise InputError(
            f"phone {phone!r} is not a number like 04-2228-9111#123 or +886 912 345 678 "
            "(digits, spaces, -, ( ), a leading + and an extension after #)",
            location="phone",
            key="phone_form",
        )
    if "message_kinds" in fields:
        fields["message_kinds"] = sorted(set(fields["message_kinds"]))
    return ProfileChange.model_validate(fields)


def _may_touch(actor: Actor, username: str, right: Action, why: str) -> None:
    if actor.name != username:
        require_right(actor, right, why, "user")


def get_profile(*, store: Store, actor: Actor, username: str) -> User:
    """One's own profile, or anyone's for those who list accounts. Raises ForbiddenError,
    NotFoundError."""
    _may_touch(actor, username, Action.LIST_ACCOUNTS, "only administrators see others' profiles")
    doc = store.accounts.get_user(username)
    if doc is None:
        raise NotFoundError(f"no user {username!r}", location="user")
    return User.model_validate_json(doc)


def update_profile(
    *, store: Store, actor: Actor, username: str, change: ProfileChange, clock: Clock
) -> User:
    """Change a profile: one's own, or anyone's for an administrator. Audited with the names
    of the fields changed (not their values: phone numbers and addresses are personal data).
    Raises InputError, ForbiddenError, NotFoundError."""
    _may_touch(
        actor, username, Action.MANAGE_ACCOUNTS, "only administrators change others' profiles"
    )
    checked = checked_change(change)
    values = checked.model_dump(exclude_none=True)

    def apply(doc: str) -> str:
        return User.model_validate_json(doc).model_copy(update=values).model_dump_json()

    if values:
        updated = store.accounts.update_user(username, apply)
    else:
        updated = store.accounts.get_user(username)
    if updated is None:
        raise NotFoundError(f"no user {username!r}", location="user")
    now = clock.now()
    if values:
        audit.record(
            store,
            actor=actor,
            action="user.update",
            subject=username,
            at=now,
            detail={"fields": sorted(values)},
        )
    return User.model_validate_json(updated)

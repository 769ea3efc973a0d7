"""Administering accounts from the pages and the JSON API: opening an account with its
profile in one step (the initial password typed by the administrator or generated and shown
once), and what a listing of accounts shows. The rules stay in core.accounts (who may,
password strength, disable, unlock) and core.profiles (name, e-mail, phone)."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from core.access import Action, Actor, Role, require_right
from core.accounts import User, create_user, generate_password
from core.agencies import AgencyRegistry
from core.clock import Clock
from core.profiles import MAX_DISPLAY_NAME, ProfileChange, checked_change, update_profile
from core.storage.base import Store

__all__ = ["AccountCreate", "account_summary", "open_account"]


class AccountCreate(BaseModel):
    """A new account as an administrator types it; no password: one is generated."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    role: Role
    agency: str | None = Field(default=None, max_length=200)
    display_name: str = Field(default="", max_length=MAX_DISPLAY_NAME)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    password: SecretStr | None = Field(default=None, max_length=1024)


def open_account(
    *, store: Store, actor: Actor, registry: AgencyRegistry, form: AccountCreate, clock: Clock
) -> tuple[User, str | None]:
    """Create the account and its profile; returns it with the generated password (None
    when the administrator typed one). Everything is checked before anything is written,
    so a bad phone number leaves no half-made account. Audited (user.create, and
    user.update for the e-mail and phone). Raises ForbiddenError, InputError, ConflictError."""
    require_right(actor, Action.MANAGE_ACCOUNTS, "only administrators create accounts", "user")
    contact = checked_change(
        ProfileChange(
            display_name=form.display_name.strip() or None,
            email=form.email or None,
            phone=form.phone or None,
        )
    )
    generated = None if form.password is not None else generate_password()
    user = create_user(
        store=store,
        actor=actor,
        registry=registry,
        username=form.username.strip(),
        password=generated or (form.password.get_secret_value() if form.password else ""),
        role=form.role,
        agency=form.agency or None,
        display_name=contact.display_name or "",
        clock=clock,
    )
    if contact.email or contact.phone:
        user = update_profile(
            store=store,
            actor=actor,
            username=user.username,
            change=ProfileChange(email=contact.email, phone=contact.phone),
            clock=clock,
        )
    return user, generated


def account_summary(user: User, now: datetime) -> dict[str, object]:
    """One row of the accounts list: the profile without its message settings, and whether
    the account is disabled or locked (never the hash or the failure count)."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.value,
        "agency": user.agency,
        "email": user.email,
        "phone": user.phone,
        "disabled": user.disabled,
        "locked_until": user.locked_until.isoformat()
        if user.locked(now) and user.locked_until
        else None,
        "created_at": user.created_at.isoformat(),
    }

"""The partner registry: the written joint-defence arrangement in machine form.

Who we are (our STIX identity), which TAXII collections we serve, which partner may read
or write which collection, the highest TLP each arrangement allows, where we pull each
partner's intelligence from, and how severe an alert its indicators raise here. Secrets
are never in this file: a partner's pull token is read from the environment variable the
entry names.
"""

import os
import secrets
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from core import accounts, audit
from core.access import Action, Actor, Role, allowed, require_right
from core.agencies import AgencyRegistry
from core.alerts import Severity
from core.clock import Clock
from core.config_files import load_yaml_model
from core.errors import ConfigError, NotFoundError
from core.storage.base import Store
from detections.indicators import PARTNER_SEVERITY
from incidents.sharing.tlp import Tlp

__all__ = [
    "Collection",
    "CollectionPurpose",
    "Partner",
    "PartnerRegistry",
    "Permission",
    "issue_partner_token",
    "partner_username",
]

_ID = r"^[a-z0-9][a-z0-9-]{1,62}$"
_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class CollectionPurpose(StrEnum):
    OUTGOING = "outgoing"  # our published bundles: partners read
    INBOX = "inbox"  # partners write; what arrives is imported into the watchlist


class Permission(StrEnum):
    READ = "read"
    WRITE = "write"
    READ_WRITE = "read-write"

    @property
    def can_read(self) -> bool:
        return self in (Permission.READ, Permission.READ_WRITE)

    @property
    def can_write(self) -> bool:
        return self in (Permission.WRITE, Permission.READ_WRITE)


class Collection(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=_UUID)
    alias: str = Field(pattern=_ID)
    title: str
    description: str = ""
    purpose: CollectionPurpose


class PullSource(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    collection_url: HttpUrl  # ".../taxii2/<api-root>/collections/<id>/"
    username: str | None = None  # for HTTP Basic; the token alone is sent as Bearer otherwise
    token_env: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    every_minutes: int = Field(default=15, ge=1)
    verify_tls: bool = True

    def token(self) -> str:
        value = os.environ.get(self.token_env, "").strip()
        if not value:
            raise ConfigError(
                f"set the environment variable {self.token_env} to the token this partner "
                "issued us",
                location=self.token_env,
            )
        return value


class Partner(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=_ID)
    name_zh: str
    name_en: str
    identity: str | None = Field(default=None, pattern=r"^identity--")  # their STIX identity
    grants: dict[str, Permission] = Field(default_factory=dict)  # collection alias -> access
    max_tlp: Tlp = Tlp.AMBER  # the highest marking the arrangement lets us send them
    # The severity of alerts its indicators raise here. Medium by default: a partner's
    # indicator is a lead, not proof of an incident in our agency. Higher only sorts the
    # queue: auto-triage never opens an incident for such alerts by itself.
    max_alert_severity: Severity = PARTNER_SEVERITY
    pull: PullSource | None = None
    note: str | None = None


class OurIdentity(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^identity--[0-9a-f-]{36}$")
    name: str
    name_en: str
    contact: str = ""


class _SharingFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    identity: OurIdentity
    api_root: str = Field(pattern=_ID)
    api_root_title: str
    internal_domain_suffixes: tuple[str, ...] = ()
    allow_internal_details: bool = False
    retro_hunt_days: int = Field(default=30, ge=0, le=3650)
    indicator_days: int = Field(default=90, ge=1, le=3650)
    collections: list[Collection]
    partners: list[Partner]

    @model_validator(mode="after")
    def _consistent(self) -> "_SharingFile":
        aliases = [c.alias for c in self.collections]
        if len(set(aliases)) != len(aliases) or len({c.id for c in self.collections}) != len(
            aliases
        ):
            raise ValueError("collection ids and aliases must be unique")
        ids = [p.id for p in self.partners]
        if len(set(ids)) != len(ids):
            raise ValueError("partner ids must be unique")
        for partner in self.partners:
            unknown = set(partner.grants) - set(aliases)
            if unknown:
                raise ValueError(f"partner {partner.id} is granted unknown {sorted(unknown)}")
        return self


_USERNAME_PREFIX = "partner."


def partner_username(partner_id: str) -> str:
    return _USERNAME_PREFIX + partner_id


class PartnerRegistry:
    """The loaded arrangement, with look-ups the TAXII server and the puller need."""

    def __init__(self, parsed: _SharingFile, path: Path) -> None:
        self.path = path
        self.identity = parsed.identity
        self.api_root = parsed.api_root
        self.api_root_title = parsed.api_root_title
        self.internal_domain_suffixes = tuple(
            s.lower().lstrip(".") for s in parsed.internal_domain_suffixes
        )
        self.allow_internal_details = parsed.allow_internal_details
        self.retro_hunt_days = parsed.retro_hunt_days
        self.indicator_days = parsed.indicator_days
        self.collections = parsed.collections
        self.partners = {p.id: p for p in parsed.partners}

    @classmethod
    def load(cls, path: Path) -> "PartnerRegistry":
        """Raises ConfigError naming the file and what is wrong in it."""
        return cls(load_yaml_model(path, _SharingFile, "partner registry"), path)

    def partner(self, partner_id: str) -> Partner:
        found = self.partners.get(partner_id)
        if found is None:
            raise NotFoundError(
                f"no partner {partner_id!r} in {self.path.name}; known: "
                + ", ".join(sorted(self.partners)),
                location="partner",
            )
        return found

    def partner_of(self, actor: Actor) -> Partner | None:
        """The partner a TAXII caller is, or None for city staff."""
        if actor.role is not Role.PARTNER:
            return None
        return self.partners.get(actor.name.removeprefix(_USERNAME_PREFIX))

    def collection(self, key: str) -> Collection:
        for c in self.collections:
            if key in (c.id, c.alias):
                return c
        raise NotFoundError(f"no collection {key}", location="collection")

    def first(self, purpose: CollectionPurpose) -> Collection:
        for c in self.collections:
            if c.purpose is purpose:
                return c
        raise ConfigError(f"{self.path.name} defines no {purpose.value} collection")

    def permission(self, actor: Actor, collection: Collection) -> Permission | None:
        """What the caller may do with the collection: partners by their grants; city
        administrators read and write everything; other staff read; nobody else anything."""
        partner = self.partner_of(actor)
        if partner is not None:
            return partner.grants.get(collection.alias)
        rights = allowed(actor)
        if Action.WRITE_TAXII in rights:
            return Permission.READ_WRITE
        return Permission.READ if Action.USE_TAXII in rights else None


def issue_partner_token(
    *,
    store: Store,
    actor: Actor,
    registry: AgencyRegistry,
    partners: PartnerRegistry,
    partner_id: str,
    clock: Clock,
) -> tuple[str, datetime]:
    """A TAXII token for a partner (its account is created on first use). Admins only.

    Partner accounts have a random password nobody knows: they cannot log in to pages,
    and their tokens open only the TAXII endpoints their grants allow.
    """
    require_right(
        actor, Action.MANAGE_ACCOUNTS, "only administrators issue partner credentials", "partner"
    )
    partner = partners.partner(partner_id)
    username = partner_username(partner.id)
    user = accounts.find_user(store, username)
    if user is None:
        user = accounts.create_user(
            store=store,
            actor=actor,
            registry=registry,
            username=username,
            password=secrets.token_urlsafe(32),
            role=Role.PARTNER,
            clock=clock,
            display_name=partner.name_zh,
        )
    token, issued = accounts.issue_token(
        store=store, actor=user.actor(), name=f"taxii {partner.id}", clock=clock
    )
    audit.record(
        store,
        actor=actor,
        action="partner.token",
        subject=partner.id,
        at=issued.created_at,
        detail={"token": issued.id},
    )
    return token, issued.created_at

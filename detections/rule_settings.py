"""What a person changes about the rules without editing YAML: enabled or not, and alert
exceptions. Both live in the store (``Store.rule_settings``), are audited, and reach the
detection runner through ``RuleSettings`` (a snapshot read once per run).

Pack rules are enabled unless someone disabled them; uploaded rules start disabled
(``detections.rule_uploads``). An exception belongs to one rule and says which events must
not alert: those of an agency, a host, and/or with a field equal to a value (every part given
must hold; text compares case-insensitively, as Sigma does), until it expires.
"""

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from core import audit, limits
from core.access import Action, Actor, require_right
from core.agencies import AgencyRegistry
from core.clock import TAIPEI, Clock
from core.errors import InputError, NotFoundError
from core.events import Event
from core.storage.base import Store
from core.time_range import check_time
from detections.compile import CompiledRule

__all__ = [
    "ExceptionCreate",
    "RuleException",
    "RuleSettings",
    "add_exception",
    "is_enabled",
    "list_exceptions",
    "remove_exception",
    "require_manager",
    "require_reader",
    "set_enabled",
]

UPLOADED_PREFIX = "uploaded/"  # the source of an uploaded rule (never a path on disk)

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=limits.IDENT)]


def require_reader(actor: Actor) -> None:
    """The catalogue counts every agency's alerts: city-wide readers only."""
    require_right(
        actor,
        Action.READ_RULES,
        f"role {actor.role.value} may not read the rules: analysts, leads, auditors and "
        "administrators may",
        "rules",
    )


def require_manager(actor: Actor) -> None:
    require_right(
        actor,
        Action.MANAGE_RULES,
        f"role {actor.role.value} may not change the rules: leads and administrators may",
        "rules",
    )


class ExceptionCreate(BaseModel):
    """An exception as a person gives it (API body and page form)."""

    model_config = ConfigDict(extra="forbid")

    agency: Text | None = None
    host: Text | None = None
    field: Text | None = None
    value: Annotated[str, StringConstraints(max_length=limits.IOC)] | None = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] = Field(
        max_length=limits.REASON
    )
    owner: Text | None = None  # who answers for it; the creator when not given
    expires_at: datetime

    @field_validator("agency", "host", "field", "value", "owner", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("expires_at")
    @classmethod
    def _in_range(cls, value: datetime) -> datetime:
        """A time without a zone is Taipei time, as the pages' date pickers give it."""
        if value.tzinfo is None:
            value = value.replace(tzinfo=TAIPEI)
        try:
            return check_time(value, "expires_at")
        except InputError as exc:
            raise ValueError(exc.message) from None


@dataclass(frozen=True, slots=True)
class RuleException:
    id: str
    rule_id: str
    agency: str | None
    host: str | None
    field: str | None
    value: str | None
    reason: str
    owner: str
    expires_at: datetime
    created_by: str
    created_at: datetime

    def active(self, now: datetime) -> bool:
        return now < self.expires_at

    def covers(self, event: Event) -> bool:
        """Every part given holds for the event."""
        if self.agency is not None and event.organization_id != self.agency:
            return False
        if self.host is not None and (event.host_name or "").casefold() != self.host.casefold():
            return False
        if self.field is not None:
            found = event.fields.get(self.field)
            if found is None or str(found).casefold() != (self.value or "").casefold():
                return False
        return True

    def to_json(self) -> str:
        data = {k: getattr(self, k) for k in self.__slots__}
        data["expires_at"] = self.expires_at.isoformat()
        data["created_at"] = self.created_at.isoformat()
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Self:
        data = json.loads(text)
        data["expires_at"] = datetime.fromisoformat(data["expires_at"])
        data["created_at"] = datetime.fromisoformat(data["created_at"])
        return cls(**data)


def _exception_key(rule_id: str, exception_id: str) -> str:
    return f"{rule_id}\x00{exception_id}"  # listed by rule, then id


def is_uploaded(rule: CompiledRule) -> bool:
    return rule.source.startswith(UPLOADED_PREFIX)


def _default_enabled(uploaded: bool) -> bool:
    return not uploaded  # an uploaded rule waits for a person to enable it


def is_enabled(store: Store, rule_id: str, *, uploaded: bool = False) -> bool:
    found = store.rule_settings.get("state", rule_id)
    return _default_enabled(uploaded) if found is None else bool(json.loads(found)["enabled"])


def states(store: Store) -> dict[str, bool]:
    """Every rule a person switched on or off, with its state."""
    return {
        d["rule_id"]: bool(d["enabled"]) for d in map(json.loads, store.rule_settings.list("state"))
    }


def set_enabled(
    *, store: Store, actor: Actor, rule_id: str, enabled: bool, clock: Clock, known: bool
) -> None:
    """Switch a rule on or off (``known``: the caller found it in the catalogue)."""
    require_manager(actor)
    if not known:
        raise NotFoundError(f"no rule {rule_id}", location="rule_id", key="rules_unknown")
    now = clock.now()
    document = {"rule_id": rule_id, "enabled": enabled, "by": actor.name, "at": now.isoformat()}
    with store.transaction():
        store.rule_settings.put("state", rule_id, json.dumps(document))
        audit.record(
            store,
            actor=actor,
            action="rules.enable" if enabled else "rules.disable",
            subject=f"rule:{rule_id}",
            at=now,
        )


def list_exceptions(
    store: Store, actor: Actor, *, rule_id: str | None = None
) -> list[RuleException]:
    """Every exception (of one rule when given), expired ones too, by rule then id."""
    require_reader(actor)
    found = [RuleException.from_json(d) for d in store.rule_settings.list("exception")]
    return [e for e in found if rule_id is None or e.rule_id == rule_id]


def add_exception(
    *,
    store: Store,
    actor: Actor,
    registry: AgencyRegistry,
    rule_id: str,
    form: ExceptionCreate,
    clock: Clock,
    known: bool,
) -> RuleException:
    require_manager(actor)
    if not known:
        raise NotFoundError(f"no rule {rule_id}", location="rule_id", key="rules_unknown")
    if form.agency is None and form.host is None and form.field is None:
        raise InputError(
            "an exception needs a scope: an agency, a host, or a field and its value",
            location="scope",
            key="rules_exception_scope",
        )
    if (form.field is None) != (form.value is None):
        raise InputError(
            "give the field and the value together (e.g. user.name = backup-svc)",
            location="value" if form.field else "field",
            key="rules_exception_field",
        )
    if form.agency is not None and registry.find(form.agency) is None:
        raise InputError(
            f"no agency {form.agency}: use an agency code (citysoc agencies lists them)",
            location="agency",
            key="rules_exception_agency",
        )
    now = clock.now()
    if form.expires_at <= now:
        raise InputError(
            "the expiry must lie in the future", location="expires_at", key="rules_expiry_past"
        )
    made = RuleException(
        id=uuid.uuid4().hex[:12],
        rule_id=rule_id,
        agency=form.agency,
        host=form.host,
        field=form.field,
        value=form.value,
        reason=form.reason,
        owner=form.owner or actor.name,
        expires_at=form.expires_at,
        created_by=actor.name,
        created_at=now,
    )
    with store.transaction():
        store.rule_settings.put("exception", _exception_key(rule_id, made.id), made.to_json())
        audit.record(
            store,
            actor=actor,
            action="rules.exception_add",
            subject=f"rule:{rule_id}",
            at=now,
            detail=json.loads(made.to_json()),
        )
    return made


def remove_exception(
    *, store: Store, actor: Actor, rule_id: str, exception_id: str, clock: Clock
) -> None:
    require_manager(actor)
    key = _exception_key(rule_id, exception_id)
    found = store.rule_settings.get("exception", key)
    if found is None:
        raise NotFoundError(
            f"no exception {exception_id} of rule {rule_id}",
            location="exception_id",
            key="rules_no_exception",
        )
    now = clock.now()
    with store.transaction():
        store.rule_settings.delete("exception", key)
        audit.record(
            store,
            actor=actor,
            action="rules.exception_remove",
            subject=f"rule:{rule_id}",
            at=now,
            detail=json.loads(found),
        )


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """The switches and the exceptions in force at one moment, for one detection run."""

    switched: dict[str, bool]
    exceptions: dict[str, tuple[RuleException, ...]]  # rule id -> active exceptions

    @classmethod
    def load(cls, store: Store, now: datetime) -> Self:
        by_rule: dict[str, list[RuleException]] = {}
        for text in store.rule_settings.list("exception"):
            found = RuleException.from_json(text)
            if found.active(now):
                by_rule.setdefault(found.rule_id, []).append(found)
        return cls(states(store), {k: tuple(v) for k, v in by_rule.items()})

    def enabled(self, rule: CompiledRule) -> bool:
        return self.enabled_id(rule.rule_id, is_uploaded(rule))

    def enabled_id(self, rule_id: str, uploaded: bool) -> bool:
        return self.switched.get(rule_id, _default_enabled(uploaded))

    def disabled_ids(self, rules: Iterable[CompiledRule]) -> frozenset[str]:
        return frozenset(r.rule_id for r in rules if not self.enabled(r))

    def suppresses(self, rule_id: str, event: Event) -> bool:
        """An active exception of the rule covers the event: no alert."""
        return any(e.covers(event) for e in self.exceptions.get(rule_id, ()))

    def counts_by_agency(self) -> dict[str | None, int]:
        """Active exceptions per agency (None: those not bound to one agency)."""
        out: dict[str | None, int] = {}
        for found in self.exceptions.values():
            for e in found:
                out[e.agency] = out.get(e.agency, 0) + 1
        return out

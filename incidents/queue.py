"""What the alert queue needs beyond triage's bulk actions: the selection narrowed to the
agency the queue is filtered on, and the colleagues an analyst may hand alerts to.

The queue's agency filter is a promise: an analyst who filters on one agency and ticks
"select all" acts on that agency's alerts only, even if the page they ticked was stale or
the request was made by hand (issue 16: "assign to me" on one district took other
agencies' alerts when the filter did nothing)."""

from collections.abc import Sequence
from dataclasses import dataclass

from core import accounts
from core.access import Action, Actor, allowed, require, require_right
from core.errors import InputError, NotFoundError
from core.storage.base import Store

__all__ = ["Colleague", "Narrowed", "colleagues", "within_agency"]


@dataclass(frozen=True, slots=True)
class Narrowed:
    """The selected alert ids of the agency, and how many others were left out."""

    alert_ids: list[str]
    left_out: int


def within_agency(
    store: Store, *, actor: Actor, alert_ids: Sequence[str], agency: str | None
) -> Narrowed:
    """The selected alerts that belong to ``agency`` (None: every one).

    An id that names no alert stays in, so the bulk action answers "not found" for it as
    it would without a filter."""
    unique = list(dict.fromkeys(alert_ids))
    if agency is None:
        return Narrowed(unique, 0)
    require(actor, Action.VIEW, agency, "agency")
    kept = []
    for alert_id in unique:
        try:
            found = store.alerts.get(alert_id)
        except NotFoundError:
            kept.append(alert_id)
            continue
        if found.organization_id == agency:
            kept.append(alert_id)
    if unique and not kept:
        raise InputError(
            f"none of the {len(unique)} selected alerts belongs to agency {agency}, the "
            "queue's filter: choose that agency's alerts, or clear the filter",
            location="alert_ids",
            key="queue_none_in_agency",
            params={"agency": agency, "n": len(unique)},
        )
    return Narrowed(kept, len(unique) - len(kept))


@dataclass(frozen=True, slots=True)
class Colleague:
    username: str
    display_name: str


def colleagues(store: Store, *, actor: Actor) -> list[Colleague]:
    """Active accounts that may triage alerts (whom ``triage.assign_alerts`` accepts as an
    assignee), by user name; asked only by someone who may triage."""
    require_right(actor, Action.TRIAGE, f"role {actor.role.value} may not triage alerts", "alerts")
    users = (accounts.User.model_validate_json(doc) for doc in store.accounts.users())
    return [
        Colleague(u.username, u.display_name)
        for u in users
        if not u.disabled and Action.TRIAGE in allowed(u.actor())
    ]

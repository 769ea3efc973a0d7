"""Incident <-> stored document, through the storage interface only."""

from collections.abc import Sequence

from core.access import Actor, not_found
from core.errors import NotFoundError
from core.storage.base import Store
from incidents.models import Incident

__all__ = ["get", "insert", "list_visible", "save"]


def _load(document: str, version: int) -> Incident:
    incident = Incident.model_validate_json(document)
    incident.version = version
    return incident


def get(store: Store, incident_id: str, *, actor: Actor) -> Incident:
    """Raises NotFoundError if missing or outside the actor's agencies (the same error)."""
    try:
        document, version = store.incidents.get(incident_id)
    except NotFoundError:
        raise not_found("incident") from None
    incident = _load(document, version)
    if not actor.sees(incident.organization_id):
        raise not_found("incident")
    return incident


def insert(store: Store, incident: Incident) -> Incident:
    store.incidents.insert(incident.id, incident.organization_id, incident.model_dump_json())
    incident.version = 1
    return incident


def save(store: Store, incident: Incident, *, expected_version: int) -> Incident:
    """Raises ConflictError if someone else saved since ``expected_version``."""
    incident.version = store.incidents.update(
        incident.id, incident.model_dump_json(), expected_version=expected_version
    )
    return incident


def list_visible(
    store: Store,
    *,
    actor: Actor,
    agencies: Sequence[str] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Incident]:
    scope = actor.scope.agencies(agencies)
    return [
        _load(d, v)
        for d, v in store.incidents.list(organization_ids=scope, limit=limit, offset=offset)
    ]

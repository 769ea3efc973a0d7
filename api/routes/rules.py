"""Rule management over HTTP: the catalogue (filtered, paged), one rule with its YAML, per-run
timings (as Zircolite's --profile-rules), the noisy-rules view, enable/disable, exceptions,
upload and the retro-hunt preview. Access is decided in detections.rule_settings: city-wide
readers read, leads and administrators change."""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ActorDep, Soc
from api.filters import Offset, Text
from api.rule_json import exception_json, noisy_json, row_json, stats_json
from detections.rule_catalogue import (
    RuleQuery,
    check_days,
    find_entry,
    noisy_rules,
    rule_row,
    rule_rows,
)
from detections.rule_runs import runs
from detections.rule_settings import (
    ExceptionCreate,
    add_exception,
    list_exceptions,
    remove_exception,
    set_enabled,
)
from detections.rule_uploads import MAX_RULE_BYTES, preview_rule, save_upload

__all__ = ["RuleText", "router"]

router = APIRouter()
RuleId = Annotated[str, Path(max_length=200)]
ExceptionId = Annotated[str, Path(max_length=64)]
Days = Annotated[int, Query(ge=1, le=366)]


class RuleText(BaseModel):
    """A Sigma rule as YAML; ``days``: how far back a preview looks."""

    model_config = ConfigDict(extra="forbid")

    yaml: str = Field(max_length=MAX_RULE_BYTES)
    days: int = Field(default=7, ge=1, le=90)


@router.get("/api/v1/rules")
def catalogue(
    who: ActorDep,
    soc: Soc,
    pack: Text = None,
    level: Text = None,
    status: Text = None,
    state: Text = None,
    technique: Text = None,
    q: Text = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> dict[str, object]:
    """Every rule of the packs and every uploaded rule, filtered: pack, level, Sigma status,
    state (enabled, disabled, broken), ATT&CK technique, and text in id, title or
    description; with alerts in the last 24 h and 7 days, last alert and time per run."""
    query = RuleQuery(
        pack=pack, level=level, status=status, state=state, technique=technique, text=q
    )
    found = rule_rows(
        soc.store, who, soc.rule_pack(), query, now=soc.clock.now(), limit=limit, offset=offset
    )
    return {
        "total": found.total,
        "limit": limit,
        "offset": offset,
        "items": [row_json(r) for r in found.rows],
    }


@router.get("/api/v1/rules/stats")
def stats(
    who: ActorDep, soc: Soc, runs_: Annotated[int, Query(alias="runs", ge=1, le=200)] = 20
) -> dict[str, object]:
    """Time and hits per rule per run (the newest runs, newest first), and per rule summed
    over them. Rules sharing a scan are charged an equal share of its time."""
    return stats_json(runs(soc.store, who, limit=runs_))


@router.get("/api/v1/rules/noisy")
def noisy(who: ActorDep, soc: Soc, days: Days = 7) -> dict[str, object]:
    """Rules by alerts per day over the last ``days``, with the share dismissed as false
    positives: what to tune first."""
    found = noisy_rules(soc.store, who, soc.rule_pack(), days=check_days(days), now=soc.clock.now())
    return noisy_json(found, days)


@router.post("/api/v1/rules/preview")
def preview(body: RuleText, who: ActorDep, soc: Soc) -> dict[str, object]:
    """Run a rule over the last ``days`` of events as a retro-hunt: the matching events, no
    alert created. Invalid rules are refused with pySigma's reason (422)."""
    found = preview_rule(
        store=soc.store, actor=who, text=body.yaml, days=body.days, now=soc.clock.now()
    )
    return {
        "rule_id": found.rule_id,
        "title": found.title,
        "days": found.days,
        "total": found.total,
        "capped": found.capped,
        "events": [
            {
                "event_id": e.event_id,
                "timestamp": e.timestamp.isoformat(),
                "organization_id": e.organization_id,
                "host": e.host_name,
                "url": f"/events/{e.event_id}",
            }
            for e in found.events
        ],
    }


@router.post("/api/v1/rules", status_code=201)
def upload(body: RuleText, who: ActorDep, soc: Soc) -> dict[str, object]:
    """Keep a rule in the store, disabled until enabled (its id may not be a pack's)."""
    taken = {e.rule_id for e in soc.rule_pack().entries}
    entry = save_upload(store=soc.store, actor=who, text=body.yaml, clock=soc.clock, taken=taken)
    return row_json(rule_row(soc.store, who, soc.rule_pack(), entry.rule_id, now=soc.clock.now()))


@router.get("/api/v1/rules/{rule_id}")
def show(rule_id: RuleId, who: ActorDep, soc: Soc) -> dict[str, object]:
    """One rule with its YAML, numbers and exceptions."""
    row = rule_row(soc.store, who, soc.rule_pack(), rule_id, now=soc.clock.now())
    found = list_exceptions(soc.store, who, rule_id=rule_id)
    return row_json(row, with_text=True) | {"exception_list": [exception_json(e) for e in found]}


def _switch(rule_id: str, who: ActorDep, soc: Soc, enabled: bool) -> dict[str, object]:
    known = find_entry(soc.store, soc.rule_pack(), rule_id) is not None
    set_enabled(
        store=soc.store, actor=who, rule_id=rule_id, enabled=enabled, clock=soc.clock, known=known
    )
    return row_json(rule_row(soc.store, who, soc.rule_pack(), rule_id, now=soc.clock.now()))


@router.post("/api/v1/rules/{rule_id}/enable")
def enable(rule_id: RuleId, who: ActorDep, soc: Soc) -> dict[str, object]:
    return _switch(rule_id, who, soc, True)


@router.post("/api/v1/rules/{rule_id}/disable")
def disable(rule_id: RuleId, who: ActorDep, soc: Soc) -> dict[str, object]:
    """The runner skips the rule (and the events that arrive while it is off)."""
    return _switch(rule_id, who, soc, False)


@router.get("/api/v1/rules/{rule_id}/exceptions")
def exceptions(rule_id: RuleId, who: ActorDep, soc: Soc) -> dict[str, object]:
    found = list_exceptions(soc.store, who, rule_id=rule_id)
    return {"items": [exception_json(e) for e in found]}


@router.post("/api/v1/rules/{rule_id}/exceptions", status_code=201)
def exception_add(
    rule_id: RuleId, body: ExceptionCreate, who: ActorDep, soc: Soc
) -> dict[str, object]:
    """Events of the agency / host / with field = value no longer alert for this rule,
    until ``expires_at``."""
    made = add_exception(
        store=soc.store,
        actor=who,
        registry=soc.registry,
        rule_id=rule_id,
        form=body,
        clock=soc.clock,
        known=find_entry(soc.store, soc.rule_pack(), rule_id) is not None,
    )
    return exception_json(made)


@router.delete("/api/v1/rules/{rule_id}/exceptions/{exception_id}")
def exception_remove(
    rule_id: RuleId, exception_id: ExceptionId, who: ActorDep, soc: Soc
) -> dict[str, object]:
    remove_exception(
        store=soc.store, actor=who, rule_id=rule_id, exception_id=exception_id, clock=soc.clock
    )
    return {"removed": exception_id}

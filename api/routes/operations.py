"""Running the service: Prometheus metrics, liveness (health) and readiness for load
balancers. (Dead letters have their own room: api/routes/dead_letters.py.)"""

from concurrent.futures import TimeoutError as FutureTimeout

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from api.deps import ActorDep, ReadyProbes, Soc
from api.observability import metrics_text
from core.storage import pending_events

__all__ = ["READY_PROBE_SECONDS", "router"]

READY_PROBE_SECONDS = 2.0

router = APIRouter()


@router.get("/metrics", response_class=PlainTextResponse, include_in_schema=False)
def metrics(who: ActorDep, soc: Soc) -> str:
    """Scrapers use an analyst's (or the operator's) API token."""
    return metrics_text(
        soc.store,
        soc.clock,
        soc.health.snapshot(),
        soc.health.metrics(),
        actor=who,
        settings=soc.settings,
    )


@router.get("/api/v1/health")
def health(soc: Soc) -> dict[str, object]:
    """Liveness: the process answers. Workers are listed; readiness judges them."""
    workers = soc.health.snapshot()
    return {
        "status": "ok" if all(w.ok for w in workers) else "degraded",
        "store": soc.store.engine,
        # (no store counts: this answers anyone, and must answer while the store is busy)
        "events_pending": pending_events(soc.store),  # accepted, waiting in the spool
        "agencies": len(soc.registry),
        "workers": {w.name: w.as_dict() for w in workers},
    }


@router.get("/api/v1/ready")
def ready(soc: Soc, probes: ReadyProbes) -> Response:
    """For load balancers and orchestration: 200 when the store answers, rules are
    compiled and every background worker runs; 503 (with what failed) otherwise."""
    checks: dict[str, str] = {}
    workers = soc.health.snapshot()
    checks.update({w.name: w.describe() for w in workers})
    # The store is asked on a thread of its own, for at most READY_PROBE_SECONDS: a store
    # whose writes wait on a lock (another process holding it) would otherwise hold this
    # answer as long, and then say "ready" although nothing could be stored meanwhile.
    probe = probes.submit(soc.store.events.last_position)
    try:
        probe.result(timeout=READY_PROBE_SECONDS)
        checks["store"] = "ok"
    except FutureTimeout:
        checks["store"] = (
            f"busy: no answer within {READY_PROBE_SECONDS:g} s (a write is waiting for "
            "the store, e.g. a lock held by another process)"
        )
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", said plainly
        checks["store"] = f"unavailable: {type(exc).__name__}"
    compiled = False
    if checks["store"] == "ok":
        try:  # the first call compiles and caches into the store, which may refuse writes
            rules = soc.rules()
            checks["rules"] = f"{len(rules.compiled)} compiled, {len(rules.issues)} with issues"
            compiled = bool(rules.compiled)
        except Exception as exc:  # noqa: BLE001 - said plainly, as for the store
            checks["rules"] = f"not compiled: {type(exc).__name__}"
    else:
        checks["rules"] = "not checked: the store does not answer"
    ok = checks["store"] == "ok" and compiled and all(w.ok for w in workers)
    return JSONResponse(
        {
            "ready": ok,
            "engine": soc.store.engine,
            "checks": checks,
            "workers": {w.name: w.as_dict() for w in workers},
        },
        status_code=200 if ok else 503,
    )

"""The JSON shapes of rule management, shared by the API (api/routes/rules.py) and the
command line's ``--format json`` (api/cli/rules.py)."""

from dataclasses import asdict

from detections.rule_catalogue import NoisyRule, RuleRow
from detections.rule_runs import RunProfile, profiles
from detections.rule_settings import RuleException

__all__ = ["exception_json", "noisy_json", "row_json", "stats_json"]


def row_json(row: RuleRow, *, with_text: bool = False) -> dict[str, object]:
    e = row.entry
    out: dict[str, object] = {
        "rule_id": e.rule_id,
        "title": e.title,
        "pack": e.pack,
        "level": e.level,
        "status": e.status,
        "techniques": list(e.techniques),
        "compiled": e.error is None,
        "error": e.error,
        "enabled": row.enabled,
        "uploaded": e.uploaded,
        "hits_24h": row.hits_24h,
        "hits_7d": row.hits_7d,
        "last_hit": row.last_hit.isoformat() if row.last_hit else None,
        "seconds_per_run": row.mean_seconds,
        "exceptions": row.exceptions,
    }
    if with_text:
        out |= {"description": e.description, "tags": list(e.tags), "yaml": e.text}
    return out


def exception_json(found: RuleException) -> dict[str, object]:
    data = asdict(found)
    data["expires_at"] = found.expires_at.isoformat()
    data["created_at"] = found.created_at.isoformat()
    return data


def stats_json(found: list[RunProfile]) -> dict[str, object]:
    """Time and hits per rule per run, newest run first, and per rule summed over them."""
    summed = sorted(profiles(found).values(), key=lambda p: (-p.seconds, p.rule_id))
    return {
        "runs": [
            {
                "id": r.id,
                "at": r.at.isoformat(),
                "events_upto": r.events_upto,
                "rules": [{"rule_id": k, "seconds": s, "hits": h} for k, (s, h) in r.rules.items()],
            }
            for r in found
        ],
        "rules": [
            {
                "rule_id": p.rule_id,
                "runs": p.runs,
                "seconds": round(p.seconds, 6),
                "mean_seconds": round(p.mean_seconds, 6),
                "hits": p.hits,
            }
            for p in summed
        ],
    }


def noisy_json(found: list[NoisyRule], days: int) -> dict[str, object]:
    return {
        "days": days,
        "items": [
            {
                "rule_id": r.rule_id,
                "title": r.title,
                "alerts": r.alerts,
                "per_day": round(r.per_day, 2),
                "dismissed": r.dismissed,
                "dismissed_share": round(r.dismissed_share, 4),
            }
            for r in found
        ],
    }

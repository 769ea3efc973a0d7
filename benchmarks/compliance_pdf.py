"""City-wide annual compliance report over 10k incidents, as PDF: time and peak memory.

    python -m benchmarks.compliance_pdf [--incidents 10000]

Incidents are created through the incident service (with their audit entries) across all
agencies. Reported beside the baseline of the same run: reading those incidents back from
the store, which every report must do.
"""

import argparse
import random
import resource
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchmarks.common import report, timed
from core.access import Actor, Role
from core.agencies import AgencyRegistry
from core.clock import TAIPEI, FixedClock
from core.settings import DEFAULT_AGENCIES
from core.storage.sqlite import SqliteStore
from incidents import notification, repository, service
from incidents.levels import Availability, LevelAnswers, SystemClass
from reports.compliance import build_compliance, compliance_pdf

ANSWERS = [
    LevelAnswers(system_class=SystemClass.NON_CORE, availability=Availability.WITHIN_MTD),
    LevelAnswers(system_class=SystemClass.CORE_NON_CI, availability=Availability.WITHIN_MTD),
    LevelAnswers(system_class=SystemClass.CORE_NON_CI, availability=Availability.BEYOND_MTD),
    LevelAnswers(system_class=SystemClass.CORE_CI, availability=Availability.BEYOND_MTD),
]


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=10_000)
    args = parser.parse_args()
    rng = random.Random(11)  # noqa: S311 - benchmark data
    registry = AgencyRegistry.load(DEFAULT_AGENCIES)
    codes = [a.code for a in registry]
    work = Path(tempfile.mkdtemp(prefix="citysoc-bench-"))
    with SqliteStore(work / "citysoc.db") as store:
        with timed() as create:
            for n in range(args.incidents):
                aware = datetime(2026, 1, 1, tzinfo=TAIPEI) + timedelta(
                    minutes=rng.randrange(525_000)
                )
                clock = FixedClock(aware)
                actor = Actor("r", Role.REPORTER, agency=codes[n % len(codes)])
                made = service.open_incident(
                    store=store,
                    actor=actor,
                    organization_id=actor.agency or "",
                    title="t",
                    aware_at=aware,
                    clock=clock,
                )
                clock.advance(timedelta(minutes=rng.choice([20, 50, 70, 200])))
                notification.file_notification(
                    store=store,
                    actor=actor,
                    incident_id=made.id,
                    answers=rng.choice(ANSWERS),
                    description="d",
                    response_measures="m",
                    outside_support_needed=False,
                    clock=clock,
                )
        auditor = Actor("audrey", Role.AUDITOR)
        before = peak_mib()
        with timed() as load:
            loaded = 0
            while page := repository.list_visible(store, actor=auditor, limit=1000, offset=loaded):
                loaded += len(page)
        with timed() as build:
            result = build_compliance(
                store=store,
                actor=auditor,
                registry=registry,
                start=date(2026, 1, 1),
                end=date(2026, 12, 31),
                now=datetime(2027, 1, 15, tzinfo=UTC),
            )
        with timed() as pdf_time:
            pdf = compliance_pdf(result, registry=registry)
        (work / "compliance.pdf").write_bytes(pdf)
    report(
        "compliance_pdf",
        {
            "incidents": result.incidents,
            "clock rows": len(result.rows),
            "create incidents through the service s": create[0],
            "baseline: read all incidents from the store s": load[0],
            "build the report s": build[0],
            "render the PDF s": pdf_time[0],
            "report + PDF / baseline": (build[0] + pdf_time[0]) / load[0],
            "PDF bytes": len(pdf),
            "peak RSS MiB before report": before,
            "peak RSS MiB after PDF": peak_mib(),
        },
    )


if __name__ == "__main__":
    main()

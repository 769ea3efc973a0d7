"""The compliance report counts the rule exceptions in force per agency (issue 16 item 2):
expired ones are left out, an agency's report shows its own and those bound to no agency."""

from datetime import UTC, date, datetime, timedelta

from core.access import Actor, Role
from core.clock import FixedClock
from detections.rule_settings import ExceptionCreate, add_exception
from reports.compliance import build_compliance, compliance_html

LEAD = Actor("lee", Role.LEAD)
NOW = datetime(2026, 3, 2, 1, tzinfo=UTC)


def _add(store, registry, expires: datetime, **scope: str) -> None:
    add_exception(
        store=store,
        actor=LEAD,
        registry=registry,
        rule_id="16728b4d-9edc-5348-8e53-1b9b8cb7b78c",
        form=ExceptionCreate(reason="vendor", expires_at=expires, **scope),
        clock=FixedClock(NOW),
        known=True,
    )


def test_exceptions_in_force_are_counted_per_agency(store, registry):
    later = NOW + timedelta(days=30)
    _add(store, registry, later, agency="district-xitun")
    _add(store, registry, later, agency="district-xitun", host="D-XITUN-FS01")
    _add(store, registry, later, agency="police")
    _add(store, registry, later, host="WEB01")  # no agency: applies to all
    _add(store, registry, NOW + timedelta(days=1), agency="police")  # expired by the report

    def report(agency: str | None = None):
        return build_compliance(
            store=store,
            actor=Actor("audra", Role.AUDITOR),
            registry=registry,
            start=date(2026, 3, 1),
            end=date(2026, 3, 31),
            now=NOW + timedelta(days=2),
            agency=agency,
        )

    city = report()
    assert city.rule_exceptions == {"*": 1, "district-xitun": 2, "police": 1}
    assert report("district-xitun").rule_exceptions == {"*": 1, "district-xitun": 2}
    html = compliance_html(city, registry=registry)
    assert 'id="rule-exceptions"' in html and "西屯區公所" in html

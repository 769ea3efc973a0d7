"""The access matrix (core.access): each right held by exactly the roles that held it when
it was checked by hand in the services, pages and TAXII; each actor's scope."""

import pytest

from core.access import SYSTEM, Action, Actor, Role, allowed, require_right
from core.errors import ForbiddenError

STAFF = {Role.ANALYST, Role.LEAD, Role.AUDITOR, Role.ADMIN}
PEOPLE = {Role.ANALYST, Role.LEAD, Role.REPORTER, Role.AUDITOR, Role.ADMIN}
# Who holds each right that used to be a role set written where it was checked.
HOLDERS: dict[Action, set[Role]] = {
    Action.READ_INTEL: STAFF,  # incidents/sharing/intel.py _READERS
    Action.READ_DEAD_LETTERS: STAFF,  # /api/v1/dead-letters (api/routes/dead_letters.py): everyone but reporters
    # Reprocessing stores events of every agency: the SOC's working roles (issue 16 item 7).
    Action.REPROCESS_DEAD_LETTERS: {Role.ANALYST, Role.LEAD, Role.ADMIN},
    Action.READ_REVIEWS: STAFF,  # the /reviews page (api/pages/reviews.py): everyone but reporters
    Action.LIST_ACCOUNTS: {Role.ADMIN, Role.AUDITOR, Role.LEAD},  # core/accounts.list_users
    Action.MANAGE_ACCOUNTS: {Role.ADMIN},  # create_user, others' tokens, partner credentials
    Action.SIGN_IN: PEOPLE,  # authenticate and the JSON API refuse partners
    Action.HOLD_TOKENS: PEOPLE | {Role.PARTNER},  # issue_token refuses the system
    Action.USE_TAXII: STAFF | {Role.PARTNER},  # api/taxii.py caller()
    Action.WRITE_TAXII: {Role.ADMIN},  # PartnerRegistry.permission: READ_WRITE
    Action.READ_AUDIT: {Role.ANALYST, Role.LEAD, Role.AUDITOR, Role.ADMIN},
    Action.READ_METRICS: {Role.ANALYST, Role.LEAD, Role.ADMIN},
}


def _actor(role: Role) -> Actor:
    return Actor(f"a-{role.value}", role, agency="police" if role is Role.REPORTER else None)


@pytest.mark.parametrize("action", sorted(HOLDERS))
def test_each_right_is_held_by_the_roles_that_held_it_before(action):
    assert {r for r in Role if action in allowed(_actor(r))} == HOLDERS[action]


def test_the_incident_rights_of_each_role_are_unchanged():
    incident_rights = {
        Action.VIEW,
        Action.TRIAGE,
        Action.OPEN_INCIDENT,
        Action.EDIT_INCIDENT,
        Action.FILE_NOTIFICATION,
        Action.REVIEW_LEVEL,
        Action.EXPORT,
        Action.SCAN,
        Action.RECORD_DRILL,
        Action.SHARE,
    }
    held = {r: allowed(_actor(r)) & incident_rights for r in Role}
    assert held[Role.LEAD] == held[Role.ADMIN] == incident_rights
    assert held[Role.ANALYST] == incident_rights - {Action.REVIEW_LEVEL}
    assert held[Role.REPORTER] == {
        Action.VIEW,
        Action.OPEN_INCIDENT,
        Action.EDIT_INCIDENT,
        Action.FILE_NOTIFICATION,
        Action.EXPORT,
        Action.RECORD_DRILL,
    }
    assert held[Role.AUDITOR] == {Action.VIEW, Action.EXPORT}
    assert held[Role.SYSTEM] == {
        Action.VIEW,
        Action.TRIAGE,
        Action.OPEN_INCIDENT,
        Action.SCAN,
        Action.SHARE,
    }
    assert held[Role.PARTNER] == set()


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.REPORTER, Role.PARTNER)])
def test_staff_and_the_system_are_city_wide(role):
    scope = Actor("x", role, agency="police").scope  # an agency on such an account narrows nothing
    assert scope.citywide and scope.covers("police") and scope.covers("*")
    assert scope.agencies() is None and scope.agencies(["police"]) == ["police"]
    assert SYSTEM.scope.citywide


def test_a_reporter_is_scoped_to_their_agency():
    scope = Actor("xitun", Role.REPORTER, agency="district-xitun").scope
    assert not scope.citywide and scope.agency == "district-xitun"
    assert scope.covers("district-xitun") and not scope.covers("police")
    assert not scope.covers("*")  # "*" is every agency: city-wide only
    assert scope.agencies() == scope.agencies(["police"]) == ["district-xitun"]


def test_a_partner_city_sees_none_of_our_agencies():
    scope = Actor("partner-miaoli-county", Role.PARTNER).scope
    assert not scope.citywide and scope.agency is None
    assert not scope.covers("police") and not scope.covers("*")
    assert scope.agencies() == scope.agencies(["police"]) == []


def test_a_reporter_must_name_their_agency():
    with pytest.raises(ValueError, match="one agency"):
        Actor("nobody", Role.REPORTER)


def test_require_right_refuses_with_the_callers_message():
    require_right(_actor(Role.AUDITOR), Action.READ_INTEL, "city SOC only")
    with pytest.raises(ForbiddenError, match="city SOC only") as refused:
        require_right(_actor(Role.REPORTER), Action.READ_INTEL, "city SOC only", "intelligence")
    assert refused.value.location == "intelligence"

"""Role x route x agency matrix, generated from the app's route table.

Every route must appear in CASES (a new route without a case fails the first test), and
every case is exercised for each kind of caller. The incident, alert group and documents
belong to the Xitun District Office; "reporter_other" is the Police Department's reporter.
"""

import json

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.app import create_app
from collectors.records import RawRecord
from core.access import Actor, Role
from tests.asgi_probe import BodyReads
from tests.data.events import winlogbeat
from tests.factories import PASSWORD, make_user, open_incident, token_for

PUBLIC = {
    ("GET", "/api/v1/health"),
    ("GET", "/api/v1/ready"),
    ("POST", "/api/v1/auth/login"),
    ("GET", "/api/v1/reports/compliance/schema"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/setup"),  # the first run: a one-time code from the console (tests/pages)
    ("POST", "/setup"),
    ("GET", "/lang/{lang}"),
    ("GET", "/static/{name}"),  # the page's own script (clock.js); no data
    ("GET", "/api/docs"),  # Swagger UI: the OpenAPI document is public too
    ("GET", "/api/docs/{name}"),  # its script, styles and start-up code
}
CALLERS = ["anonymous", "reporter_other", "reporter_own", "auditor", "analyst", "lead", "partner"]
# A partner city's TAXII token: refused (403) everywhere outside /taxii2/ unless a case says.
PAGE_CALLERS = CALLERS[:-1]  # partners cannot log in to pages (see test_partners_cannot_log_in)
NOTIFY_FORM = {
    "info_class": "none",
    "leak": "none",
    "tamper": "none",
    "system_class": "non_core",
    "availability": "within_mtd",
    "intent": "file",
    "description": "d",
    "response_measures": "m",
}
PAGE_TEXT = ("intent", "description", "response_measures")  # the level form takes answers only
# Pages: session cookies, CSRF in the form; anonymous callers are sent to /login (303).
UPLOAD = "multipart file"  # the test sends a file named after the caller instead of JSON/form
PAGE_CASES: dict[tuple[str, str], tuple[str, dict[str, str] | str | None, dict[str, object]]] = {
    ("GET", "/"): ("/", None, {}),
    ("GET", "/incidents/{incident_id}"): ("/incidents/{incident}", None, {"reporter_other": 404}),
    ("GET", "/incidents/{incident_id}/documents/{kind}"): (
        "/incidents/{incident}/documents/notification",
        None,
        {"reporter_other": 404},
    ),
    ("POST", "/incidents/{incident_id}/notify"): (
        "/incidents/{incident}/notify",
        NOTIFY_FORM,
        {
            "reporter_other": 404,
            "reporter_own": 303,
            "auditor": 403,
            "analyst": "skip",
            "lead": "skip",
        },
    ),
    ("POST", "/incidents/{incident_id}/review"): (
        "/incidents/{incident}/review",
        {"level": "2"},
        {"reporter_other": 404, "reporter_own": 403, "auditor": 403, "analyst": 403, "lead": 422},
    ),
    ("POST", "/logout"): ("/logout", {}, dict.fromkeys(PAGE_CALLERS, 303)),
    ("POST", "/incidents/{incident_id}/share"): (
        "/incidents/{incident}/share",
        {"iocs": "evil.example", "tlp": "green"},  # without confirm: the preview (200)
        {"reporter_other": 404, "reporter_own": 403, "auditor": 403, "analyst": 200, "lead": 200},
    ),
    ("GET", "/intel"): ("/intel", None, {"reporter_other": 403, "reporter_own": 403}),
    ("GET", "/alerts"): ("/alerts", None, {}),  # a reporter's queue holds their agency's only
    ("POST", "/alerts/triage"): (
        "/alerts/triage",
        {"action": "assign_me", "alert_ids": "{alert}"},
        {"reporter_other": 404, "reporter_own": 403, "auditor": 403, "analyst": 303, "lead": 303},
    ),
    ("POST", "/incidents/{incident_id}/progress"): (
        "/incidents/{incident}/progress",
        {"text": "t"},
        {"reporter_other": 404, "reporter_own": 303, "auditor": 403, "analyst": 303, "lead": 303},
    ),
    # allowed callers learn that recovery and the report wait for the notification
    ("POST", "/incidents/{incident_id}/contained"): (
        "/incidents/{incident}/contained",
        {},
        {"reporter_other": 404, "reporter_own": 422, "auditor": 403, "analyst": 422, "lead": 422},
    ),
    ("POST", "/incidents/{incident_id}/report"): (
        "/incidents/{incident}/report",
        {"scope_and_damage": "s"},
        {"reporter_other": 404, "reporter_own": 422, "auditor": 403, "analyst": 422, "lead": 422},
    ),
    ("POST", "/incidents/{incident_id}/level"): (
        "/incidents/{incident}/level",
        {**{k: NOTIFY_FORM[k] for k in NOTIFY_FORM if k not in PAGE_TEXT}, "reason": "r"},
        {"reporter_other": 404, "reporter_own": 422, "auditor": 403, "analyst": 422, "lead": 422},
    ),
    ("POST", "/incidents/{incident_id}/forward"): (
        "/incidents/{incident}/forward",
        {"to": "資通安全署", "reference": "NCERT-1"},
        {"reporter_other": 404, "reporter_own": 403, "auditor": 403, "analyst": 403, "lead": 422},
    ),
    ("POST", "/incidents/{incident_id}/close"): (
        "/incidents/{incident}/close",
        {"reason": "done"},
        {"reporter_other": 404, "reporter_own": 422, "auditor": 403, "analyst": 422, "lead": 422},
    ),
    # the matrix's incident was opened by hand, so it is confirmed already
    ("POST", "/incidents/{incident_id}/confirm"): (
        "/incidents/{incident}/confirm",
        {"reason": ""},
        {"reporter_other": 404, "reporter_own": 422, "auditor": 403, "analyst": 422, "lead": 422},
    ),
    ("POST", "/incidents/{incident_id}/dismiss"): (
        "/incidents/{incident}/dismiss",
        {"reason": "test"},
        {"reporter_other": 404, "reporter_own": 403, "auditor": 403, "analyst": 303, "lead": 422},
    ),
    # the corrections form: who may file the agency's notification may correct its times
    ("POST", "/incidents/{incident_id}/corrections"): (
        "/incidents/{incident}/corrections",
        {"field": "occurred_at", "value": "2026-03-02T08:00", "reason": "r"},
        {"reporter_other": 404, "reporter_own": 303, "auditor": 403, "analyst": 303, "lead": 303},
    ),
    ("POST", "/incidents/{incident_id}/reopen"): (
        "/incidents/{incident}/reopen",
        {"reason": "test"},
        {"reporter_other": 404, "reporter_own": 422, "auditor": 403, "analyst": 422, "lead": 422},
    ),
    ("POST", "/incidents/{incident_id}/evidence"): (
        "/incidents/{incident}/evidence",
        UPLOAD,
        {"reporter_other": 404, "reporter_own": 303, "auditor": 403, "analyst": 303, "lead": 303},
    ),
    ("GET", "/incidents/{incident_id}/evidence/{sha256}"): (
        "/incidents/{incident}/evidence/{evidence}",
        None,
        {"reporter_other": 404},
    ),
    ("GET", "/reviews"): ("/reviews", None, {"reporter_other": 403, "reporter_own": 403}),
    ("GET", "/events/{event_id}"): ("/events/{event}", None, {"reporter_other": 404}),
    ("GET", "/dashboard"): ("/dashboard", None, {}),  # a reporter's shows their agency only
    ("GET", "/audit"): ("/audit", None, {"reporter_other": 403, "reporter_own": 403}),
    # the outbox is the SOC's; every person keeps their own profile
    ("GET", "/messages"): (
        "/messages",
        None,
        {"reporter_other": 403, "reporter_own": 403, "auditor": 403},
    ),
    ("POST", "/messages/{message_id}/retry"): (
        "/messages/msg_missing/retry",
        {},
        {"reporter_other": 403, "reporter_own": 403, "auditor": 403, "analyst": 404, "lead": 404},
    ),
    ("GET", "/profile"): ("/profile", None, {}),
    ("POST", "/profile"): (
        "/profile",
        {"display_name": "x", "phone": "04-2228-9111"},
        dict.fromkeys(PAGE_CALLERS, 303),
    ),
}
# Case work (issue 14 item 5): editors set the owner and tick tasks; every reader may watch.
_PAGE_EDIT = {
    "reporter_other": 404,
    "reporter_own": 303,
    "auditor": 403,
    "analyst": 303,
    "lead": 303,
}
PAGE_CASES |= {
    ("POST", "/incidents/{incident_id}/assign"): (
        "/incidents/{incident}/assign",
        {"assignee": "analyst"},
        _PAGE_EDIT,
    ),
    ("POST", "/incidents/{incident_id}/watch"): (
        "/incidents/{incident}/watch",
        {},
        {"reporter_other": 404}
        | dict.fromkeys(("reporter_own", "auditor", "analyst", "lead"), 303),
    ),
    ("POST", "/incidents/{incident_id}/tasks/{task_id}"): (
        "/incidents/{incident}/tasks/scope",
        {"done": "1"},
        _PAGE_EDIT,
    ),
}
OK = {200, 201, 204}

# (method, path) -> (concrete path, JSON body or None, {caller: expected status or "ok"})
# Callers not listed default to "ok" except anonymous, which is always 401.
CASES: dict[tuple[str, str], tuple[str, object, dict[str, object]]] = {
    ("GET", "/api/v1/alerts"): ("/api/v1/alerts", None, {}),
    ("GET", "/api/v1/alert-groups"): ("/api/v1/alert-groups", None, {}),
    ("POST", "/api/v1/alert-groups/{key}/escalate"): (
        "/api/v1/alert-groups/{key}/escalate",
        None,
        # "skip": the analyst's escalation already consumed the group before the lead's turn
        {"reporter_other": 404, "reporter_own": 403, "auditor": 403, "lead": "skip"},
    ),
    ("POST", "/api/v1/alert-groups/{key}/false-positive"): (
        "/api/v1/alert-groups/{key}/false-positive",
        {"reason": "test"},
        {
            "reporter_other": 404,
            "reporter_own": 403,
            "auditor": 403,
            "analyst": "skip",
            "lead": "skip",
        },
    ),
    ("GET", "/api/v1/incidents"): ("/api/v1/incidents", None, {}),
    ("POST", "/api/v1/incidents"): (
        "/api/v1/incidents",
        {
            "organization_id": "district-xitun",
            "title": "t",
            "aware_at": "2026-03-02T08:00:00+08:00",
        },
        {"reporter_other": 404, "auditor": 403},
    ),
    ("GET", "/api/v1/incidents/{incident_id}"): (
        "/api/v1/incidents/{incident}",
        None,
        {"reporter_other": 404},
    ),
    ("POST", "/api/v1/incidents/{incident_id}/notifications"): (
        "/api/v1/incidents/{incident}/notifications",
        {
            "answers": {"system_class": "non_core", "availability": "within_mtd"},
            "description": "d",
            "response_measures": "m",
            "outside_support_needed": False,
        },
        {
            "reporter_other": 404,
            "auditor": 403,
            "analyst": "skip",
            "lead": "skip",
            "reporter_own": "skip",
        },
    ),
    # Whoever may file the agency's notification may correct its times (the same right).
    ("POST", "/api/v1/incidents/{incident_id}/corrections"): (
        "/api/v1/incidents/{incident}/corrections",
        {"field": "occurred_at", "value": "2026-03-02T08:00:00+08:00", "reason": "r"},
        {
            "reporter_other": 404,
            "reporter_own": "ok",
            "auditor": 403,
            "analyst": "ok",
            "lead": "ok",
        },
    ),
    ("POST", "/api/v1/incidents/{incident_id}/review"): (
        "/api/v1/incidents/{incident}/review",
        {"level": 2},
        {"reporter_other": 404, "reporter_own": 403, "auditor": 403, "analyst": 403, "lead": 422},
    ),  # the lead may review, but there is no notification yet
    ("GET", "/api/v1/incidents/{incident_id}/documents/{kind}"): (
        "/api/v1/incidents/{incident}/documents/notification",
        None,
        {"reporter_other": 404},
    ),
    ("GET", "/api/v1/reports/compliance"): (
        "/api/v1/reports/compliance?from=2026-01-01&to=2026-12-31&agency=district-xitun",
        None,
        {"reporter_other": 404},
    ),
    ("GET", "/api/v1/drills/{drill_id}/report"): (
        "/api/v1/drills/{drill}/report",
        None,
        {"reporter_other": 404},
    ),
    ("GET", "/api/v1/dead-letters"): (
        "/api/v1/dead-letters",
        None,
        {"reporter_other": 403, "reporter_own": 403},
    ),
    ("GET", "/api/v1/audit/verify"): (
        "/api/v1/audit/verify",
        None,
        {"reporter_other": 403, "reporter_own": 403},
    ),
    ("GET", "/api/v1/audit/export"): (
        "/api/v1/audit/export",
        None,
        {"reporter_other": 403, "reporter_own": 403},
    ),
    ("GET", "/api/v1/exports/alerts"): ("/api/v1/exports/alerts", None, {}),
    ("GET", "/api/v1/exports/incidents"): ("/api/v1/exports/incidents", None, {}),
    ("GET", "/api/v1/audit"): (
        "/api/v1/audit",
        None,
        {"reporter_other": 403, "reporter_own": 403},
    ),
    ("POST", "/api/v1/auth/logout"): ("/api/v1/auth/logout", None, {}),
    ("GET", "/api/v1/me"): ("/api/v1/me", None, {}),
    ("GET", "/metrics"): (
        "/metrics",
        None,
        {"reporter_other": 403, "reporter_own": 403, "auditor": 403},
    ),
    ("POST", "/api/v1/tokens"): ("/api/v1/tokens", {"name": "matrix"}, {}),
    ("GET", "/api/v1/tokens"): ("/api/v1/tokens", None, {}),
    ("DELETE", "/api/v1/tokens/{token_id}"): (
        "/api/v1/tokens/tok_missing",
        None,
        dict.fromkeys(CALLERS[1:-1], 404),
    ),
}
CASES |= {
    ("POST", "/api/v1/incidents/{incident_id}/share"): (
        "/api/v1/incidents/{incident}/share",
        {"iocs": [{"value": "evil.example"}], "tlp": "green"},
        {"reporter_other": 404, "reporter_own": 403, "auditor": 403},
    ),
    ("GET", "/api/v1/intel"): (
        "/api/v1/intel",
        None,
        {"reporter_other": 403, "reporter_own": 403},
    ),
    ("GET", "/api/v1/intel/indicators"): (
        "/api/v1/intel/indicators",
        None,
        {"reporter_other": 403, "reporter_own": 403},
    ),
    ("POST", "/api/v1/intel/partners/{partner_id}/pull"): (
        "/api/v1/intel/partners/miaoli-county/pull",
        None,
        # allowed callers learn that the shipped registry names no server to pull from
        {"reporter_other": 404, "reporter_own": 404, "auditor": 403, "analyst": 422, "lead": 422},
    ),
}
# The alert queue's bulk triage and the incident's lifecycle: reporters of the agency update
# their own incident; the SOC triages; auditors only read.
_TRIAGE = {"reporter_other": 404, "reporter_own": 403, "auditor": 403}
_EDIT = {"reporter_other": 404, "auditor": 403}
REPORT = {
    "scope_and_damage": "s",
    "containment_process": "c",
    "investigation_process": "i",
    "root_cause": "r",
    "preventive_measures": "p",
    "schedule_and_tracking": "t",
}
CASES |= {
    ("POST", "/api/v1/alerts/assign"): (
        "/api/v1/alerts/assign",
        {"alert_ids": ["{alert}"], "assignee": "analyst"},
        _TRIAGE,
    ),
    ("POST", "/api/v1/alerts/false-positive"): (
        "/api/v1/alerts/false-positive",
        {"alert_ids": ["{alert}"], "reason": "test"},
        _TRIAGE,
    ),
    ("POST", "/api/v1/alerts/escalate"): (
        "/api/v1/alerts/escalate",
        {"alert_ids": ["{alert}"]},
        _TRIAGE | {"lead": 422},  # the analyst's escalation already took the alert
    ),
    ("POST", "/api/v1/incidents/{incident_id}/alerts"): (
        "/api/v1/incidents/{incident}/alerts",
        {"alert_ids": ["{alert}"]},
        _TRIAGE,
    ),
    ("POST", "/api/v1/incidents/{incident_id}/progress"): (
        "/api/v1/incidents/{incident}/progress",
        {"text": "isolated the host"},
        _EDIT,
    ),
    # allowed callers learn that recovery cannot be complete before the notification
    ("POST", "/api/v1/incidents/{incident_id}/contained"): (
        "/api/v1/incidents/{incident}/contained",
        {},
        _EDIT | {"reporter_own": 422, "analyst": 422, "lead": 422},
    ),
    ("POST", "/api/v1/incidents/{incident_id}/report"): (
        "/api/v1/incidents/{incident}/report",
        REPORT,
        _EDIT | {"reporter_own": 422, "analyst": 422, "lead": 422},
    ),
    # the steps after the notification: allowed callers learn what must happen first
    ("POST", "/api/v1/incidents/{incident_id}/level"): (
        "/api/v1/incidents/{incident}/level",
        {"answers": {"system_class": "non_core", "availability": "within_mtd"}, "reason": "r"},
        _EDIT | {"reporter_own": 422, "analyst": 422, "lead": 422},
    ),
    ("POST", "/api/v1/incidents/{incident_id}/forward"): (
        "/api/v1/incidents/{incident}/forward",
        {"to": "資通安全署", "reference": "NCERT-1"},
        _TRIAGE | {"analyst": 403, "lead": 422},  # only the superior (lead), after review
    ),
    ("POST", "/api/v1/incidents/{incident_id}/close"): (
        "/api/v1/incidents/{incident}/close",
        {"reason": "done"},
        _EDIT | {"reporter_own": 422, "analyst": 422, "lead": 422},  # no report yet
    ),
    ("POST", "/api/v1/incidents/{incident_id}/confirm"): (
        "/api/v1/incidents/{incident}/confirm",
        {},
        _EDIT | {"reporter_own": 422, "analyst": 422, "lead": 422},  # opened by hand: confirmed
    ),
    ("POST", "/api/v1/incidents/{incident_id}/dismiss"): (
        "/api/v1/incidents/{incident}/dismiss",
        {"reason": "test"},
        _TRIAGE | {"lead": 422},  # the analyst already dismissed it
    ),
    # the matrix's incident is open: who may reopen a closed one learns it is not closed
    ("POST", "/api/v1/incidents/{incident_id}/reopen"): (
        "/api/v1/incidents/{incident}/reopen",
        {"reason": "test"},
        _EDIT | {"reporter_own": 422, "analyst": 422, "lead": 422},
    ),
    ("GET", "/api/v1/events/{event_id}"): ("/api/v1/events/{event}", None, {"reporter_other": 404}),
    ("GET", "/api/v1/incidents/{incident_id}/evidence"): (
        "/api/v1/incidents/{incident}/evidence",
        None,
        {"reporter_other": 404},
    ),
    ("POST", "/api/v1/incidents/{incident_id}/evidence"): (
        "/api/v1/incidents/{incident}/evidence",
        UPLOAD,
        _EDIT,
    ),
    ("GET", "/api/v1/incidents/{incident_id}/evidence/{sha256}"): (
        "/api/v1/incidents/{incident}/evidence/{evidence}",
        None,
        {"reporter_other": 404},
    ),
}
# Case work (issue 14 item 5): editors set the owner and tick tasks; every reader may watch
# a case it sees and read its tasks and timeline.
CASES |= {
    ("POST", "/api/v1/incidents/{incident_id}/assignee"): (
        "/api/v1/incidents/{incident}/assignee",
        {"assignee": "analyst"},
        _EDIT,
    ),
    ("POST", "/api/v1/incidents/{incident_id}/watch"): (
        "/api/v1/incidents/{incident}/watch",
        {},
        {"reporter_other": 404},
    ),
    ("POST", "/api/v1/incidents/{incident_id}/unwatch"): (
        "/api/v1/incidents/{incident}/unwatch",
        {},
        {"reporter_other": 404},
    ),
    ("GET", "/api/v1/incidents/{incident_id}/tasks"): (
        "/api/v1/incidents/{incident}/tasks",
        None,
        {"reporter_other": 404},
    ),
    ("POST", "/api/v1/incidents/{incident_id}/tasks/{task_id}/done"): (
        "/api/v1/incidents/{incident}/tasks/scope/done",
        None,
        _EDIT,
    ),
    ("POST", "/api/v1/incidents/{incident_id}/tasks/{task_id}/undo"): (
        "/api/v1/incidents/{incident}/tasks/scope/undo",
        None,
        _EDIT,
    ),
    ("GET", "/api/v1/incidents/{incident_id}/timeline"): (
        "/api/v1/incidents/{incident}/timeline",
        None,
        {"reporter_other": 404},
    ),
}
# TAXII: reporters have no business there; staff read; the partner reads what it is granted
# (miaoli-county: read city-indicators, write partner-inbox).
_NO_REPORTERS = {"reporter_other": 403, "reporter_own": 403}
_OUT = "/taxii2/joint-defence/collections/8a3f0f3c-6f7e-4f1e-9a53-0c6a7b1e2d41"
_INBOX = "/taxii2/joint-defence/collections/1c9e2b7a-3d4f-4a8b-8e6f-5a2d9c0b7e13"
_MISSING = "indicator--00000000-0000-4000-8000-000000000000"
_STAFF = ("auditor", "analyst", "lead", "partner")
CASES |= {
    ("GET", "/taxii2/"): ("/taxii2/", None, _NO_REPORTERS),
    ("GET", "/taxii2/{api_root}/"): ("/taxii2/joint-defence/", None, _NO_REPORTERS),
    ("GET", "/taxii2/{api_root}/collections/"): (
        "/taxii2/joint-defence/collections/",
        None,
        _NO_REPORTERS,
    ),
    ("GET", "/taxii2/{api_root}/collections/{collection_id}/"): (f"{_OUT}/", None, _NO_REPORTERS),
    ("GET", "/taxii2/{api_root}/collections/{collection_id}/objects/"): (
        f"{_OUT}/objects/",
        None,
        _NO_REPORTERS,
    ),
    ("GET", "/taxii2/{api_root}/collections/{collection_id}/manifest/"): (
        f"{_INBOX}/manifest/",
        None,
        _NO_REPORTERS | {"partner": 403},  # the inbox is write-only for partners
    ),
    ("GET", "/taxii2/{api_root}/collections/{collection_id}/objects/{object_id}/"): (
        f"{_OUT}/objects/{_MISSING}/",
        None,
        _NO_REPORTERS | dict.fromkeys(_STAFF, 404),
    ),
    ("GET", "/taxii2/{api_root}/collections/{collection_id}/objects/{object_id}/versions/"): (
        f"{_OUT}/objects/{_MISSING}/versions/",
        None,
        _NO_REPORTERS | dict.fromkeys(_STAFF, 404),
    ),
    ("GET", "/taxii2/{api_root}/status/{status_id}/"): (
        "/taxii2/joint-defence/status/00000000-0000-4000-8000-000000000000/",
        None,
        _NO_REPORTERS | dict.fromkeys(_STAFF, 404),
    ),
    ("POST", "/taxii2/{api_root}/collections/{collection_id}/objects/"): (
        f"{_INBOX}/objects/",
        {"objects": []},
        # staff may read only; the partner may write but sent JSON, not TAXII's media type
        _NO_REPORTERS | {"auditor": 403, "analyst": 403, "lead": 403, "partner": 415},
    ),
}

# Messages to people: the outbox is the SOC's (analysts, leads, admins); everyone keeps
# their own profile, and only administrators change another's (leads and auditors read it).
_NOT_SOC = {"reporter_other": 403, "reporter_own": 403, "auditor": 403}
_PHONE = {"phone": "04-2228-9111#123"}
CASES |= {
    ("GET", "/api/v1/messages"): ("/api/v1/messages", None, _NOT_SOC),
    ("POST", "/api/v1/messages/{message_id}/retry"): (
        "/api/v1/messages/msg_missing/retry",
        None,
        _NOT_SOC | {"analyst": 404, "lead": 404},
    ),
    ("GET", "/api/v1/profile"): ("/api/v1/profile", None, {}),
    ("PATCH", "/api/v1/profile"): ("/api/v1/profile", _PHONE, {}),
    ("GET", "/api/v1/users/{username}"): (
        "/api/v1/users/analyst",
        None,
        {"reporter_other": 403, "reporter_own": 403},  # the analyst reads their own
    ),
    ("PATCH", "/api/v1/users/{username}"): (
        "/api/v1/users/analyst",
        _PHONE,
        {"reporter_other": 403, "reporter_own": 403, "auditor": 403, "lead": 403},
    ),
}

# Accounts in the browser and the API (issue 15): administrators (not a matrix caller)
# create and change them; leads and auditors list them; analysts and reporters neither.
_ADMINS_ONLY = {
    "reporter_other": 403,
    "reporter_own": 403,
    "auditor": 403,
    "analyst": 403,
    "lead": 403,
}
_NEW_ACCOUNT = {"username": "newbie", "role": "analyst"}
CASES |= {
    ("GET", "/api/v1/users"): (
        "/api/v1/users",
        None,
        {"reporter_other": 404, "reporter_own": 404, "analyst": 403},
    ),
    ("POST", "/api/v1/users"): ("/api/v1/users", _NEW_ACCOUNT, _ADMINS_ONLY),
    ("POST", "/api/v1/users/{username}/disable"): (
        "/api/v1/users/analyst/disable",
        None,
        _ADMINS_ONLY,
    ),
    ("POST", "/api/v1/users/{username}/enable"): (
        "/api/v1/users/analyst/enable",
        None,
        _ADMINS_ONLY,
    ),
    ("POST", "/api/v1/users/{username}/unlock"): (
        "/api/v1/users/analyst/unlock",
        None,
        _ADMINS_ONLY,
    ),
}
PAGE_CASES |= {
    ("GET", "/users"): (
        "/users",
        None,
        {"reporter_other": 404, "reporter_own": 404, "analyst": 403},
    ),
    ("POST", "/users"): ("/users", _NEW_ACCOUNT, _ADMINS_ONLY),
    ("POST", "/users/{username}/disable"): ("/users/analyst/disable", {}, _ADMINS_ONLY),
    ("POST", "/users/{username}/enable"): ("/users/analyst/enable", {}, _ADMINS_ONLY),
    ("POST", "/users/{username}/unlock"): ("/users/analyst/unlock", {}, _ADMINS_ONLY),
}
# Rule management (issue 16 item 2): city-wide readers read; leads and administrators change.
_RULE = "/rules/16728b4d-9edc-5348-8e53-1b9b8cb7b78c"  # win_user_account_created.yml
_RULE_TEXT = (
    "title: Group Enumerated\nid: 7d1f2a0e-8c55-4d8e-9d0a-2f1c5b8e9a11\n"
    "logsource:\n  product: windows\n  service: security\n"  # no braces: forms are format()ed
    "detection:\n  selection:\n    EventID: 4798\n  condition: selection\nlevel: low\n"
)
_RULE_EXCEPTION = {"host": "D-XITUN-FS01", "reason": "vendor", "expires_at": "2026-12-31T17:00"}
_RULE_READERS = {"reporter_other": 403, "reporter_own": 403}
_RULE_MANAGERS = _RULE_READERS | {"auditor": 403, "analyst": 403}
CASES |= {
    ("GET", "/api/v1/rules"): ("/api/v1/rules", None, _RULE_READERS),
    ("GET", "/api/v1/rules/stats"): ("/api/v1/rules/stats", None, _RULE_READERS),
    ("GET", "/api/v1/rules/noisy"): ("/api/v1/rules/noisy", None, _RULE_READERS),
    ("POST", "/api/v1/rules/preview"): (
        "/api/v1/rules/preview",
        {"yaml": _RULE_TEXT},
        _RULE_READERS,
    ),
    ("POST", "/api/v1/rules"): ("/api/v1/rules", {"yaml": _RULE_TEXT}, _RULE_MANAGERS),
    ("GET", "/api/v1/rules/{rule_id}"): (f"/api/v1{_RULE}", None, _RULE_READERS),
    ("POST", "/api/v1/rules/{rule_id}/enable"): (
        f"/api/v1{_RULE}/enable",
        None,
        _RULE_MANAGERS,
    ),
    ("POST", "/api/v1/rules/{rule_id}/disable"): (
        f"/api/v1{_RULE}/disable",
        None,
        _RULE_MANAGERS,
    ),
    ("GET", "/api/v1/rules/{rule_id}/exceptions"): (
        f"/api/v1{_RULE}/exceptions",
        None,
        _RULE_READERS,
    ),
    ("POST", "/api/v1/rules/{rule_id}/exceptions"): (
        f"/api/v1{_RULE}/exceptions",
        _RULE_EXCEPTION,
        _RULE_MANAGERS,
    ),
    ("DELETE", "/api/v1/rules/{rule_id}/exceptions/{exception_id}"): (
        f"/api/v1{_RULE}/exceptions/000000000000",
        None,
        _RULE_MANAGERS | {"lead": 404},
    ),
}
PAGE_CASES |= {
    ("GET", "/rules"): ("/rules", None, _RULE_READERS),
    ("GET", "/rules/noisy"): ("/rules/noisy", None, _RULE_READERS),
    ("GET", "/rules/new"): ("/rules/new", None, _RULE_READERS),
    ("POST", "/rules/preview"): ("/rules/preview", {"yaml": _RULE_TEXT}, _RULE_READERS),
    ("POST", "/rules/save"): (
        "/rules/save",
        {"yaml": _RULE_TEXT},
        _RULE_MANAGERS | {"lead": 303},
    ),
    ("GET", "/rules/{rule_id}"): (_RULE, None, _RULE_READERS),
    ("POST", "/rules/{rule_id}/enable"): (f"{_RULE}/enable", {}, _RULE_MANAGERS | {"lead": 303}),
    ("POST", "/rules/{rule_id}/disable"): (
        f"{_RULE}/disable",
        {},
        _RULE_MANAGERS | {"lead": 303},
    ),
    ("POST", "/rules/{rule_id}/exceptions"): (
        f"{_RULE}/exceptions",
        _RULE_EXCEPTION,
        _RULE_MANAGERS | {"lead": 303},
    ),
    ("POST", "/rules/{rule_id}/exceptions/{exception_id}/remove"): (
        f"{_RULE}/exceptions/000000000000/remove",
        {},
        _RULE_MANAGERS | {"lead": 404},
    ),
}

# Trends and the board (issue 16 item 5): every reader sees trends, a reporter their own
# agency's (pinned in the service, whatever the query asks).
CASES |= {
    ("GET", "/api/v1/trends"): ("/api/v1/trends?agency=district-xitun", None, {}),
    # Merging takes the right to edit the agency's incidents (into an id that names
    # nothing: the editors get as far as looking it up).
    ("POST", "/api/v1/incidents/{incident_id}/merge"): (
        "/api/v1/incidents/{incident}/merge",
        {"into": "INC-20260302-NOSUCH", "reason": "matrix"},
        {
            "reporter_other": 404,
            "reporter_own": 404,
            "auditor": 403,
            "analyst": 404,
            "lead": 404,
        },
    ),
}
PAGE_CASES |= {
    ("GET", "/trends"): ("/trends?agency=district-xitun", None, {}),
    ("POST", "/incidents/{incident_id}/merge"): (
        "/incidents/{incident}/merge",
        {"into": "{incident}", "reason": "matrix"},  # into itself: refused on the page
        {"reporter_other": 404, "reporter_own": 422, "auditor": 403, "analyst": 422, "lead": 422},
    ),
}
# The alert queue's CSV export (issue 16 item 6): like the queue, anyone signed in gets the
# alerts they may see (a reporter: their agency's, so another agency's reporter an empty file).
CASES |= {
    ("GET", "/api/v1/alerts/export.csv"): ("/api/v1/alerts/export.csv", None, {}),
}
# Source health and the ATT&CK view (issue 16 items 3-4): every person reads them, a
# reporter their own agency's only (tests/api/test_sources_api.py, test_attack_api.py).
CASES |= {
    ("GET", "/api/v1/sources"): ("/api/v1/sources", None, {}),
    ("GET", "/api/v1/attack"): ("/api/v1/attack", None, {}),
}
PAGE_CASES |= {
    ("GET", "/sources"): ("/sources", None, {}),
    ("GET", "/attack"): ("/attack", None, {}),
}

# Operations pages (issue 16 item 7): dead letters are read by the city SOC and auditors,
# reprocessed by analysts and leads (and admins); reporters neither.
_SOC_WORKS = {"reporter_other": 403, "reporter_own": 403, "auditor": 403}
_DRILL = {
    "agency": "district-xitun",
    "kind": "notification_response",
    "held_on": "2026-03-01",
    "completed_at": "2026-03-01T10:00:00+08:00",
    "participants": 5,
}
_SUBMIT_ONCE = {"reporter_other": 404, "auditor": 403, "analyst": 422, "lead": 422}
CASES |= {
    ("POST", "/api/v1/dead-letters/reprocess"): (
        "/api/v1/dead-letters/reprocess",
        {"ids": [1]},
        _SOC_WORKS,
    ),
    ("GET", "/api/v1/assets"): ("/api/v1/assets", None, {}),  # a reporter: their agency's
    ("POST", "/api/v1/users/{username}/reset"): ("/api/v1/users/analyst/reset", None, _ADMINS_ONLY),
    ("POST", "/api/v1/users/{username}/role"): (
        "/api/v1/users/analyst/role",
        {"role": "lead"},
        _ADMINS_ONLY,
    ),
    ("POST", "/api/v1/users/{username}/tokens"): (
        "/api/v1/users/analyst/tokens",
        {"name": "x"},
        _ADMINS_ONLY,
    ),
    ("GET", "/api/v1/drills"): ("/api/v1/drills", None, {}),  # a reporter: their agency's
    ("POST", "/api/v1/drills"): ("/api/v1/drills", _DRILL, {"reporter_other": 404, "auditor": 403}),
    # the first who may submits the report (the agency's reporter); later callers: 422
    ("POST", "/api/v1/drills/{drill_id}/submit"): (
        "/api/v1/drills/{drill}/submit",
        None,
        _SUBMIT_ONCE,
    ),
}
PAGE_CASES |= {
    ("GET", "/assets"): ("/assets", None, {}),
    ("POST", "/users/{username}/reset"): ("/users/analyst/reset", {}, _ADMINS_ONLY),
    ("POST", "/users/role"): ("/users/role", {"username": "analyst", "role": "lead"}, _ADMINS_ONLY),
    ("POST", "/users/tokens"): (
        "/users/tokens",
        {"username": "analyst", "name": "x"},
        _ADMINS_ONLY,
    ),
    ("POST", "/users/tokens/{token_id}/revoke"): (
        "/users/tokens/tok_000000000000/revoke",
        {},
        _ADMINS_ONLY,
    ),
    ("GET", "/drills"): ("/drills", None, {}),
    ("POST", "/drills"): (
        "/drills",
        {**_DRILL, "completed_at": "2026-03-01T10:00", "participants": "5"},
        {"reporter_other": 404, "reporter_own": 303, "auditor": 403, "analyst": 303, "lead": 303},
    ),
    ("POST", "/drills/{drill_id}/submit"): (
        "/drills/{drill}/submit",
        {},
        _SUBMIT_ONCE | {"reporter_own": 303},
    ),
    ("GET", "/dead-letters"): (
        "/dead-letters",
        None,
        {"reporter_other": 403, "reporter_own": 403},
    ),
    ("POST", "/dead-letters/reprocess"): (
        "/dead-letters/reprocess",
        {"letter": "1"},
        _SOC_WORKS | {"analyst": 303, "lead": 303},
    ),
}

# Event search (issue 16 item 1): every person with a view right searches (a reporter's
# search is pinned to their agency in the service: tests/api/test_search_api.py); a saved
# search that does not exist, or is another person's private one, is "not found".
_NO_SUCH_SEARCH = dict.fromkeys(CALLERS[1:-1], 404)
CASES |= {
    ("GET", "/api/v1/events/search"): ("/api/v1/events/search?q=host.name:x", None, {}),
    ("GET", "/api/v1/events/search/top"): ("/api/v1/events/search/top?field=host.name", None, {}),
    ("GET", "/api/v1/events/search/export"): ("/api/v1/events/search/export", None, {}),
    ("GET", "/api/v1/events/search/sigma"): ("/api/v1/events/search/sigma?q=a:b", None, {}),
    ("GET", "/api/v1/searches"): ("/api/v1/searches", None, {}),
    ("POST", "/api/v1/searches"): ("/api/v1/searches", {"name": "n", "query": "a:b"}, {}),
    ("GET", "/api/v1/searches/{search_id}"): ("/api/v1/searches/s-none", None, _NO_SUCH_SEARCH),
    ("DELETE", "/api/v1/searches/{search_id}"): (
        "/api/v1/searches/s-none",
        None,
        _NO_SUCH_SEARCH,
    ),
}

PAGE_CASES |= {
    ("GET", "/search"): ("/search?q=host.name:x", None, {}),
    ("POST", "/search/saved"): (
        "/search/saved",
        {"name": "n", "q": "a:b"},
        dict.fromkeys(PAGE_CALLERS[1:], 303),
    ),
    ("POST", "/search/saved/{search_id}/delete"): (
        "/search/saved/s-none/delete",
        {},
        dict.fromkeys(PAGE_CALLERS[1:], 404),
    ),
}

# HTTP ingest (issue 18 item 4): only an agency's ingest token ingests; every person's
# token, and a partner's, is refused (403). The ingest token itself is refused by every
# other route: test_an_ingest_token_opens_no_other_route below.
CASES |= {
    ("POST", "/api/v1/ingest"): ("/api/v1/ingest", None, dict.fromkeys(CALLERS[1:], 403)),
}


def assert_not_stored(response, what: str) -> None:
    """Signed-in pages, API answers, exports and errors alike: no cache keeps a copy."""
    assert "no-store" in response.headers.get("cache-control", ""), (
        f"{what}: Cache-Control {response.headers.get('cache-control')!r}"
    )


def app_routes(app) -> set[tuple[str, str]]:
    """Every (method, path), including routes of included routers (which this FastAPI
    keeps behind a lazy wrapper with an ``original_router``)."""
    found = set()
    pending = list(app.routes)
    while pending:
        route = pending.pop()
        if isinstance(route, APIRoute):
            found.update((method, route.path) for method in route.methods - {"HEAD"})
        elif hasattr(route, "original_router"):
            pending.extend(route.original_router.routes)
    return found


@pytest.fixture
def world(soc):
    from core.settings import Settings

    soc.settings = Settings(store=soc.settings.store, cookie_secure=False)
    """Accounts with bearer tokens for each caller, and Xitun's alerts and incident."""
    admin = Actor("root-admin", Role.ADMIN)
    roles = {
        "reporter_other": (Role.REPORTER, "police"),
        "reporter_own": (Role.REPORTER, "district-xitun"),
        "auditor": (Role.AUDITOR, None),
        "analyst": (Role.ANALYST, None),
        "lead": (Role.LEAD, None),
    }
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for name, (role, agency) in roles.items():
        username = name.replace("_", "-")
        user = make_user(soc, username, role, agency=agency)
        headers[name] = {"Authorization": f"Bearer {token_for(soc, user, 'matrix')}"}
    from incidents.sharing.partners import issue_partner_token

    token, _ = issue_partner_token(
        store=soc.store,
        actor=admin,
        registry=soc.registry,
        partners=soc.partners,
        partner_id="miaoli-county",
        clock=soc.clock,
    )
    headers["partner"] = {"Authorization": f"Bearer {token}"}
    ingestor = soc.ingestor()
    for n in range(2):
        doc = winlogbeat("Security", 4720, {"TargetUserName": f"u{n}"})
        ingestor.submit(RawRecord("t", json.dumps(doc).encode(), soc.clock.now()), "jsonl")
    ingestor.flush()
    soc.process(min_severity="critical")  # alerts only: the group stays open for triage
    [alert] = soc.store.alerts.list(limit=1)
    from incidents import service

    incident = open_incident(soc.store, soc.clock, title="matrix")
    from datetime import date

    from incidents.drills import DrillKind, record_drill

    drill = record_drill(
        store=soc.store,
        actor=admin,
        registry=soc.registry,
        organization_id="district-xitun",
        kind=DrillKind.NOTIFICATION_RESPONSE,
        held_on=date(2026, 3, 1),
        completed_at=soc.clock.now(),
        participants=5,
        clock=soc.clock,
    )
    from incidents.evidence import add_evidence

    add_evidence(
        store=soc.store,
        actor=admin,
        incident_id=incident.id,
        filename="firewall.log",
        data=b"deny tcp 203.0.113.9 -> 10.1.2.3:445\n",
        note="",
        root=soc.settings.evidence_path,
        max_bytes=soc.settings.max_evidence_bytes,
        clock=soc.clock,
    )
    client = TestClient(create_app(soc, api_token="operator-token-matrix"))
    ids = {
        "key": alert.group_key,
        "incident": incident.id,
        "drill": drill.id,
        "alert": alert.id,
        "event": alert.event.event_id,
    }
    stored = service.get_incident(store=soc.store, actor=admin, incident_id=incident.id)
    return client, headers, ids | {"evidence": stored.evidence[0].sha256}


def test_every_route_has_a_matrix_case(soc):
    routes = app_routes(create_app(soc, api_token="x"))
    missing = sorted(routes - PUBLIC - set(CASES) - set(PAGE_CASES))
    assert not missing, f"add these routes to CASES or PAGE_CASES in {__file__}: {missing}"
    assert not (set(CASES) | set(PAGE_CASES)) - routes, "cases list routes that no longer exist"


@pytest.mark.parametrize("route", sorted(CASES), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_denies_what_it_must(world, route):
    client, headers, ids = world
    path, body, expected = CASES[route]
    path = path.format(**ids)
    for caller in CALLERS:
        default = 403 if caller == "partner" and not route[1].startswith("/taxii2/") else "ok"
        want = 401 if caller == "anonymous" else expected.get(caller, default)
        if want == "skip":
            continue
        if body == UPLOAD:
            upload = {"file": (f"{caller}.txt", f"seen by {caller}".encode(), "text/plain")}
            response = client.post(path, files=upload, headers=headers[caller])
        else:
            sent = json.loads(json.dumps(body).replace("{alert}", ids["alert"]))
            response = client.request(route[0], path, json=sent, headers=headers[caller])
        got = response.status_code
        assert (got in OK) if want == "ok" else got == want, (
            f"{caller} {route[0]} {path}: {got} {response.text[:200]}"
        )
        assert_not_stored(response, f"{caller} {route[0]} {path}")


def test_search_and_reports_never_show_another_agencys_incident(world):
    client, headers, ids = world
    listed = client.get("/api/v1/incidents", headers=headers["reporter_other"]).json()
    assert ids["incident"] not in json.dumps(listed)
    alerts = client.get("/api/v1/alerts", headers=headers["reporter_other"]).json()
    assert alerts["total"] == 0
    own = client.get(
        "/api/v1/reports/compliance?from=2026-01-01&to=2026-12-31",
        headers=headers["reporter_other"],
    ).json()
    assert own["agency"] == "police" and ids["incident"] not in json.dumps(own)


@pytest.mark.parametrize("route", sorted(PAGE_CASES), ids=lambda r: f"{r[0]} {r[1]}")
def test_page_denies_what_it_must(world, route):
    client, _headers, ids = world
    path, form, expected = PAGE_CASES[route]
    path = path.format(**ids)
    for caller in PAGE_CALLERS:
        want = 303 if caller == "anonymous" else expected.get(caller, 200)
        if want == "skip":
            continue
        browser = TestClient(client.app, follow_redirects=False)
        upload = form == UPLOAD
        data = {} if upload else {k: v.format(**ids) for k, v in (form or {}).items()}
        if caller != "anonymous":
            login = browser.post(
                "/api/v1/auth/login",
                json={"username": caller.replace("_", "-"), "password": PASSWORD},
            )
            data["csrf_token"] = login.json()["csrf_token"]
        files = {"file": (f"{caller}.txt", f"from {caller}".encode())} if upload else None
        if route[0] == "GET":
            response = browser.get(path)
        else:
            response = browser.post(path, data=data, files=files)
        assert response.status_code == want, f"{caller} {route[0]} {path}: {response.text[:200]}"
        assert_not_stored(response, f"{caller} {route[0]} {path}")
        if want == 303 and caller == "anonymous" and route[1] != "/logout":
            assert response.headers["location"] == "/login"


def test_page_forms_need_the_csrf_token(world):
    client, _headers, ids = world
    browser = TestClient(client.app, follow_redirects=False)
    browser.post("/api/v1/auth/login", json={"username": "reporter-own", "password": PASSWORD})
    forged = browser.post(
        f"/incidents/{ids['incident']}/notify", data={**NOTIFY_FORM, "csrf_token": "forged"}
    )
    assert forged.status_code == 403
    page = browser.get(f"/incidents/{ids['incident']}")
    assert 'data-state="open"' in page.text  # the state's code beside its label


def test_partners_cannot_log_in(world, soc):
    """Even a partner account that somehow has a known password gets no session."""
    client, _headers, _ids = world
    make_user(soc, "partner.nantou-county", Role.PARTNER)
    for username, status in (("partner.nantou-county", 401), ("analyst", 200)):
        response = client.post(
            "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == status, username


# Request size: every route refuses an oversized body with 413 before it authenticates
# (the callers below send no credentials) and before anything parses or stores the body.
PUBLIC_PATHS = {
    ("GET", "/lang/{lang}"): "/lang/en",
    ("GET", "/static/{name}"): "/static/clock.js",
    ("GET", "/api/docs/{name}"): "/api/docs/swagger-init.js",
}
FAKE_IDS = {
    "key": "group-key",
    "incident": "INC-20260302-ABCDEF",
    "drill": "DRL-1",
    "alert": "alert-1",
    "event": "event-1",
    "evidence": "0" * 64,
}
ALL_ROUTES = sorted(set(CASES) | set(PAGE_CASES) | PUBLIC)


def concrete_path(route) -> str:
    if route in CASES:
        return CASES[route][0].format(**FAKE_IDS)
    if route in PAGE_CASES:
        return PAGE_CASES[route][0].format(**FAKE_IDS)
    return PUBLIC_PATHS.get(route, route[1])


@pytest.fixture
def sized(soc):
    from api.body_limits import BodyLimits

    app = create_app(soc, api_token="operator-token-sizes")
    reads = BodyReads(app)
    return TestClient(reads, follow_redirects=False), BodyLimits.for_settings(soc.settings), reads


@pytest.mark.parametrize("route", ALL_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_route_refuses_an_oversized_body_before_authentication(sized, route):
    client, limits, reads = sized
    method, path = route[0], concrete_path(route)
    limit = limits.limit_for(method, path).max_bytes
    response = client.request(
        method, path, content=b"x" * (limit + 1), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413, f"{method} {path}: {response.text[:200]}"
    assert reads.bytes == 0, "the body was read before it was refused"
    expected = "takes no request body" if limit == 0 else f"at most {limit:,} bytes"
    assert expected in response.text


@pytest.mark.parametrize(
    "route", [r for r in ALL_ROUTES if r[0] == "POST"], ids=lambda r: f"{r[0]} {r[1]}"
)
def test_route_counts_a_body_sent_without_a_length(sized, route):
    """Chunked: no Content-Length to judge by, so the bytes are counted as they arrive.
    A route either never reads the body or refuses it (the operator token passes any
    authentication, so what is measured is the size check)."""
    client, limits, reads = sized
    path = concrete_path(route)
    limit = limits.limit_for("POST", path).max_bytes
    chunk = 64 * 1024

    def body():
        for _ in range(limit // chunk + 2):
            yield b"x" * chunk

    response = client.post(
        path,
        content=body(),
        headers={
            "Authorization": "Bearer operator-token-sizes",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 413 or reads.bytes == 0, (
        f"POST {path}: {response.status_code} after reading {reads.bytes:,} bytes"
    )


@pytest.mark.parametrize(
    "path",
    ["/login", "/api/v1/health", "/api/v1/ready", "/api/v1/openapi.json", "/lang/en", "/api/docs"],
)
def test_public_answers_are_not_stored_either(sized, path):
    client, _limits, _reads = sized
    assert_not_stored(client.get(path), path)


@pytest.mark.parametrize(
    "path", ["/static/clock.js", "/api/docs/swagger-ui-bundle.js", "/api/docs/swagger-ui.css"]
)
def test_static_assets_may_be_cached(sized, path):
    client, _limits, _reads = sized
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=3600"


def test_an_ingest_token_opens_no_other_route(world, soc):
    """A shipper's token (HTTP ingest, issue 18 item 4) is no person: refused everywhere
    (one world for every route: the matrix is slow enough)."""
    from core.ingest_tokens import issue_ingest_token

    client, _headers, ids = world
    token, _ = issue_ingest_token(
        store=soc.store,
        actor=Actor("root-admin", Role.ADMIN),
        registry=soc.registry,
        agency="district-xitun",
        name="matrix",
        clock=soc.clock,
    )
    opened = []
    for route in sorted(r for r in CASES if r[1] != "/api/v1/ingest"):
        path, body, _expected = CASES[route]
        sent = json.loads(json.dumps(body).replace("{alert}", ids["alert"]))
        response = client.request(
            route[0], path.format(**ids), json=sent, headers={"Authorization": f"Bearer {token}"}
        )
        if response.status_code != 403:
            opened.append(f"{route}: {response.status_code} {response.text[:120]}")
    assert not opened, opened

"""English: what the pages say of an error: by its catalogue key (``err_<key>``,
core.i18n.messages.describe) and the error page's words (``error_*``)."""

EN_ERRORS: dict[str, str] = {
    "error_title": "Could not be done",
    "error_401": "Log in first.",
    "error_403": "Your role or agency may not do this.",
    "error_404": "Not found: the id may be mistyped, or it is not yours to see.",
    "error_405": "This address does not take that request; use the links and forms on the page.",
    "error_409": "Someone changed this meanwhile; reload the page and try again.",
    "error_422": "The input is not valid; correct it as described below and send it again.",
    "error_429": "Too many attempts; wait a moment and try again.",
    "error_500": "Internal error; quote the request id below to the administrator.",
    "error_503": "The service is unavailable for now; try again later.",
    "error_detail": "Detail",
    "error_back": "Back",
    "err_in_field": "{field}: {what}",
    "err_code_error": "Could not be done.",
    "err_code_invalid_input": "The input is not valid; correct it and send it again.",
    "err_code_invalid_config": "A setting is not valid; ask the administrator.",
    "err_code_unparsable_record": "The record cannot be parsed.",
    "err_code_invalid_rule": "A detection rule is not valid; ask the administrator.",
    "err_code_invalid_transition": "The incident's state does not allow this step.",
    "err_code_not_found": "Not found, or not yours to see.",
    "err_code_unauthenticated": "Log in first.",
    "err_code_rate_limited": "Too many attempts; wait a moment and try again.",
    "err_code_forbidden": "Your role or agency may not do this.",
    "err_code_conflict": "Someone changed this meanwhile; reload and try again.",
    "err_code_unavailable": "The service is unavailable for now; try again later.",
    "err_invalid_field": "{field}: the value is not valid; correct it and send it again.",
    "err_too_long": "{field}: at most {max} characters.",
    "err_not_visible": "No such {what}, or not one you may see.",
    "err_role_may_not": "The role {role} may not {right}.",
    "err_transition": "The incident is {state}: it cannot {step}.",
    "err_csrf": "The form expired or was not sent from this site's page; reload it and send again.",
    "err_login_failed": (
        "Wrong username or password (after {failures} failed logins an account is locked for "
        "{minutes} minutes)."
    ),
    "err_session_expired": "Your session expired; log in again.",
    "err_not_a_time": "{field}: not a time.",
    "err_in_future": "{field} {at} is in the future; a time on record cannot follow now.",
    "err_aware_after_notified": (
        "The time of awareness {at} is after the notification at {notified}; the agency was "
        "aware before it notified."
    ),
    "err_aware_before_occurred": "The time of awareness {at} is before the occurrence {occurred}.",
    "err_aware_reason": "Say why the agency was aware before now.",
    "err_correction_reason": "Say why {field} changes after the notification.",
    "err_suspected_no_awareness": "A suspected case has no awareness to correct; confirm it.",
    "err_describe_situation": "Describe the situation.",
    "err_state_measures": "State the measures taken.",
    "err_level_reason": "Say why the level changes.",
    "err_level_range": "The level must be 1 to 4 (got {level}).",
    "err_forward_to": "Say which competent authority the review result was sent to.",
    "err_forward_reference": "Give the platform's reference number or receipt.",
    "err_before_review": (
        "The time {at} is before the review at {reviewed}; the result is forwarded after it."
    ),
    "err_report_missing": "The investigation report is missing: {field}.",
    "err_dismiss_reason": "Say why this is a false positive.",
    "err_level_sensitive_2021": (
        "'Sensitive information' is a criterion of the 2021 text; under the current text "
        "choose 'official secret'."
    ),
    "err_level_which_affected": (
        "For a leak or tampering, choose the information involved or the system affected."
    ),
    "err_level_needs_system": "For an availability impact, choose the system affected.",
    "err_level_no_criterion": (
        "The answers meet no statutory criterion: describe at least one leak, tampering or "
        "availability impact."
    ),
    "err_file_no_name": "The file has no name.",
    "err_file_type": (
        "{name} is not a type accepted as evidence ({types}); put other files in a .zip."
    ),
    "err_file_misnamed": (
        "The content of {name} does not match its extension {ext}; name it {names}."
    ),
    "err_file_empty": "{name} is empty.",
    "err_file_too_big": (
        "{name} is {size} bytes; evidence files may be at most {max} bytes (split or compress it)."
    ),
    "err_file_attached": "This file is already attached to {incident}.",
    "err_fp_reason": "Say why these alerts are a false positive.",
    "err_select_alerts": "Select at least one alert.",
    "err_too_many_alerts": "{n} alerts selected; act on at most {max} at a time.",
    "err_not_an_assignee": "{name} is not an active account that may triage alerts.",
    "err_alert_in_incident": (
        "Alert {alert} is part of incident {incident}; dismiss the incident or leave the alert "
        "out of the selection."
    ),
    "err_one_agency": "An incident belongs to one agency; the selected alerts span several.",
    "err_other_agency_incident": "Incident {incident} belongs to another agency than the alerts.",
    "err_file_missing": "Choose the file to upload.",
    "err_ioc_empty": "An indicator cannot be empty.",
    "err_not_an_ioc": (
        "{value} is not an IP address, domain, URL, e-mail address or MD5/SHA-1/SHA-256 hash."
    ),
    "err_nothing_to_share": (
        "Nothing left to share: every indicator was withheld and the summary is empty."
    ),
    "error_invalid_transition": (
        "The incident's state does not allow this step now; go back to the incident and use the "
        "forms it offers."
    ),
    "err_ioc_line": (
        "IoC line {line} is not understood: write one per line as 'type value' "
        "(types: {types}) or the value alone."
    ),
    "err_notice_missing": (
        "Notice {number} does not exist: the incident has {count} notification(s)."
    ),
    "err_first_run_used": (
        "The one-time code was used already: the first administrator exists; log in."
    ),
    "err_first_run_void": (
        "The one-time code is void after {max} wrong tries; restart the server to print a new one."
    ),
    "err_first_run_expired": (
        "The one-time code has expired; restart the server to print a new one."
    ),
    "err_first_run_wrong": (
        "Wrong one-time code: copy it from the console where the server started."
    ),
    "err_first_run_no_code": (
        "This server printed no one-time code; create the administrator on the command line."
    ),
    "err_first_run_over": (
        "An account exists already: the first run is over; log in, or ask an "
        "administrator for an account."
    ),
    "err_username_form": "A username has 2-63 of a-z 0-9 . _ - and starts with a letter or digit.",
    "err_password_short": "A password has at least {min} characters.",
    "err_password_long": "A password has at most {max} characters.",
    "err_password_has_username": "The password must not contain the username.",
    "err_password_weak": (
        "The password is too easy to guess; a few unrelated words make a good one."
    ),
    "err_display_name_length": "A name has 1-{max} characters.",
    "err_display_name_control": "A name must not contain control characters.",
    "err_email_form": "The e-mail is not an address like name@agency.gov.tw.",
    "err_phone_form": "The phone is not a number like 04-2228-9111#123 or +886 912 345 678.",
    "err_not_a_person": (
        "That is no account that may see incident {incident}; name a person of its "
        "agency or the city SOC."
    ),
    "err_watch_others": (
        "You may only watch or unwatch for yourself; a lead adds or removes others."
    ),
    "err_comment_empty": "Write what has been done since the last update.",
    "err_no_task": "Incident {incident} has no such task.",
    "err_reopen_reason": "Say why the incident is reopened.",
    "err_account_agency": "A {role} belongs to one agency: choose it.",
    "err_user_exists": "That username is taken; choose another.",
    "err_no_user": "No such account.",
    "err_disable_self": "You cannot disable your own account.",
}

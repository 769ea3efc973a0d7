"""English: rule management — the catalogue (/rules), one rule, its exceptions, uploading
and previewing a rule, the noisy-rules view, and their errors."""

EN_RULES: dict[str, str] = {
    "rules_nav": "Rules",
    "rules_title": "Detection rules",
    "rules_intro": (
        "Every rule of the packs and every uploaded rule: level, status, ATT&CK techniques, "
        "whether it compiled, recent alerts and the time per run."
    ),
    "rules_pack": "Pack",
    "rules_level": "Level",
    "rules_status": "Sigma status",
    "rules_state": "State",
    "rules_technique": "ATT&CK technique",
    "rules_text": "Text (id, title, description)",
    "rules_state_enabled": "enabled",
    "rules_state_disabled": "disabled",
    "rules_state_broken": "does not compile",
    "rules_status_stable": "stable",
    "rules_status_test": "test",
    "rules_status_experimental": "experimental",
    "rules_status_deprecated": "deprecated",
    "rules_status_unsupported": "unsupported",
    "rules_id": "Rule id",
    "rules_name": "Title",
    "rules_compiled": "Compiled",
    "rules_compiled_ok": "yes",
    "rules_hits_24h": "Alerts 24 h",
    "rules_hits_7d": "Alerts 7 days",
    "rules_last_hit": "Last alert",
    "rules_time_per_run": "Time per run",
    "rules_ms": "{ms} ms",
    "rules_exceptions": "Exceptions in force",
    "rules_none": "none",
    "rules_empty": "No rule matches these filters; widen them.",
    "rules_links": "See also",
    "rules_noisy_title": "Noisy rules",
    "rules_noisy_intro": (
        "Rules by alerts per day, with the share dismissed as false positives, so a lead sees "
        "what to tune first."
    ),
    "rules_days": "Days",
    "rules_alerts": "Alerts",
    "rules_per_day": "Alerts per day",
    "rules_dismissed": "Dismissed",
    "rules_noisy_empty": "No alerts in this period.",
    "rules_new_title": "Upload a rule",
    "rules_new_intro": (
        "Paste one Sigma rule (YAML). Preview it first: a retro-hunt over the last days that "
        "lists the matching events and creates no alert. A saved rule stays disabled until "
        "someone enables it. Rules are kept in the store, never written to the server's disk."
    ),
    "rules_yaml": "Sigma rule (YAML)",
    "rules_preview_days": "Days back",
    "rules_preview": "Preview (no alerts)",
    "rules_save": "Save (disabled)",
    "rules_preview_result": (
        "{n} events of the last {days} days match this rule (no alert created)."
    ),
    "rules_preview_capped": "More than {n} events match; counting stopped there.",
    "rules_preview_none": "No event of the last {days} days matches this rule.",
    "rules_event": "Event",
    "rules_saved": "The rule is saved and disabled; enable it once the preview looks right.",
    "rules_description": "Description",
    "rules_tags": "Tags",
    "rules_source": "Source",
    "rules_error": "Why it does not compile",
    "rules_enable": "Enable rule",
    "rules_disable": "Disable rule",
    "rules_changed": "Updated.",
    "rules_read_only": (
        "You may read the rules; leads and administrators enable, disable, add exceptions and "
        "upload."
    ),
    "rules_exc_title": "Exceptions",
    "rules_exc_intro": (
        "Events an exception covers raise no alert for this rule. Scope it by agency, host, or "
        "field = value (every part given must hold); each has a reason, an owner and an "
        "expiry, after which it no longer applies."
    ),
    "rules_exc_agency": "Agency",
    "rules_exc_any_agency": "(any agency)",
    "rules_exc_host": "Host name",
    "rules_exc_field": "Field",
    "rules_exc_value": "Value",
    "rules_exc_reason": "Reason",
    "rules_exc_owner": "Owner (username; empty: you)",
    "rules_exc_expires": "Expires",
    "rules_exc_by": "Created by",
    "rules_exc_add": "Add exception",
    "rules_exc_remove": "Remove",
    "rules_exc_expired": "expired",
    "rules_exc_none": "This rule has no exceptions.",
    "rules_exc_added": "Exception added.",
    "rules_exc_removed": "Exception removed.",
    "rules_exceptions_per_agency": "Rule exceptions in force, by agency",
    "rules_exceptions_citywide": "Any agency",
    "action_rules.enable": "enable rule",
    "action_rules.disable": "disable rule",
    "action_rules.exception_add": "add rule exception",
    "action_rules.exception_remove": "remove rule exception",
    "action_rules.upload": "upload rule",
    "right_read_rules": "read rules",
    "right_manage_rules": "manage rules",
    "err_rules_unknown": "No such rule.",
    "err_rules_exception_scope": (
        "An exception needs a scope: an agency, a host, or a field and its value."
    ),
    "err_rules_exception_field": (
        "Give the field and the value together (e.g. user.name = backup-svc)."
    ),
    "err_rules_exception_agency": "No agency has this code; pick the agency from the list.",
    "err_rules_expiry_past": "The expiry must lie in the future.",
    "err_rules_level": "The level must be informational, low, medium, high or critical.",
    "err_rules_state": "The state must be enabled, disabled or broken.",
    "err_rules_technique": "The ATT&CK technique must be an id such as T1059 or T1059.001.",
    "err_rules_days": "{field} must be from 1 to {max} days.",
    "err_rules_invalid": "This is not a valid Sigma rule: {reason}",
    "err_rules_empty": "Paste a Sigma rule (YAML).",
    "err_rules_too_big": "A rule may have at most {max} bytes.",
    "err_rules_needs_id": "The rule needs an id: add a line such as id: {example}",
    "err_rules_id_taken": (
        "This id belongs to a rule of the packs: give the uploaded rule its own id."
    ),
    "err_rules_no_exception": "No such exception; it may have been removed.",
}

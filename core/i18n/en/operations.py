"""English: the operations pages that were command-line only (issue 16 item 7): dead
letters and their reprocessing."""

EN_OPERATIONS: dict[str, str] = {
    "right_reprocess_dead_letters": "reprocess records that could not be parsed",
    "action_deadletters.reprocess": "Dead letters reprocessed",
    "ops_nav_dead_letters": "Dead letters",
    "ops_dl_title": "Records that could not be parsed",
    "ops_dl_intro": (
        "Records that could not be parsed when collected, kept whole with the reason, "
        "source and receive time: nothing is lost. After a parser is fixed or a format "
        "added, reprocess them: what parses now is stored as an event (with the original "
        "record) and leaves this list; the rest stays with its new reason."
    ),
    "ops_dl_source": "Source (part of it)",
    "ops_dl_since": "Received from",
    "ops_dl_until": "Received until",
    "ops_dl_id": "No.",
    "ops_dl_position": "Position",
    "ops_dl_reason": "Reason",
    "ops_dl_record": "Record (start)",
    "ops_dl_bytes": "{n} bytes",
    "ops_dl_actions": "Actions",
    "ops_dl_reprocess": "Reprocess",
    "ops_dl_reprocess_all": "Reprocess all {n} selected",
    "ops_dl_reprocess_hint": "At most 10,000 a run; every run is in the audit trail.",
    "ops_dl_done": (
        "{examined} reprocessed: {stored} stored as events, {duplicates} already stored, "
        "{directives} W3C header lines, {still_failing} still not parsed (reason updated), "
        "{not_reprocessable} cannot be read again (truncated or EVTX chunks)."
    ),
    "ops_dl_left": "{left} more are selected: run it again.",
    "ops_dl_empty": "No dead letters: every record received was parsed.",
    "ops_dl_none_match": "No dead letters match the filters.",
    "ops_agency": "Agency",
    "ops_nav_assets": "Assets",
    "ops_assets_title": "Assets, scans and changes",
    "ops_scan_on": "Scanning is opt-in; {n} scan targets are enabled:",
    "ops_scan_scheduled": "(scanned on schedule)",
    "ops_scan_off": (
        "Scanning is opt-in and no scan target is enabled: no address is scanned. This page "
        "starts no scan."
    ),
    "ops_assets_per_agency": "Assets per agency",
    "ops_assets_count": "Assets",
    "ops_assets_up": "Hosts up",
    "ops_assets_ports": "Open ports",
    "ops_assets_core": "Core system",
    "ops_assets_ci": "Critical infrastructure",
    "ops_assets_empty": "No assets yet: hosts found by scans are listed here.",
    "ops_assets_list": "Assets",
    "ops_assets_address": "Address",
    "ops_assets_host": "Host name",
    "ops_assets_state": "State",
    "ops_assets_is_up": "up",
    "ops_assets_is_down": "not answering",
    "ops_assets_class": "Criticality",
    "ops_assets_open": "Open ports and services",
    "ops_assets_last_seen": "Last seen",
    "ops_scans_title": "Latest scans",
    "ops_scans_target": "Target",
    "ops_scans_started": "Started",
    "ops_scans_status": "Result",
    "ops_scans_error": "Why it failed",
    "ops_scan_ok": "done",
    "ops_scan_failed": "failed",
    "ops_scans_empty": "No scan has run yet.",
    "ops_changes_title": "Changes between scans",
    "ops_changes_kind": "Change",
    "ops_change_new_host": "new host",
    "ops_change_host_gone": "host gone",
    "ops_change_port_opened": "port opened",
    "ops_change_port_closed": "port closed",
    "ops_change_service_changed": "service changed",
    "ops_changes_empty": "No changes recorded yet.",
    "ops_nav_drills": "Drills",
    "ops_drills_title": "Cybersecurity drills",
    "ops_drills_intro": (
        "Record drills, submit their result reports, and see each agency's drill "
        "obligations for a year (drills required and held, result reports submitted within "
        "a month of the drill)."
    ),
    "ops_drills_year": "Year",
    "ops_drills_obligations": "Drill obligations per agency, {year}",
    "ops_drills_reports": "Result reports",
    "ops_drills_report_counts": "{met} on time, {missed} late, {overdue} overdue",
    "ops_drills_met": "Met",
    "ops_drills_yes": "met",
    "ops_drills_no": "not met",
    "ops_drills_held": "Drills held in {year}",
    "ops_drills_report_due": "Result report due",
    "ops_drills_submit": "Result report submitted",
    "ops_drills_empty": "No drill recorded this year.",
    "ops_drills_record": "Record a drill",
    "ops_drills_completed_at": "Completed at (Taipei time)",
    "ops_drills_opened": "Opened the mail",
    "ops_drills_clicked": "Clicked the link",
    "ops_drills_counts_hint": "Required for a social-engineering drill.",
    "ops_drills_recorded": "The drill is recorded.",
    "ops_drills_submitted": "The result report's submission is recorded.",
    "action_user.reset": "password reset",
    "action_user.role": "role changed",
    "action_token.grant": "API token issued for an account",
    "err_ops_role_self": (
        "You cannot change your own role (an administrator must remain who can undo it)."
    ),
    "err_ops_role_person": "That role is not for people.",
    "ops_users_reset": "Reset password",
    "ops_users_reset_done": (
        "The password of {username} is reset; hand over the one-time password below in "
        "person or over a safe channel:"
    ),
    "ops_users_role_title": "Change a role",
    "ops_users_role_change": "Change role",
    "ops_users_tokens_title": "API tokens",
    "ops_users_token_name": "Purpose (the program that uses it)",
    "ops_users_token_issue": "Issue token",
    "ops_users_token_done": "An API token is issued for {username}.",
    "ops_users_token_once": "The token is shown this once; only its hash is kept:",
    "ops_users_token_created": "Issued",
    "ops_users_token_used": "Last used",
    "ops_users_token_state": "State",
    "ops_users_token_active": "active",
    "ops_users_token_revoked": "revoked",
    "ops_users_token_revoke": "Revoke",
    "ops_users_tokens_empty": "No API token issued yet.",
    "ops_intel_text": "Indicator text (part of it)",
}

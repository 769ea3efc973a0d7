"""English: people and telling them: accounts on /users, the first run (/setup), profiles and
the messages outbox (/profile, /messages)."""

EN_PEOPLE: dict[str, str] = {
    "msg_nav_messages": "Messages",
    "msg_nav_profile": "Profile",
    "msg_profile_title": "Your profile",
    "msg_profile_intro": (
        "How to reach you (the reporter's details on the notification form) and the "
        "messages you want. You get none you did not tick."
    ),
    "msg_display_name": "Name",
    "msg_email": "E-mail",
    "msg_phone": "Phone",
    "msg_language": "Language of messages",
    "msg_kinds": "Messages to receive",
    "msg_save": "Save",
    "msg_saved": "Saved.",
    "msg_kind_clock_50": "Statutory clock half gone",
    "msg_kind_clock_80": "Statutory clock 80 % gone",
    "msg_kind_clock_due": "Statutory clock due",
    "msg_kind_clock_overdue": "Statutory clock overdue",
    "msg_kind_review_waiting": "Notification waiting for review (superior)",
    "msg_kind_critical_suspected": "New critical suspected case (on-duty analysts)",
    "msg_kind_mention": "Mentioned in a comment",
    "msg_outbox_title": "Messages sent and waiting",
    "msg_all": "All",
    "msg_status_pending": "Waiting",
    "msg_status_sent": "Sent",
    "msg_status_failed": "Failed",
    "msg_created": "Created",
    "msg_kind": "Kind",
    "msg_recipient": "Recipient",
    "msg_channel": "Channel",
    "msg_subject": "Subject",
    "msg_attempts": "Attempts",
    "msg_last_error": "Last error",
    "msg_next_attempt": "Next attempt",
    "msg_retry": "Send again",
    "first_run_title": "First run: create the first administrator",
    "first_run_intro": (
        "There is no account yet, and no default one. Create the first administrator "
        "here; administrators create every other account."
    ),
    "first_run_code_hint": (
        "The one-time code is printed on the console where {command} started; it works once."
    ),
    "first_run_code_expires": "It is valid until",
    "first_run_no_code": (
        "This server printed no one-time code; create the administrator on the command "
        "line of this host."
    ),
    "first_run_code": "One-time code",
    "first_run_display_name": "Name (display name)",
    "first_run_password_again": "Password again",
    "first_run_password_rule": (
        "At least 12 characters, not containing the username, and not easy to guess (a "
        "few unrelated words make a good password)."
    ),
    "first_run_create": "Create the administrator",
    "first_run_mismatch": "The two passwords differ; type them again.",
    "first_run_cli": "Or on the command line of this host:",
    "login_accounts": (
        "Accounts are created by an administrator; there are no default accounts or "
        "passwords. Ask an administrator for an account or a new password."
    ),
    "login_first_admin_created": (
        "The first administrator exists: log in with it. Administrators create the other "
        "accounts on this host, e.g.:"
    ),
    "users_nav": "Accounts",
    "users_title": "Accounts",
    "users_intro": (
        "People's accounts, roles and agencies. Accounts are never deleted (the audit trail "
        "names them), only disabled."
    ),
    "users_read_only": "You may see the accounts; only administrators create or change them.",
    "users_display_name": "Name",
    "users_role": "Role",
    "users_agency": "Agency",
    "users_email": "E-mail",
    "users_phone": "Phone",
    "users_disabled": "Disabled",
    "users_locked": "Locked until",
    "users_yes": "yes",
    "users_actions": "Actions",
    "users_disable": "Disable",
    "users_enable": "Enable",
    "users_unlock": "Unlock",
    "users_create_title": "Create an account",
    "users_agency_hint": "A reporter belongs to one agency; the other roles to none.",
    "users_agency_none": "(no single agency)",
    "users_password": "Initial password",
    "users_password_again": "Initial password again",
    "users_password_rule": (
        "At least 12 characters, not containing the username, and not easy to guess (a few "
        "unrelated words). Leave both empty to have one generated and shown once."
    ),
    "users_create": "Create account",
    "users_created": "Account {username} created.",
    "users_generated": "The generated initial password (shown only now; hand it over safely):",
    "users_changed": "Account {username} updated.",
    "users_mismatch": "The two initial passwords differ; type them again.",
}

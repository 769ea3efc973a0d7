"""English: the alert queue's filters, bulk assignment to a colleague, its CSV export, and
the event page's way back to its alerts (issue 16 item 6)."""

EN_QUEUE: dict[str, str] = {
    "queue_rule_hint": "part of the rule's id or title",
    "queue_host_hint": "part of the host name",
    "queue_colleague": "Colleague",
    "queue_choose": "Choose",
    "queue_assign_to": "Assign to colleague",
    "queue_done_assign_to": "Alerts assigned to a colleague",
    "queue_left_out": "Ticked alerts outside {agency} left alone: {n}",
    "queue_event_alerts": "Alerts on this event",
    "queue_event_no_alerts": "No alert you may see was raised on this event.",
    "queue_rule_alerts": "This rule's alerts",
    "queue_incident": "Incident",
    "queue_back_to_queue": "Back to the alert queue",
    "err_queue_choose_colleague": "Choose the colleague to assign the alerts to.",
    "err_queue_none_in_agency": (
        "None of the {n} ticked alerts belongs to the agency the queue is filtered on "
        "({agency}); tick that agency's alerts, or clear the agency filter."
    ),
}

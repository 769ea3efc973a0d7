"""English: source health (/sources) and the ATT&CK view (/attack), issue 16 items 3-4."""

EN_SOURCES: dict[str, str] = {
    "sources_nav": "Sources",
    "sources_title": "Source health",
    "sources_intro": (
        "Where events come from: a syslog sender, a file, a host or a collector. A source is "
        "silent once its last event is older than twice the interval expected of it, and "
        "then raises an alert in the queue (never an incident)."
    ),
    "sources_summary": "{silent} silent of {total} sources",
    "sources_empty": (
        "No events are stored yet, so there are no sources: send syslog to CitySOC or "
        "import a file with citysoc ingest."
    ),
    "sources_agency": "Agency",
    "sources_source": "Source",
    "sources_kind": "Kind",
    "sources_last_event": "Last event",
    "sources_quiet_for": "Quiet for",
    "sources_per_hour": "Events per hour (24 h)",
    "sources_day_chart": "Events per hour over the last 24 hours: {values}",
    "sources_dead_letters": "Dead-letter rate (24 h)",
    "sources_expected": "Expected interval",
    "sources_state": "State",
    "sources_silent": "Silent",
    "sources_sending": "Sending",
    "sources_all_agencies": "All agencies",
    "sources_sort": "Sort by",
    "sources_sort_silent": "silent first",
    "sources_sort_age": "quiet longest",
    "sources_sort_events": "busiest",
    "sources_sort_dead": "dead-letter rate",
    "sources_sort_source": "name",
    "sources_kind_syslog": "syslog sender",
    "sources_kind_file": "file",
    "sources_kind_host": "host",
    "sources_kind_collector": "collector",
    "sources_basis_learned": "learned",
    "sources_basis_configured": "configured",
    "sources_basis_sparse": "too few events to learn from",
    "sources_minutes": "{n} min",
    "sources_hours": "{n} h",
    "sources_days": "{n} d",
    "attack_nav": "ATT&CK",
    "attack_title": "ATT&CK view",
    "attack_intro": (
        "Alerts and incidents of the period by ATT&CK tactic and technique, from the tags "
        "of the rules that raised them. Darker cells hold more alerts."
    ),
    "attack_period": "Period",
    "attack_heatmap": "Tactics and techniques",
    "attack_table": "Techniques",
    "attack_tactic": "Tactic",
    "attack_technique": "Technique",
    "attack_alerts": "Alerts",
    "attack_incidents": "Incidents",
    # the Enterprise tactics (detections.attack.TACTICS)
    "attack_tactic_reconnaissance": "Reconnaissance",
    "attack_tactic_resource-development": "Resource Development",
    "attack_tactic_initial-access": "Initial Access",
    "attack_tactic_execution": "Execution",
    "attack_tactic_persistence": "Persistence",
    "attack_tactic_privilege-escalation": "Privilege Escalation",
    "attack_tactic_defense-evasion": "Defense Evasion",
    "attack_tactic_credential-access": "Credential Access",
    "attack_tactic_discovery": "Discovery",
    "attack_tactic_lateral-movement": "Lateral Movement",
    "attack_tactic_collection": "Collection",
    "attack_tactic_command-and-control": "Command and Control",
    "attack_tactic_exfiltration": "Exfiltration",
    "attack_tactic_impact": "Impact",
    "attack_no_tactic": "(no tactic)",
    "attack_untagged": "{n} alerts of the period carry no ATT&CK technique.",
    "attack_capped": "Only the first {n} alerts of the period are counted: narrow the period.",
    "attack_empty": "No alert of this period carries an ATT&CK technique.",
}

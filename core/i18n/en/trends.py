"""English: trends, the board's filters, alert grouping and merging duplicate cases
(issue 16 item 5)."""

EN_TRENDS: dict[str, str] = {
    "trends_nav": "Trends",
    "trends_title": "Alert and event trends",
    "trends_bucket": "Buckets",
    "trends_bucket_hour": "hourly",
    "trends_bucket_day": "daily",
    "trends_by": "Alerts by",
    "trends_by_agency": "agency",
    "trends_by_rule": "rule",
    "trends_by_severity": "severity",
    "trends_alerts_heading": "Alerts (by {by})",
    "trends_alerts_caption": "Alerts per bucket (by the matched event's time)",
    "trends_events_heading": "Log events received (by agency)",
    "trends_events_caption": "Log events per bucket",
    "trends_figures": "Figures as a table",
    "trends_bucket_start": "Bucket start (Taipei time)",
    "trends_total": "Total",
    "trends_other": "other",
    "trends_no_alerts": "No alerts in this period.",
    "trends_no_events": "No log events in this period.",
    "trends_top_rules": "Rules with the most alerts",
    "trends_top_hosts": "Hosts with the most alerts",
    "trends_rule": "Rule",
    "trends_host": "Host",
    "trends_alert_count": "Alerts",
    "err_trends_empty_period": "The period must start before it ends.",
    "err_trends_too_many_buckets": (
        "The period holds {count} buckets; a trend shows at most {limit}: "
        "choose a shorter period or daily buckets."
    ),
}

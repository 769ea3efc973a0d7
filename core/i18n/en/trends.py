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
    # the incident board's filters
    "board_search": "Search",
    "board_search_hint": "incident id or title",
    "board_level": "Level",
    "board_mine": "mine",
    "board_overdue_only": "overdue only",
    "board_sort": "Sort",
    "board_sort_newest": "newest opened",
    "board_sort_awareness": "awareness (latest first)",
    "board_sort_level": "level (highest first)",
    "board_sort_deadline": "next deadline (soonest first)",
    "board_clear": "clear the filters",
    "board_none_match": "No incident matches the filters.",
    # merging duplicate cases
    "merge_title": "Merge a duplicate case",
    "merge_help": (
        "Merge this case into another case of the same agency that is still being "
        "worked: the earliest awareness, every notification, evidence, comment and alert "
        "are kept; this case is closed and points at that one."
    ),
    "merge_into": "Merge into incident id",
    "merge_reason": "Why they are duplicates",
    "merge_submit": "Merge",
    "merge_merged_into": "This case was merged into",
    "merge_merged_from": "Cases merged into this one",
    "merge_done": "Merged.",
    "field_into": "merge into",
    "tl_merged_from": "merged from",
    "tl_merged_into": "merged into",
    "action_incident.merge": "merged into another case",
    "action_incident.merge_in": "duplicate case merged in",
    "err_merge_itself": "A case cannot be merged into itself.",
    "err_merge_other_agency": "Only duplicates of the same agency can be merged.",
    "err_merge_into_ended": (
        "The case to merge into has ended ({state}); reopen it first, or merge into a "
        "case still being worked."
    ),
    "err_merge_reason": "Say why the two cases are duplicates.",
    "err_merge_reason_long": "The reason has at most {limit} characters.",
}

"""English: event search (hunting): the page, its errors, saved searches."""

EN_SEARCH: dict[str, str] = {
    # errors of the query language ({position}: 1-based character)
    "err_search_expected_value": "Query, character {position}: a value is missing after the colon.",
    "err_search_unclosed_paren": "Query, character {position}: this “(” has no “)”.",
    "err_search_unopened_paren": "Query, character {position}: this “)” closes no “(”.",
    "err_search_expected_term": "Query, character {position}: a search term is missing here.",
    "err_search_misplaced_keyword": (
        "Query, character {position}: {word} needs a search term on each side."
    ),
    "err_search_unclosed_quote": 'Query, character {position}: the quote has no closing “"”.',
    "err_search_cidr_field": (
        "Query, character {position}: {field} is not an address field; CIDR works on fields "
        "such as source.ip (quote the value to search for the text)."
    ),
    "err_search_bad_cidr": (
        "Query, character {position}: “{value}” is not a network; write 10.0.0.0/8."
    ),
    "err_search_bad_number": (
        "Query, character {position}: {field}: “{value}” is not a number (ranges take "
        "numbers, or times on @timestamp and event.ingested)."
    ),
    "err_search_expected_to": "Query, character {position}: write a range as [low TO high].",
    "err_search_unclosed_range": "Query, character {position}: the range has no “]” or “}}”.",
    "err_search_expected_bound": "Query, character {position}: the range on {field} needs a value.",
    "err_search_bad_time": (
        "Query, character {position}: “{value}” is not a time; write 2026-01-01 or "
        "2026-01-01T08:00."
    ),
    "err_search_time_wildcard": (
        "Query, character {position}: {field} takes times, not wildcards."
    ),
    "err_search_empty_group": "Query, character {position}: the parentheses hold nothing.",
    "err_search_bad_field": "Query, character {position}: “{field}” is not a field name.",
    "err_search_dangling_escape": "Query, character {position}: a “\\” needs a character after it.",
    "err_search_too_long": "The query is longer than {limit} characters; shorten it.",
    "err_search_too_deep": "Query, character {position}: too many nested parentheses or NOTs.",
    "err_search_unexpected": "Query, character {position}: “{found}” is not understood here.",
    "err_search_bad_range": (
        "Query, character {position}: both ends of a range must be numbers, or both times."
    ),
    "err_search_range_values": (
        "{field} has more than {limit} distinct values in this time range; narrow the time "
        "range to search it by a range of numbers."
    ),
    "err_search_naive": "From and to need a time zone.",
    "err_search_empty_range": "The time range is empty: from must be before to.",
    "err_search_page_too_deep": (
        "Only the first {limit} events can be paged through; narrow the query or the time "
        "range, or export the results."
    ),
    "err_search_top_field": (
        "Cannot count the values of “{field}”: name a field such as host.name (times and the "
        "original record have no top values)."
    ),
    "err_search_sigma_not_group": (
        "Sigma cannot say NOT around several tests joined by AND; negate each test."
    ),
    "err_search_sigma_too_many": (
        "The query makes more than {limit} selections in Sigma; simplify it."
    ),
    "err_search_sigma_time_range": (
        "Sigma rules do not filter on time; drop the time range from the query."
    ),
    "err_search_sigma_not_word": "Sigma cannot negate a bare word; search it in a field.",
    "err_search_sigma_empty": "An empty query makes no rule.",
    "err_search_sigma_only_not": "A rule needs something to match, not only what to leave out.",
    "err_search_sigma_invalid": "pySigma refused the draft: {reason}",
    "err_search_saved_name": "Give the search a name of 1 to {limit} characters.",
    "err_search_saved_span": "The span is 1 hour to a year.",
    "err_search_saved_not_yours": (
        "Only {owner} (or an administrator) may delete this shared search."
    ),
    # the CSV export's headers
    "search_col_at_taipei": "Time (Taipei)",
    "search_col_event_id": "Event id",
    "search_col_agency": "Agency code",
    "search_col_dataset": "Dataset",
    "search_col_host": "Host",
    "search_col_original": "Original record",
    # the page (/search)
    "search_nav": "Search",
    "search_title": "Event search",
    "search_query": "Query",
    "search_from": "From",
    "search_to": "To",
    "search_run": "Search",
    "search_grammar": "Query language",
    "search_g_field": (
        "A field equals a value (case-insensitive; event.id, event.dataset and "
        "organization.id exactly)."
    ),
    "search_g_wildcard": "Wildcards: * any run of characters, ? exactly one.",
    "search_g_phrase": "A quoted phrase matches as written (* and ? inside are literal).",
    "search_g_bare": "A word without a field: the original record contains it.",
    "search_g_bool": "AND, OR, NOT (in capitals) and parentheses; terms side by side mean AND.",
    "search_g_range": (
        "Ranges of numbers: [a TO b] with both ends, curly braces without them; or > >= < <=."
    ),
    "search_g_time": (
        "Ranges of times (@timestamp, event.ingested); without a zone it is Taipei time, and a "
        "day alone means the whole day."
    ),
    "search_g_cidr": "A network (CIDR) on address fields such as source.ip.",
    "search_g_exists": "The field has a value.",
    "search_total": "{n} events",
    "search_histogram": "Events over time",
    "search_top": "Top values",
    "search_field": "Field",
    "search_show": "Show",
    "search_filter_by": "Add this value to the query",
    "search_no_values": "No matching event has this field.",
    "search_results": "Events",
    "search_export": "Export every match",
    "search_empty": "No event matches in this time range. Widen the query or the range.",
    "search_sigma": "Make this a Sigma rule",
    "search_jsonl": "JSON Lines",
    "search_sigma_open": "Open the draft in the rule editor",
    "search_saved": "Saved searches",
    "search_shared": "shared",
    "search_delete": "Delete",
    "search_no_saved": "No saved searches yet.",
    "search_name": "Name",
    "search_share": "Share with every colleague",
    "search_save": "Save this search",
    "search_notice_saved": "Search saved.",
    "search_notice_deleted": "Search deleted.",
}

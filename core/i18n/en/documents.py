"""English: the statutory documents an agency files (the 通報單 and the
incident's document list)."""

EN_DOCUMENTS: dict[str, str] = {
    "notice_kind": "Notice",
    "notice_number": "notice {n}",
    "filer": "Notified by",
    "filer_phone": "Phone",
    "filer_email": "E-mail",
    "not_given": "(not given)",
    "handler": "Officer in charge",
    "supervisor": "Head of unit",
    "signature": "Signature",
    "sign_date": "Date",
    "event_generic": "Cybersecurity",
    "reason_initial": "initial assessment",
    "reason_review": "changed in review",
    "reason_set_in_review": "set by the superior agency in review ({reason})",
    "docs_title": "Statutory documents",
    "docs_document": "Document",
    "docs_download": "Download",
    "docs_check": "Still missing",
    "docs_complete": "complete",
    "docs_not_yet": "not notified yet; made when notified",
    "event_name_hint": "Event name (you may edit it)",
    "iocs_entry": "IoCs (one per line: type value, or the value alone)",
    "iocs_types": "Types:",
}

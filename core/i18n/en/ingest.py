"""English: HTTP ingest for log shippers and its ingest tokens (issue 18 item 4)."""

EN_INGEST: dict[str, str] = {
    "err_ingest_token_elsewhere": (
        "An ingest token only sends events to POST /api/v1/ingest; use a person's API token "
        "for anything else."
    ),
    "err_ingest_token_required": (
        "POST /api/v1/ingest takes an agency's ingest token (not a person's, the operator's or "
        "a partner's); an administrator makes one with citysoc ingest-tokens create --agency CODE."
    ),
    "err_ingest_token_revoked": "This ingest token was revoked; ask the city SOC for a new one.",
    "err_ingest_token_agency": (
        "An ingest token names the agency its events belong to; choose one from the registry."
    ),
    "err_ingest_token_name": (
        "Name the token after the shipper that will use it (1 to {max} characters)."
    ),
}

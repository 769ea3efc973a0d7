"""Traditional Chinese (zh-TW): HTTP ingest for log shippers and its ingest tokens
(issue 18 item 4)."""

ZH_INGEST: dict[str, str] = {
    "err_ingest_token_elsewhere": (
        "收件權杖只能用於 POST /api/v1/ingest 傳送事件；其他功能請使用個人的 API 權杖。"
    ),
    "err_ingest_token_required": (
        "POST /api/v1/ingest 只接受機關的收件權杖（不接受個人、操作員或合作夥伴的權杖）；"
        "請管理者以 citysoc ingest-tokens create --agency 代碼 建立。"
    ),
    "err_ingest_token_revoked": "此收件權杖已撤銷，請向市府資安中心申請新的權杖。",
    "err_ingest_token_agency": "收件權杖必須指定事件所屬的機關，請從機關清單中選擇。",
    "err_ingest_token_name": "請以使用此權杖的收集程式命名（1 至 {max} 個字元）。",
}

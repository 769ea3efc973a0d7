"""Traditional Chinese (zh-TW): trends, the board's filters, alert grouping and merging
duplicate cases (issue 16 item 5)."""

ZH_TRENDS: dict[str, str] = {
    "trends_nav": "趨勢",
    "trends_title": "告警與事件趨勢",
    "trends_bucket": "時間單位",
    "trends_bucket_hour": "每小時",
    "trends_bucket_day": "每日",
    "trends_by": "告警分類",
    "trends_by_agency": "依機關",
    "trends_by_rule": "依規則",
    "trends_by_severity": "依嚴重程度",
    "trends_alerts_heading": "告警數（{by}）",
    "trends_alerts_caption": "各時段的告警數（依偵測到的事件時間）",
    "trends_events_heading": "收到的日誌事件數（依機關）",
    "trends_events_caption": "各時段的日誌事件數",
    "trends_figures": "數字表",
    "trends_bucket_start": "時段起點（臺北時間）",
    "trends_total": "合計",
    "trends_other": "其他",
    "trends_no_alerts": "此期間沒有告警。",
    "trends_no_events": "此期間沒有收到日誌事件。",
    "trends_top_rules": "告警最多的規則",
    "trends_top_hosts": "告警最多的主機",
    "trends_rule": "規則",
    "trends_host": "主機",
    "trends_alert_count": "告警數",
    "err_trends_empty_period": "期間的起點必須早於終點。",
    "err_trends_too_many_buckets": (
        "此期間有 {count} 個時段，趨勢最多顯示 {limit} 個：請縮短期間或改用每日。"
    ),
}

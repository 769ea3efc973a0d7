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
    # the incident board's filters
    "board_search": "搜尋",
    "board_search_hint": "事件編號或名稱",
    "board_level": "等級",
    "board_mine": "我負責的",
    "board_overdue_only": "只看逾期",
    "board_sort": "排序",
    "board_sort_newest": "最新開立",
    "board_sort_awareness": "知悉時間（新到舊）",
    "board_sort_level": "等級（高到低）",
    "board_sort_deadline": "下一個期限（近到遠）",
    "board_clear": "清除篩選",
    "board_none_match": "沒有符合篩選條件的事件。",
    # merging duplicate cases
    "merge_title": "合併重複案件",
    "merge_help": (
        "把本案併入同一機關另一個仍在處理中的案件：保留最早的知悉時間、"
        "所有通報、證據、留言與告警；本案將結案並指向該案件。"
    ),
    "merge_into": "併入案件編號",
    "merge_reason": "合併理由",
    "merge_submit": "合併",
    "merge_merged_into": "本案已併入",
    "merge_merged_from": "已併入本案的案件",
    "merge_done": "已合併。",
    "field_into": "併入案件編號",
    "tl_merged_from": "併入的案件",
    "tl_merged_into": "併入至",
    "action_incident.merge": "併入其他案件",
    "action_incident.merge_in": "合併重複案件",
    "err_merge_itself": "案件不能併入自己。",
    "err_merge_other_agency": "只能合併同一機關的重複案件。",
    "err_merge_into_ended": (
        "要併入的案件已經結束（{state}）；請先重新開啟，或併入仍在處理中的案件。"
    ),
    "err_merge_reason": "請說明為何這兩個案件重複。",
    "err_merge_reason_long": "合併理由最多 {limit} 字。",
}

"""Traditional Chinese (zh-TW): the alert queue's filters, bulk assignment to a colleague,
its CSV export, and the event page's way back to its alerts (issue 16 item 6)."""

ZH_QUEUE: dict[str, str] = {
    "queue_rule_hint": "規則編號或名稱的一部分",
    "queue_host_hint": "主機名稱的一部分",
    "queue_colleague": "同仁",
    "queue_choose": "請選擇",
    "queue_assign_to": "指派給同仁",
    "queue_done_assign_to": "已指派給同仁的告警數",
    "queue_left_out": "勾選中不屬於{agency}而未處理的告警數：{n}",
    "queue_event_alerts": "此事件觸發的告警",
    "queue_event_no_alerts": "此事件沒有你可檢視的告警。",
    "queue_rule_alerts": "此規則的告警",
    "queue_incident": "所屬事件",
    "queue_back_to_queue": "回告警佇列",
    "err_queue_choose_colleague": "請選擇要指派的同仁。",
    "err_queue_none_in_agency": (
        "勾選的 {n} 筆告警都不屬於篩選中的機關（{agency}）；請勾選該機關的告警，或清除機關篩選。"
    ),
}

"""Traditional Chinese (zh-TW): the operations pages that were command-line only (issue 16
item 7): dead letters and their reprocessing."""

ZH_OPERATIONS: dict[str, str] = {
    "right_reprocess_dead_letters": "重新解析無法解析之紀錄",
    "action_deadletters.reprocess": "重新解析無法解析之紀錄",
    "ops_nav_dead_letters": "無法解析紀錄",
    "ops_dl_title": "無法解析之紀錄",
    "ops_dl_intro": (
        "收集時無法解析的紀錄，連同原因、來源與收到時間完整保存，不會遺失。解析程式修正或新增"
        "格式後，可「重新解析」：可解析者存為事件紀錄（保留原始內容）並自此清單移除，"
        "其餘保留並更新原因。"
    ),
    "ops_dl_source": "來源（部分文字）",
    "ops_dl_since": "收到時間起",
    "ops_dl_until": "收到時間迄",
    "ops_dl_id": "編號",
    "ops_dl_position": "位置",
    "ops_dl_reason": "原因",
    "ops_dl_record": "原始紀錄（開頭）",
    "ops_dl_bytes": "共 {n} 位元組",
    "ops_dl_actions": "操作",
    "ops_dl_reprocess": "重新解析",
    "ops_dl_reprocess_all": "重新解析符合條件的全部 {n} 筆",
    "ops_dl_reprocess_hint": "每次最多處理一萬筆；每次執行均記入稽核軌跡。",
    "ops_dl_done": (
        "已重新解析 {examined} 筆：{stored} 筆存為事件紀錄、{duplicates} 筆先前已存在、"
        "{directives} 筆為網站記錄檔標頭列、{still_failing} 筆仍無法解析（已更新原因）、"
        "{not_reprocessable} 筆無法重讀（截斷，或 .evtx 檔之區塊）。"
    ),
    "ops_dl_left": "尚有 {left} 筆符合條件，請再執行一次。",
    "ops_dl_empty": "沒有無法解析之紀錄：收到的每筆紀錄皆已解析。",
    "ops_dl_none_match": "沒有符合篩選條件的紀錄。",
    "ops_agency": "機關",
    "ops_nav_assets": "資產與掃描",
    "ops_assets_title": "資產、掃描與異動",
    "ops_scan_on": "弱點掃描為選用功能，目前啟用 {n} 個掃描目標：",
    "ops_scan_scheduled": "（依排程自動掃描）",
    "ops_scan_off": (
        "弱點掃描為選用功能，目前未啟用任何掃描目標，不會掃描任何位址；本頁不會啟動掃描。"
    ),
    "ops_assets_per_agency": "各機關資產",
    "ops_assets_count": "資產數",
    "ops_assets_up": "上線主機",
    "ops_assets_ports": "開放埠數",
    "ops_assets_core": "核心資通系統",
    "ops_assets_ci": "關鍵基礎設施",
    "ops_assets_empty": "尚無資產：掃描後，發現的主機會列於此。",
    "ops_assets_list": "資產清單",
    "ops_assets_address": "位址",
    "ops_assets_host": "主機名稱",
    "ops_assets_state": "狀態",
    "ops_assets_is_up": "上線",
    "ops_assets_is_down": "未回應",
    "ops_assets_class": "重要性",
    "ops_assets_open": "開放埠與服務",
    "ops_assets_last_seen": "最後發現",
    "ops_scans_title": "最近的掃描",
    "ops_scans_target": "掃描目標",
    "ops_scans_started": "開始時間",
    "ops_scans_status": "結果",
    "ops_scans_error": "失敗原因",
    "ops_scan_ok": "完成",
    "ops_scan_failed": "失敗",
    "ops_scans_empty": "尚未執行任何掃描。",
    "ops_changes_title": "掃描間的異動",
    "ops_changes_kind": "異動",
    "ops_change_new_host": "新主機",
    "ops_change_host_gone": "主機消失",
    "ops_change_port_opened": "開放新埠",
    "ops_change_port_closed": "關閉埠",
    "ops_change_service_changed": "服務變更",
    "ops_changes_empty": "尚無異動紀錄。",
}

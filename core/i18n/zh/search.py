"""Traditional Chinese (zh-TW): event search (hunting): the page, its errors, saved searches."""

ZH_SEARCH: dict[str, str] = {
    # errors of the query language ({position}: 1-based character)
    "err_search_expected_value": "查詢語法第 {position} 字：冒號後面需要一個值。",
    "err_search_unclosed_paren": "查詢語法第 {position} 字：這個「(」沒有對應的「)」。",
    "err_search_unopened_paren": "查詢語法第 {position} 字：這個「)」沒有對應的「(」。",
    "err_search_expected_term": "查詢語法第 {position} 字：這裡少了一個搜尋條件。",
    "err_search_misplaced_keyword": "查詢語法第 {position} 字：{word} 的前後都需要搜尋條件。",
    "err_search_unclosed_quote": '查詢語法第 {position} 字：引號沒有結束的「"」。',
    "err_search_cidr_field": (
        "查詢語法第 {position} 字：{field} 不是"
        "位址欄位，網段只能用在位址欄位（要搜尋這段文字請加上引號）。"
    ),
    "err_search_bad_cidr": "查詢語法第 {position} 字：「{value}」不是網段，請寫成 10.0.0.0/8。",
    "err_search_bad_number": (
        "查詢語法第 {position} 字：{field} 的「{value}"
        "」不是數字（範圍只接受數字，時間欄位則接受時間）。"
    ),
    "err_search_expected_to": "查詢語法第 {position} 字：範圍請寫成 [下限 TO 上限]。",
    "err_search_unclosed_range": "查詢語法第 {position} 字：範圍缺少結尾的「]」或「}}」。",
    "err_search_expected_bound": "查詢語法第 {position} 字：{field} 的範圍需要一個值。",
    "err_search_bad_time": (
        "查詢語法第 {position} 字：「{value}」不是時間，請寫成 2026-01-01 或 2026-01-01T08:00。"
    ),
    "err_search_time_wildcard": "查詢語法第 {position} 字：{field} 只接受時間，不接受萬用字元。",
    "err_search_empty_group": "查詢語法第 {position} 字：括號裡沒有搜尋條件。",
    "err_search_bad_field": "查詢語法第 {position} 字：「{field}」不是欄位名稱。",
    "err_search_dangling_escape": "查詢語法第 {position} 字：「\\」後面需要一個字元。",
    "err_search_too_long": "查詢超過 {limit} 個字元，請縮短。",
    "err_search_too_deep": "查詢語法第 {position} 字：括號或 NOT 的層數過多。",
    "err_search_unexpected": "查詢語法第 {position} 字：無法理解「{found}」。",
    "err_search_bad_range": "查詢語法第 {position} 字：範圍的兩端必須同為數字或同為時間。",
    "err_search_range_values": (
        "{field} 在此時間範圍內有超過 {limit} 種不同的值，請縮小時間範圍後再以數字範圍搜尋。"
    ),
    "err_search_naive": "起訖時間需要時區。",
    "err_search_empty_range": "時間範圍是空的：起始時間必須早於結束時間。",
    "err_search_page_too_deep": "只能翻閱前 {limit} 筆事件，請縮小查詢或時間範圍，或匯出結果。",
    "err_search_top_field": (
        "無法統計「{field}」的常見值，請指定主機名稱等欄位（時間與原始紀錄沒有常見值）。"
    ),
    "err_search_sigma_not_group": (
        "偵測規則無法表達對多個以「且」相連條件的否定，請分別否定每個條件。"
    ),
    "err_search_sigma_too_many": "此查詢在偵測規則中會產生超過 {limit} 個選取條件，請簡化查詢。",
    "err_search_sigma_time_range": "偵測規則不以時間篩選，請自查詢中移除時間範圍。",
    "err_search_sigma_not_word": "偵測規則無法否定未指定欄位的字詞，請改在欄位中搜尋。",
    "err_search_sigma_empty": "空白查詢無法產生規則。",
    "err_search_sigma_only_not": "規則需要比對的條件，不能只有排除條件。",
    "err_search_sigma_invalid": "驗證程式拒絕此草稿：{reason}",
    "err_search_saved_name": "請為搜尋命名（1 至 {limit} 個字元）。",
    "err_search_saved_span": "時間範圍須為 1 小時至 1 年。",
    "err_search_saved_not_yours": "只有 {owner}（或系統管理者）可以刪除這個共用搜尋。",
    # the CSV export's headers
    "search_col_at_taipei": "時間（臺北）",
    "search_col_event_id": "事件編號",
    "search_col_agency": "機關代碼",
    "search_col_dataset": "資料集",
    "search_col_host": "主機",
    "search_col_original": "原始紀錄",
    # the page (/search)
    "search_nav": "事件搜尋",
    "search_title": "事件搜尋",
    "search_query": "查詢",
    "search_from": "起",
    "search_to": "迄",
    "search_run": "搜尋",
    "search_grammar": "查詢語法說明",
    "search_g_field": "欄位等於某值（不分大小寫；事件編號、資料集、機關代碼則須完全相同）。",
    "search_g_wildcard": "萬用字元：星號代表任意長度的字元，問號代表一個字元。",
    "search_g_phrase": "加上引號的片語，照字面比對（引號內的星號、問號不是萬用字元）。",
    "search_g_bare": "未指定欄位的字詞：搜尋原始紀錄中是否包含。",
    "search_g_bool": "且、或、非（關鍵字須大寫）與括號；兩個條件並列即為「且」。",
    "search_g_range": "數字範圍：方括號含兩端，大括號不含；亦可用大於、大於等於、小於、小於等於。",
    "search_g_time": "時間範圍（事件時間、收到時間）；未註明時區者為臺北時間，只寫日期表示整天。",
    "search_g_cidr": "網段，用於位址欄位（例如來源位址）。",
    "search_g_exists": "欄位有值。",
    "search_total": "共 {n} 筆事件",
    "search_histogram": "各時段事件數",
    "search_top": "常見值",
    "search_field": "欄位",
    "search_show": "顯示",
    "search_filter_by": "加入此值作為篩選條件",
    "search_no_values": "符合的事件中沒有此欄位。",
    "search_results": "事件",
    "search_export": "匯出全部結果",
    "search_empty": "此時間範圍內沒有符合的事件。請放寬查詢或時間範圍。",
    "search_sigma": "轉為偵測規則草稿",
    "search_jsonl": "JSON（每行一筆）",
    "search_sigma_open": "在規則編輯器中開啟草稿",
    "search_saved": "已儲存的搜尋",
    "search_shared": "共用",
    "search_delete": "刪除",
    "search_no_saved": "尚未儲存任何搜尋。",
    "search_name": "名稱",
    "search_share": "與所有同仁共用",
    "search_save": "儲存目前的搜尋",
    "search_notice_saved": "已儲存搜尋。",
    "search_notice_deleted": "已刪除搜尋。",
}

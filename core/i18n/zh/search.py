"""Traditional Chinese (zh-TW): event search (hunting): the page, its errors, saved searches."""

ZH_SEARCH: dict[str, str] = {
    # errors of the query language ({position}: 1-based character)
    "err_search_expected_value": "查詢語法第 {position} 字：「{field}:」後面需要一個值。",
    "err_search_unclosed_paren": "查詢語法第 {position} 字：這個「(」沒有對應的「)」。",
    "err_search_unopened_paren": "查詢語法第 {position} 字：這個「)」沒有對應的「(」。",
    "err_search_expected_term": "查詢語法第 {position} 字：這裡少了一個搜尋條件。",
    "err_search_misplaced_keyword": "查詢語法第 {position} 字：{word} 的前後都需要搜尋條件。",
    "err_search_unclosed_quote": '查詢語法第 {position} 字：引號沒有結束的「"」。',
    "err_search_cidr_field": (
        "查詢語法第 {position} 字：{field} 不是位址欄位，CIDR 只能用在 source.ip 等位址欄位"
        "（要搜尋這段文字請加上引號）。"
    ),
    "err_search_bad_cidr": "查詢語法第 {position} 字：「{value}」不是網段，請寫成 10.0.0.0/8。",
    "err_search_bad_number": (
        "查詢語法第 {position} 字：{field} 的「{value}」不是數字（範圍只接受數字，"
        "@timestamp 與 event.ingested 則接受時間）。"
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
        "無法統計「{field}」的常見值，請指定 host.name 等欄位（時間與原始紀錄沒有常見值）。"
    ),
    "err_search_sigma_not_group": "Sigma 無法表達對多個以 AND 相連條件的 NOT，請分別否定每個條件。",
    "err_search_sigma_too_many": "此查詢在 Sigma 中會產生超過 {limit} 個選取條件，請簡化查詢。",
    "err_search_sigma_time_range": "Sigma 規則不以時間（{field}）篩選，請自查詢中移除時間範圍。",
    "err_search_sigma_not_word": "Sigma 無法否定未指定欄位的字詞，請改在欄位中搜尋。",
    "err_search_sigma_empty": "空白查詢無法產生規則。",
    "err_search_sigma_only_not": "規則需要比對的條件，不能只有排除條件。",
    "err_search_sigma_invalid": "pySigma 拒絕此草稿：{reason}",
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
}

"""Traditional Chinese (zh-TW): the statutory documents an agency files (the 通報單 and the
incident's document list)."""

ZH_DOCUMENTS: dict[str, str] = {
    "notice_kind": "通報類別",
    "notice_number": "第{n}次通報",
    "filer": "通報人",
    "filer_phone": "通報人聯絡電話",
    "filer_email": "通報人電子郵件",
    "not_given": "（未提供）",
    "handler": "承辦人",
    "supervisor": "單位主管",
    "signature": "簽章",
    "sign_date": "日期",
    "event_generic": "資通安全",
    "reason_initial": "初次通報之等級評估",
    "reason_review": "上級機關審核時改定",
    "reason_set_in_review": "上級機關審核改定等級（{reason}）",
    "docs_title": "法定文件",
    "docs_document": "文件",
    "docs_download": "下載",
    "docs_check": "尚缺項目",
    "docs_complete": "已齊備",
    "docs_not_yet": "尚未通報，通報後產生",
    "event_name_hint": "事件名稱（可修改）",
    "iocs_entry": "入侵指標（每行一筆：類型 值，或只填值）",
    "iocs_types": "可用類型：",
}

"""Audit labels of loans, counts and the import (the lead moves them into the part's
register(app): Part.audit_labels / Part.object_labels)."""
AUDIT_LABELS = {
    "equipment_loan": "工具借出",
    "equipment_return": "工具归还",
    "equipment_import": "导入设备",
    "equipment_count_start": "开始设备盘点",
    "equipment_count_mark": "设备盘点记录",
    "equipment_count_close": "结束设备盘点",
}
OBJECT_LABELS = {"equipment_count": "设备盘点"}
NOTICE_KINDS = {"loan": "工具借用"}  # notices.rules.KIND_LABELS

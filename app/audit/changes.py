"""An audit record's before and after, as a person reads them: one row per field that
changed, the field's Chinese name, the values in words (是/否, 每日, 照片 …). Keys the
table does not know are shown as recorded."""
from typing import Any

FIELD_LABELS = {
    "name": "名称", "spec": "规格", "category": "类别", "unit": "单位", "decimals": "小数位", "min_stock": "最低库存",
    "active": "启用", "employed": "在职", "size_kind": "尺码", "title": "名称", "kind": "类型", "weekday": "星期", "month_day": "每月日期",
    "month_end": "月末", "month": "月份", "day": "日期", "due_time": "截止时间", "end_of_workday": "下班前",
    "working_days": "工作日", "duty_id": "对应职责", "sort_order": "顺序", "note": "备注", "period": "周期",
    "late": "补录", "values": "填写的数据", "qty": "数量", "supplier": "供应商", "employee": "员工",
    "username": "用户名", "display_name": "姓名", "is_admin": "管理员", "can_record_trainings": "可记录培训",
    "can_issue_supplies": "可发放物资", "can_manage_equipment": "可管理设备", "employee_no": "工号", "phone": "电话", "hire_date": "入职日期",
    "position": "岗位", "position_id": "岗位", "clothing_size": "服装尺码", "shoe_size": "鞋码", "target": "目标值",
    "target_dir": "目标方向", "min_value": "最小值", "max_value": "最大值", "label": "名称", "required": "必填",
    "choices": "选项", "term": "术语", "aliases": "别名", "explanation": "解释", "status": "状态", "topic": "主题",
    "held_on": "日期", "start_time": "开始", "end_time": "结束", "place": "地点", "trainer": "讲师",
    "organiser": "组织人", "content": "培训内容", "outcome": "培训效果", "score": "考核", "feedback": "反馈",
    "reason": "原因", "lines": "明细", "revision": "版本", "due_days": "入职后天数", "interval_months": "间隔（月）",
    "certificate": "证书", "course": "课程", "number": "编号", "issuer": "发证机构", "issued_on": "发证日期",
    "expires_on": "有效期至", "mentor": "带教师傅", "caption": "说明", "department": "部门", "url": "地址",
    "counted": "盘点数", "difference": "差异", "superior_ids": "直属上级", "subordinate_ids": "直属下级",
    "target_dir_label": "目标方向", "decision": "决定", "attendees": "人员",
    "for_whom": "点检对象", "for_whom_from": "点检对象更改生效日期",
    "asset_no": "资产编号", "model": "型号", "maker": "生产厂家", "serial_no": "出厂编号", "location": "位置",
    "quantity": "数量", "responsible": "负责人", "purchased_on": "购置日期", "needs_verification": "需要检定/校准",
    "verify_months": "检定周期（月）", "notes": "备注", "state": "状态", "date": "日期",
    "verified_on": "检定/校准日期", "result": "结论", "scan": "扫描件",
    # equipment loans, faults and counts; inspections
    "borrower": "借用人", "lent_on": "借出日期", "due_on": "预计归还", "returned_on": "归还日期", "condition": "归还状况",
    "missing": "缺失", "fault": "报修单", "description": "故障描述", "photos": "照片", "check": "点检",
    "repaired_by": "维修人", "repaired_on": "维修日期", "cost": "费用", "parts": "更换配件", "scope": "盘点范围",
    "expected": "应有", "lent": "借出中", "found": "在", "elsewhere": "在别处", "extra": "盘盈", "where": "找到位置",
    "differences": "差异", "register_changes": "台账更新", "version": "版本", "pass_mark": "合格线",
    "added": "新增项目", "removed": "删除项目", "passed": "合格", "findings": "发现问题",
    # onboarding sign-off
    "unfinished": "未完成的入职步骤", "signed_off_by": "上岗确认人", "signed_off_at": "上岗确认时间",
}
VALUE_LABELS = {
    "kind": {"daily": "每日", "weekly": "每周", "monthly": "每月", "yearly": "每年", "number": "数值", "count": "计数",
             "yesno": "是/否", "choice": "选项", "text": "短文本", "minutes": "会议纪要", "photo": "照片", "file": "文件",
             "signin": "签到表", "material": "资料"},
    "target_dir": {"ge": "不低于目标（≥）", "le": "不高于目标（≤）"},
    "for_whom": {"position": "岗位一次", "holder": "每位在岗人员各一次"},
    "size_kind": {"": "不分尺码", "clothing": "按服装尺码", "shoe": "按鞋码"},
    "status": {"planned": "计划中", "done": "已完成", "cancelled": "已取消", "pending": "待审批", "approved": "已批准",
               "rejected": "已驳回", "partial": "部分发放", "issued": "已发放", "signed": "已签到", "leave": "请假",
               "absent": "缺席"},
    "weekday": {0: "周一", 1: "周二", 2: "周三", 3: "周四", 4: "周五", 5: "周六", 6: "周日"},
}
WEEKDAYS = "一二三四五六日"


def _words(key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    labels = VALUE_LABELS.get(key)
    if labels is not None and value in labels:
        return labels[value]
    if key == "working_days" and isinstance(value, str) and value.isdigit():
        return "、".join("周" + WEEKDAYS[int(c)] for c in value if c in "0123456") or "—"
    if isinstance(value, dict):
        return "；".join(f"{FIELD_LABELS.get(k, k)}：{_words(k, v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "、".join(_words(key, v) for v in value)
    return str(value)


def change_rows(before: dict | None, after: dict | None) -> list[tuple[str, str, str]]:
    """(field, before, after) in words, for each key of either side."""
    before, after = before or {}, after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [("内容", _words("", before), _words("", after))]
    rows = []
    for k in dict.fromkeys([*before, *after]):
        lists = _long_lists(before.get(k), after.get(k))
        if lists is None:
            lists = (_words(k, before.get(k)) if k in before else "", _words(k, after.get(k)) if k in after else "")
        rows.append((FIELD_LABELS.get(k, k), *lists))
    return rows


def _long_lists(before, after) -> tuple[str, str] | None:
    """Two long lists of text (a position's duties before and after a revision): only what
    went and what came, not both texts whole, where one comma changed is lost; None for
    anything else."""
    if not (isinstance(before, list) and isinstance(after, list) and len(before) + len(after) > 6
            and all(isinstance(x, str) for x in before + after)):
        return None
    kept_after, kept_before = set(after), set(before)
    gone = [x for x in before if x not in kept_after]
    came = [x for x in after if x not in kept_before]
    if not gone and not came:
        return ("", "（仅调整顺序）" if before != after else "（无变化）")
    return ("删去：" + "；".join(gone) if gone else "", "新增：" + "；".join(came) if came else "")

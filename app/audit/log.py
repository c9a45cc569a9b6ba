"""The audit log: every state change calls record() in the same transaction."""
from datetime import date, datetime
from typing import Any, Optional

from flask import has_request_context, request
from flask_login import current_user

from app.audit.models import AuditEntry
from app.extensions import db

# Action codes and their Chinese labels, shown in the audit browser.
ACTION_LABELS = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出",
    "session_end": "结束登录",
    "webhook_add": "添加群机器人",
    "webhook_remove": "停用群机器人",
    "user_sessions_ended": "结束账号的全部登录",
    "password_change": "修改密码",
    "user_create": "创建账号",
    "user_update": "修改账号",
    "user_password_reset": "重置密码",
    "employee_create": "新增员工",
    "employee_update": "修改员工",
    "employee_import": "导入员工",
    "position_create": "新增岗位",
    "position_update": "修改岗位",
    "line_add": "新增汇报关系",
    "line_remove": "删除汇报关系",
    "seed_load": "载入手册数据",
    "read_confirm": "确认阅读",
    "position_revision": "修订岗位职责",
    "position_draft_adopted": "采用参考草稿",
    "glossary_create": "新增术语",
    "glossary_update": "修改术语",
    "checklist_tick": "点检勾选",
    "checklist_selfcheck": "点检自查",
    "checklist_return": "自查退回",
    "checklist_untick": "取消点检",
    "checklist_item_create": "新增点检项目",
    "checklist_item_update": "修改点检项目",
    "checklist_field_create": "新增点检字段",
    "requirement_create": "新增培训要求",
    "requirement_update": "修改培训要求",
    "onboarding_step_create": "新增入职步骤",
    "onboarding_step_update": "修改入职步骤",
    "certificate_create": "新增证书",
    "onboarding_update": "入职计划",
    "onboarding_step_done": "入职步骤完成",
    "onboarding_signoff": "上岗确认",
    "checklist_field_update": "修改点检字段",
    "supply_item_create": "新增物品",
    "supply_item_update": "修改物品",
    "stock_receipt": "入库",
    "stock_issue": "发放",
    "stock_return": "退回",
    "stock_count": "盘点",
    "stock_reversal": "冲销",
    "requisition_create": "提交申领",
    "requisition_approve": "批准申领",
    "requisition_reject": "驳回申领",
    "requisition_withdraw": "撤回申领",
    "entitlement_save": "设置发放标准",
    "training_create": "新建培训",
    "training_update": "修改培训",
    "training_attendees": "培训人员",
    "training_signin": "培训签到",
    "training_assess": "培训考核",
    "training_upload": "上传培训文件",
    "training_file_caption": "修改照片说明",
    "training_file_delete": "删除培训文件",
    "training_file_restore": "恢复培训文件",
    "training_category": "培训类别",
    "equipment_create": "登记设备",
    "equipment_update": "修改设备",
    "equipment_state": "设备状态变更",
    "equipment_verification": "设备检定/校准",
}

# Object types written by record() and their Chinese names (the filter of the audit
# browser lists these: a fixed table, not a DISTINCT over years of entries).
OBJECT_LABELS = {
    "user": "账号", "employee": "员工", "position": "岗位", "handbook": "岗位手册", "glossary": "术语",
    "checklist_item": "点检项目", "supply_item": "物品", "stock_entry": "台账记录", "issue_slip": "领用单",
    "requisition": "申领", "entitlement": "发放标准", "training": "培训", "training_category": "培训类别",
    "equipment": "设备工具",
}


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def record(
    action: str,
    object_type: str,
    object_id: Any = None,
    *,
    summary: str = "",
    before: Optional[dict] = None,
    after: Optional[dict] = None,
    user=None,
) -> AuditEntry:
    """Add an audit entry to the current transaction (flushed, not committed)."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    entry = AuditEntry(
        user_id=getattr(user, "id", None),
        actor=getattr(user, "username", None) or ("匿名" if has_request_context() else "系统"),
        ip=request.remote_addr if has_request_context() else None,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        summary=summary,
        before=_jsonable(before),
        after=_jsonable(after),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys whose values differ, for compact before/after records."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record_changes(action: str, object_type: str, object_id: Any, before: dict, after: dict,
                   *, summary: str = "") -> AuditEntry | None:
    """Record only the fields that changed between two snapshots; nothing if none did."""
    b, a = changes(before, after)
    if not a:
        return None
    return record(action, object_type, object_id, summary=summary, before=b, after=a)

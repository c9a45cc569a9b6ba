"""检查与整改: scored inspections (5S检查、厂家审核自查) from versioned templates, their
findings and the corrective actions (整改) closed with proof. The first part built the new
way: `register(app)` hands one Part to app.parts.add."""
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.inspections import actions, demo, desk, inspecting, routes, templates
from app.inspections.models import CorrectiveAction, Inspection
from app.parts import NavEntry, NoticeRule, Part, add

AUDIT_LABELS = {
    "inspection_template_create": "载入检查模板",
    "inspection_template_version": "修改检查模板",
    "inspection_template_active": "停用/恢复检查模板",
    "inspection_start": "开始检查",
    "inspection_answer": "检查作答",
    "inspection_photo": "检查拍照",
    "inspection_photo_delete": "删除检查照片",
    "inspection_submit": "提交检查",
    "inspection_reopen": "退回检查",
    "inspection_delete": "删除检查草稿",
    "inspection_action_assign": "下达整改",
    "inspection_action_done": "整改完成",
    "inspection_action_close": "整改验证关闭",
    "inspection_action_reopen": "整改退回",
    "inspection_action_cancel": "取消整改",
    "inspection_action_reassign": "改派整改",
}
OBJECT_LABELS = {"inspection_template": "检查模板", "inspection": "检查", "inspection_action": "整改"}


def _bench_pages() -> list[tuple[str, str]]:
    insp = db.session.scalar(select(Inspection.id).order_by(Inspection.id.desc()).limit(1))
    action = db.session.scalar(select(CorrectiveAction.id).order_by(CorrectiveAction.id.desc()).limit(1))
    pages = [("inspections", "/inspections/"), ("inspection actions", "/inspections/actions"),
             ("inspection trend", "/inspections/trend?area=workshop")]
    if insp:
        pages.append(("inspection", f"/inspections/{insp}"))
    if action:
        pages.append(("inspection action", f"/inspections/actions/{action}"))
    return pages


def shipped_templates() -> list[str]:
    made = templates.load_shipped()
    return [f"检查模板：载入示例模板 {len(made)} 个。"] if made else []


def stored_files() -> dict[str, set[str]]:
    """The inspections' and actions' photos (InspectionPhoto rows)."""
    return {inspecting.SUB: inspecting.referenced_keys()}


def register(app: Flask) -> None:
    add(app, Part(
        name="inspections",
        blueprint=routes.bp,
        audit_labels=AUDIT_LABELS,
        object_labels=OBJECT_LABELS,
        nav=(NavEntry("检查整改", "inspections.index", order=65, tile="5S检查、厂家审核自查与整改闭环"),),
        workspace=desk.BLOCKS,
        notices=(NoticeRule("inspection_overdue", "逾期整改", actions.overdue_notices),),
        notice_kinds={"inspection": "整改"},
        seed=shipped_templates,
        uploads=stored_files,
        demo=demo.seed,
        demo_order=90,
        bench_pages=_bench_pages,
        on_leave=actions.open_for_leaver,
    ))

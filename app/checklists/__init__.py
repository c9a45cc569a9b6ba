"""岗位点检表: recurring duties of a position (once for the position, for each holder),
self-checks, confirmations, figures and photos, month grids and print-outs."""
from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from app.checklists import demo, desk, notices, routes, templating
from app.checklists.fields import SUB as FIELD_FILES
from app.checklists.models import ChecklistField, ChecklistItem, ChecklistValue
from app.checklists.seed import add_items
from app.extensions import db
from app.handbook.drafts import draft_checklist
from app.parts import Job, NavEntry, NoticeRule, Part, WorkspaceBlock, add, busiest

AUDIT_LABELS = {
    "checklist_tick": "点检勾选",
    "checklist_selfcheck": "点检自查",
    "checklist_return": "自查退回",
    "checklist_untick": "取消点检",
    "checklist_item_create": "新增点检项目",
    "checklist_item_update": "修改点检项目",
    "checklist_field_create": "新增点检字段",
    "checklist_field_update": "修改点检字段",
}


def add_draft_items(position, entries: list[dict]) -> int:
    """An adopted reference draft's checklist items (handbook.drafts.draft_checklist)."""
    return add_items(entries)


def stored_files() -> dict[str, set[str]]:
    """Photos and files of ticks (soft-deleted values too: they can be restored)."""
    return {FIELD_FILES: set(db.session.scalars(select(ChecklistValue.file_key).where(
        ChecklistValue.file_key.is_not(None))))}


def bench_pages() -> list[tuple[str, str]]:
    grid = busiest(ChecklistItem.position_id, ChecklistItem.active.is_(True))
    fields_item = db.session.scalar(select(func.min(ChecklistField.item_id)))
    return [("board", "/checklists/"), ("overdue", "/checklists/overdue"), ("grid", f"/checklists/positions/{grid}"),
            ("results", f"/checklists/items/{fields_item}/results")]


def bench_exports() -> list[tuple[str, str]]:
    grid = busiest(ChecklistItem.position_id, ChecklistItem.active.is_(True))
    with_fields = db.session.scalar(select(ChecklistItem.position_id).join(ChecklistField)
                                    .order_by(ChecklistItem.id).limit(1))
    return [("checklist month.pdf", f"/checklists/positions/{grid}/month.pdf"),
            ("checklist month.csv", f"/checklists/positions/{with_fields}/month.csv"),
            ("checklist month.xlsx", f"/checklists/positions/{with_fields}/month.xlsx")]


def register(app: Flask) -> None:
    draft_checklist.connect(add_draft_items)  # once per process: blinker keeps one connection per receiver
    add(app, Part(
        "checklists", blueprint=routes.bp, demo=demo.demo, demo_order=20, uploads=stored_files,
        bench_pages=bench_pages, bench_exports=bench_exports,
        audit_labels=AUDIT_LABELS, object_labels={"checklist_item": "点检项目"},
        nav=(NavEntry("点检表", "checklists.index", order=30, tile="今日、本周、本月的点检项目"),),
        workspace=(
            WorkspaceBlock("checklists.review", "checklists/_ws_review.html", desk.self_checks_to_review, 10, "todo"),
            WorkspaceBlock("checklists.overdue", "checklists/_ws_overdue.html", desk.overdue_by_position, 30, "todo"),
            WorkspaceBlock("checklists.mine", "checklists/_ws_mine.html", desk.my_checklist, 60),
        ),
        notices=(NoticeRule("overdue", "逾期点检", notices.overdue),),
        notice_kinds={"overdue": "点检逾期", "selfcheck": "自查", "reminder": "点检提醒"},
        jobs=(Job("checklist-reminders", timedelta(minutes=5), notices.reminders_job),),
        template_globals=templating.TEMPLATE_GLOBALS,
        position_panels=("checklists/_position_panel.html",),
        employee_panels=("checklists/_employee_panel.html",),
    ))

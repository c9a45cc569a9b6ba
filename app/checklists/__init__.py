"""岗位点检表: recurring duties of a position (once for the position, for each holder),
self-checks, confirmations, figures and photos, month grids and print-outs."""
from datetime import timedelta

from flask import Flask

from app.checklists import demo, desk, notices, routes, templating
from app.jobs.schedule import Job
from app.parts import NavEntry, NoticeRule, Part, WorkspaceBlock, add

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


def register(app: Flask) -> None:
    add(app, Part(
        "checklists", demo=demo.demo, demo_order=20, blueprint=routes.bp,
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

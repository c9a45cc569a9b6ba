"""What the checklist templates (board rows, grid, print-outs, panels of other pages) call."""
from datetime import time

from flask import g
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.checklists import grid_html, targets
from app.checklists.fields import (FILE_ACCEPT, UPLOAD_KINDS, active_fields, attendee_choices, display, fault_points,
                                   flag, fmt_number, summarize)
from app.checklists.grid import month_grid
from app.checklists.models import ChecklistItem
from app.checklists.results import photo_pages
from app.checklists.schedule import ALL_DAYS, Rule, describe
from app.checklists.seed import date_is_default

GROUP_LABELS = {"daily": "今日", "weekly": "本周", "monthly": "本月", "yearly": "本年"}
STATE_LABELS = {"done": "已完成", "open": "待完成", "overdue": "已逾期", "not_yet_due": "未到期"}


def checklist_items_for(position):
    """The position's active items, for its handbook page: titles and rhythms only, so
    without the fields and target changes the board loads with them."""
    return db.session.scalars(select(ChecklistItem).where(ChecklistItem.position_id == position.id,
                                                          ChecklistItem.active.is_(True))
                              .order_by(ChecklistItem.sort_order, ChecklistItem.id)).all()


def checklist_describe(item):
    return describe(item.rule(), clock.workday_end())


def checklist_record(employee):
    """This month's record of the employee's own occurrences (items for each holder of
    his position): per item, done and due so far, and the rate."""
    if employee.position is None:
        return None
    now = clock.local_now()
    grid = month_grid(employee.position, now.year, now.month, now, person=employee.id)
    rows = [r for r in grid["rows"] if r["subject"].id == employee.id]
    if not rows:
        return None
    due, done = sum(r["due"] for r in rows), sum(r["done"] for r in rows)
    return {"rows": rows, "due": due, "done": done, "rate": (done / due) if due else None,
            "year": now.year, "month": now.month}


def ck_has_uploads(item):
    return any(f.kind in UPLOAD_KINDS for f in active_fields(item))


def ck_attendees(item):
    """(employee id, name) of the active employees of the item's position, once per
    position and request."""
    memo = g.setdefault("ck_attendees", {})
    if item.position_id not in memo:
        memo[item.position_id] = attendee_choices(item.position_id)
    return memo[item.position_id]


def ck_num(value, decimals=0):
    return fmt_number(value, decimals or 0)


def ck_fault_points(item, values):
    """The yes/no points answered 否 whose 否 is a fault (an equipment line offers 报修)."""
    return fault_points(item, values) if values else []


def draft_rhythm(entry: dict) -> str:
    """A reference draft's checklist entry's rhythm in words (每天08:30前, 每周五下班前 …),
    for the handbook's draft preview."""
    due = entry.get("due_time")
    rule = Rule(kind=entry["kind"], weekday=entry.get("weekday"),
                month_day=entry.get("day") if entry["kind"] == "monthly" else None,
                month_end=bool(entry.get("month_end")), month=entry.get("month"),
                day=entry.get("day") if entry["kind"] == "yearly" else None,
                due_time=time.fromisoformat(due) if due else None,
                end_of_workday=bool(entry.get("end_of_workday")), working_days=ALL_DAYS)
    return describe(rule, clock.workday_end())


TEMPLATE_GLOBALS = {
    "draft_rhythm": draft_rhythm,
    "checklist_items_for": checklist_items_for, "checklist_describe": checklist_describe,
    "checklist_date_is_default": date_is_default, "checklist_record": checklist_record,
    "checklist_group_labels": GROUP_LABELS, "checklist_state_labels": STATE_LABELS,
    # Helpers for item fields.
    "ck_fields": active_fields, "ck_has_uploads": ck_has_uploads, "ck_attendees": ck_attendees,
    "ck_num": ck_num, "ck_flag": flag, "ck_display": display, "ck_summary": summarize, "ck_grid_cells": grid_html.cells,
    "ck_file_accept": lambda: FILE_ACCEPT, "ck_photo_pages": photo_pages,
    # Items for each piece of equipment: the failed points, the selection in words.
    "ck_fault_points": ck_fault_points, "ck_thing_scope": targets.describe,
}

"""The checklist part's blocks of 我的工作台: my position's items, and for supervisors the
self-checks to review and what is overdue."""
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, func, select

from app.auth.models import User
from app.checklists.board import board, overdue_summary
from app.checklists.marks import ACCOUNT_NAME
from app.checklists.models import ChecklistItem, ChecklistMark
from app.checklists.schedule import OPEN, OVERDUE
from app.database import statement
from app.extensions import db
from app.org.models import Position
from app.parts import Desk, Listing, SHOW
from app.permissions import is_supervisor, supervised_position_ids
from app.staff.models import Employee


def my_checklist(desk: Desk) -> dict | None:
    """My position's items today / this week / this month, with their state: None for
    someone without an employee record; {} when the position has nothing to check."""
    if desk.employee is None:
        return None
    return _my_section(desk.user, desk.now) or {}


def _my_section(user, now: datetime) -> dict | None:
    position = user.position
    if position is None:
        return None
    sections = board(user, now.date(), now, only=position.id)
    if not sections:
        return None
    section = sections[0]
    # An item for each holder: my own line; for each piece of equipment: the item's group,
    # one line that counts its pieces and names the overdue ones (not a line per lift).
    for kind, entries in section["groups"].items():
        section["groups"][kind] = [x for e in entries
                                   for x in ([e] if not hasattr(e, "rows") or e.things else e.rows)
                                   if getattr(x, "things", False) or x.subject.id in (0, user.employee_id)]
    # Is any of them due now? If not (a monthly item before its day), 去自查 opens 全部 of his
    # position: 未完成, a supervisor's first tab, leaves out what is not due yet.
    section["due_now"] = any(not x.finished if getattr(x, "things", False) else x.state in (OPEN, OVERDUE)
                             for entries in section["groups"].values() for x in entries)
    return section


def overdue_by_position(desk: Desk) -> Listing | None:
    """Overdue items in the positions I supervise: a count per position, newest first."""
    if not is_supervisor(desk.user):
        return None
    groups = overdue_summary(desk.user, desk.now, current_app.config["CHECKLIST_OVERDUE_DAYS"])
    return Listing(groups, sum(g["count"] for g in groups))


def self_checks_to_review(desk: Desk) -> Listing | None:
    """Self-checks (待核查) of the positions I supervise, oldest first: what the card
    shows as plain rows (position, item, who checked, when) and how many there are in all,
    in one statement (the total as a window count over the same rows)."""
    user = desk.user
    if not is_supervisor(user):
        return None
    rows = db.session.execute(_to_review(user.is_admin),
                              {"positions": sorted(supervised_position_ids(user))}).all()
    return Listing(rows, rows[0].total if rows else 0)


@statement
def _to_review(every_position: bool):
    stmt = (select(ChecklistMark.item_id, ChecklistMark.period_key, ChecklistMark.subject_id, ChecklistMark.self_at,
                   ChecklistMark.self_note, ChecklistItem.position_id, ChecklistItem.title.label("item_title"),
                   Position.title.label("position_title"),
                   ACCOUNT_NAME.label("checker"),
                   func.count().over().label("total"))
            .join(ChecklistItem, ChecklistItem.id == ChecklistMark.item_id)
            .join(Position, Position.id == ChecklistItem.position_id)
            .outerjoin(User, User.id == ChecklistMark.self_by_id)
            .outerjoin(Employee, Employee.id == User.employee_id)
            .where(ChecklistMark.review == "pending", ChecklistMark.done == False,  # noqa: E712
                   ChecklistItem.active.is_(True)))
    if not every_position:
        stmt = stmt.where(ChecklistItem.position_id.in_(bindparam("positions", expanding=True)))
    return stmt.order_by(ChecklistMark.self_at, ChecklistMark.id).limit(SHOW)

"""What the inspection part offers the workspace (我的工作台): the actions a person must
do (a card of its own), and those waiting for him to verify and those overdue in the areas
he oversees (in 待我处理). Each build(desk) returns what its template shows,
or None to leave the block out."""
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from app.extensions import db
from app.inspections import templates as tpl
from app.inspections.models import DONE, OPEN, CorrectiveAction, Inspection
from app.parts import Desk, WorkspaceBlock
from app.permissions import may_inspect_area

SHOWN = 8


@dataclass
class ActionList:
    rows: list
    total: int
    today: object


def my_actions(desk: Desk) -> ActionList | None:
    """整改 given to the user (his employee record), open, the earliest due first."""
    if desk.employee is None:
        return None
    rows = list(db.session.scalars(select(CorrectiveAction).where(
        CorrectiveAction.assignee_id == desk.employee.id, CorrectiveAction.state == OPEN)
        .options(joinedload(CorrectiveAction.inspection)).order_by(CorrectiveAction.due_on).limit(50)))
    return ActionList(rows[:SHOWN], len(rows), desk.today) if rows else None


def to_verify(desk: Desk) -> ActionList | None:
    """整改 done and waiting for verification by the user: those he assigned or whose
    inspection he did, or any in an area he may inspect (admin: all); never his own. One
    query (a bounded list)."""
    user = desk.user
    stmt = (select(CorrectiveAction).join(Inspection, CorrectiveAction.inspection_id == Inspection.id)
            .where(CorrectiveAction.state == DONE)
            .options(contains_eager(CorrectiveAction.inspection), joinedload(CorrectiveAction.assignee)))
    if not user.is_admin:
        keys = [a.key for a in tpl.areas().values() if may_inspect_area(user, a)]
        stmt = stmt.where(or_(CorrectiveAction.created_by_id == user.id, Inspection.inspector_id == user.id,
                              Inspection.area_key.in_(keys)))
    if user.employee_id is not None:
        stmt = stmt.where(CorrectiveAction.assignee_id != user.employee_id)
    rows = list(db.session.scalars(stmt.order_by(CorrectiveAction.due_on, CorrectiveAction.id).limit(200)))
    return ActionList(rows[:SHOWN], len(rows), desk.today) if rows else None


def overdue_actions(desk: Desk) -> ActionList | None:
    """整改 past their due date and still open in the areas the user may inspect, i.e. of
    the positions he supervises (the department manager and admin: every area), whoever
    they are given to; his own are in 我的整改. The first rows and their number in one
    statement (a window count), however many there are."""
    user = desk.user
    if not user.is_admin:
        keys = [a.key for a in tpl.areas().values() if may_inspect_area(user, a)]
        if not keys:
            return None
    stmt = (select(CorrectiveAction, func.count().over())
            .join(Inspection, CorrectiveAction.inspection_id == Inspection.id)
            .where(CorrectiveAction.state == OPEN, CorrectiveAction.due_on < desk.today)
            .options(contains_eager(CorrectiveAction.inspection), joinedload(CorrectiveAction.assignee)))
    if not user.is_admin:
        stmt = stmt.where(Inspection.area_key.in_(keys))
    if user.employee_id is not None:
        stmt = stmt.where(CorrectiveAction.assignee_id != user.employee_id)
    found = db.session.execute(stmt.order_by(CorrectiveAction.due_on, CorrectiveAction.id).limit(SHOWN)).all()
    return ActionList([a for a, _ in found], found[0][1], desk.today) if found else None


BLOCKS = (
    WorkspaceBlock("inspections.actions_mine", "inspections/_ws_actions_mine.html", my_actions, order=45),
    WorkspaceBlock("inspections.actions_verify", "inspections/_ws_actions_verify.html", to_verify, order=31,
                   card="todo"),
    WorkspaceBlock("inspections.actions_overdue", "inspections/_ws_actions_overdue.html", overdue_actions, order=32,
                   card="todo"),
)

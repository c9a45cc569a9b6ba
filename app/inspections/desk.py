"""What the inspection part offers the workspace (我的工作台): the actions a person must
do (a card of its own), and those waiting for him to verify and those overdue in the areas
he oversees (in 待我处理). Each build(desk) returns what its template shows,
or None to leave the block out."""
from dataclasses import dataclass

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from app.database import statement
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
    rows = list(db.session.scalars(_given_to(), {"assignee": desk.employee.id}))
    return ActionList(rows[:SHOWN], len(rows), desk.today) if rows else None


@statement
def _given_to():
    return (select(CorrectiveAction)
            .where(CorrectiveAction.assignee_id == bindparam("assignee"), CorrectiveAction.state == OPEN)
            .options(joinedload(CorrectiveAction.inspection)).order_by(CorrectiveAction.due_on).limit(50))


def to_verify(desk: Desk) -> ActionList | None:
    """整改 done and waiting for verification by the user: those he assigned or whose
    inspection he did, or any in an area he may inspect (admin: all); never his own. One
    query (a bounded list)."""
    user = desk.user
    keys = [] if user.is_admin else [a.key for a in tpl.areas().values() if may_inspect_area(user, a)]
    rows = list(db.session.scalars(_done_to_verify(user.is_admin, user.employee_id is not None),
                                   {"user": user.id, "areas": keys, "employee": user.employee_id}))
    return ActionList(rows[:SHOWN], len(rows), desk.today) if rows else None


@statement
def _done_to_verify(every_area: bool, has_employee: bool):
    stmt = (select(CorrectiveAction).join(Inspection, CorrectiveAction.inspection_id == Inspection.id)
            .where(CorrectiveAction.state == DONE)
            .options(contains_eager(CorrectiveAction.inspection), joinedload(CorrectiveAction.assignee)))
    if not every_area:
        stmt = stmt.where(or_(CorrectiveAction.created_by_id == bindparam("user"),
                              Inspection.inspector_id == bindparam("user"),
                              Inspection.area_key.in_(bindparam("areas", expanding=True))))
    if has_employee:  # never his own
        stmt = stmt.where(CorrectiveAction.assignee_id != bindparam("employee"))
    return stmt.order_by(CorrectiveAction.due_on, CorrectiveAction.id).limit(200)


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
    found = db.session.execute(_overdue(user.is_admin, user.employee_id is not None),
                               {"today": desk.today, "areas": [] if user.is_admin else keys,
                                "employee": user.employee_id}).all()
    return ActionList([a for a, _ in found], found[0][1], desk.today) if found else None


@statement
def _overdue(every_area: bool, has_employee: bool):
    stmt = (select(CorrectiveAction, func.count().over())
            .join(Inspection, CorrectiveAction.inspection_id == Inspection.id)
            .where(CorrectiveAction.state == OPEN, CorrectiveAction.due_on < bindparam("today"))
            .options(contains_eager(CorrectiveAction.inspection), joinedload(CorrectiveAction.assignee)))
    if not every_area:
        stmt = stmt.where(Inspection.area_key.in_(bindparam("areas", expanding=True)))
    if has_employee:  # his own are in 我的整改
        stmt = stmt.where(CorrectiveAction.assignee_id != bindparam("employee"))
    return stmt.order_by(CorrectiveAction.due_on, CorrectiveAction.id).limit(SHOWN)


BLOCKS = (
    WorkspaceBlock("inspections.actions_mine", "inspections/_ws_actions_mine.html", my_actions, order=45),
    WorkspaceBlock("inspections.actions_verify", "inspections/_ws_actions_verify.html", to_verify, order=31,
                   card="todo"),
    WorkspaceBlock("inspections.actions_overdue", "inspections/_ws_actions_overdue.html", overdue_actions, order=32,
                   card="todo"),
)

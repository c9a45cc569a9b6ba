"""What the inspection part offers the workspace (我的工作台): the actions a person must
do (a card of its own), and those waiting for him to verify (in 待我处理). Each build(desk) returns what its template shows,
or None to leave the block out."""
from dataclasses import dataclass

from sqlalchemy import or_, select
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


BLOCKS = (
    WorkspaceBlock("inspections.actions_mine", "inspections/_ws_actions_mine.html", my_actions, order=45),
    WorkspaceBlock("inspections.actions_verify", "inspections/_ws_actions_verify.html", to_verify, order=31,
                   card="todo"),
)

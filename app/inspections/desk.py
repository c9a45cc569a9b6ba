"""What the inspection part offers the workspace (我的工作台): the actions a person must
do (a card of its own), and those waiting for him to verify (in 待我处理). Each build(desk) returns what its template shows,
or None to leave the block out."""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.inspections import templates as tpl
from app.inspections.models import DONE, OPEN, CorrectiveAction, Inspection
from app.parts import Desk, WorkspaceBlock
from app.permissions import is_action_assignee, may_inspect_area

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
        .options(selectinload(CorrectiveAction.inspection)).order_by(CorrectiveAction.due_on).limit(50)))
    return ActionList(rows[:SHOWN], len(rows), desk.today) if rows else None


def to_verify(desk: Desk) -> ActionList | None:
    """整改 done and waiting for verification by the user: those he assigned or whose
    inspection he did, or any in an area he may inspect (admin: all)."""
    rows = list(db.session.scalars(select(CorrectiveAction).where(CorrectiveAction.state == DONE)
                                   .join(Inspection, CorrectiveAction.inspection_id == Inspection.id)
                                   .options(selectinload(CorrectiveAction.inspection),
                                            selectinload(CorrectiveAction.assignee))
                                   .order_by(CorrectiveAction.due_on).limit(200)))
    mine = [a for a in rows if not is_action_assignee(desk.user, a) and (
        a.created_by_id == desk.user.id or a.inspection.inspector_id == desk.user.id
        or (tpl.area(a.inspection.area_key) is not None and may_inspect_area(desk.user, tpl.area(a.inspection.area_key))))]
    return ActionList(mine[:SHOWN], len(mine), desk.today) if mine else None


BLOCKS = (
    WorkspaceBlock("inspections.actions_mine", "inspections/_ws_actions_mine.html", my_actions, order=45),
    WorkspaceBlock("inspections.actions_verify", "inspections/_ws_actions_verify.html", to_verify, order=31,
                   card="todo"),
)

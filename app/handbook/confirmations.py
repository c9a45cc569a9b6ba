"""Read confirmations (我已阅读并理解), tied to the revision that was read."""
from dataclasses import dataclass
from itertools import takewhile
from typing import NamedTuple

from sqlalchemy import bindparam, case, exists, func, select
from sqlalchemy.orm import selectinload

from app.audit.log import record
from app.database import statement
from app.extensions import db
from app.handbook.models import PositionRevision, ReadConfirmation
from app.handbook.revisions import current_revision, duties_changed_since
from app.notices import rules as notices
from app.org.models import Position, ordered_positions
from app.permissions import may_confirm_reading, supervises
from app.staff.models import Employee


class ConfirmError(ValueError):
    pass


@dataclass
class EmployeeStatus:
    employee: Employee
    confirmation: ReadConfirmation | None  # the valid one for the current duties, if any

    @property
    def confirmed(self) -> bool:
        return self.confirmation is not None


def _valid_confirmations(position: Position, employee_ids: list[int],
                         revision: PositionRevision) -> dict[int, ReadConfirmation]:
    """employee id -> their latest confirmation that covers the current duties, in one
    query for all the given employees."""
    if not employee_ids:
        return {}
    since = duties_changed_since(revision)
    rows = db.session.scalars(
        select(ReadConfirmation)
        .join(PositionRevision, ReadConfirmation.revision_id == PositionRevision.id)
        .where(
            ReadConfirmation.employee_id.in_(employee_ids),
            PositionRevision.position_id == position.id,
            PositionRevision.number >= since,
        )
        .order_by(ReadConfirmation.confirmed_at)
    )
    return {c.employee_id: c for c in rows}  # later rows win: the latest per employee


def valid_confirmation(employee: Employee, position: Position, revision: PositionRevision | None = None):
    """The employee's confirmation that covers the position's current duties, or None."""
    revision = revision or current_revision(position)
    if revision is None:
        return None
    return _valid_confirmations(position, [employee.id], revision).get(employee.id)


# needs_confirmation()'s statement, built once (it runs on every workspace): a position's
# revisions, newest first, each with whether the employee confirmed it (an index probe per
# revision), the newest with its snapshot (to tell whether it states any duties).
_NEWEST_FIRST = PositionRevision.number.desc()
_REVISIONS_OF = (select(PositionRevision.id, PositionRevision.duties_hash,
                        case((func.row_number().over(order_by=_NEWEST_FIRST) == 1, PositionRevision.snapshot)),
                        exists().where(ReadConfirmation.employee_id == bindparam("employee"),
                                       ReadConfirmation.revision_id == PositionRevision.id))
                 .where(PositionRevision.position_id == bindparam("position"))
                 .order_by(_NEWEST_FIRST))


def needs_confirmation(user, position: Position) -> bool:
    """True when `user` holds `position` and has not confirmed its current duties: no
    confirmation of the current revision or of an earlier one with the same duties."""
    return confirmation_due(user, position) is not None


def confirmation_due(user, position: Position) -> str | None:
    """What `user`, holding `position`, still has to confirm: "first" (he never confirmed
    any revision of its duties: a new hire, or duties just written down), "new" (he
    confirmed an earlier version, the duties have changed since), or None."""
    if not may_confirm_reading(user, position):
        return None
    revisions = db.session.execute(_REVISIONS_OF, {"position": position.id, "employee": user.employee_id}).all()
    if not revisions or not _states_duties(revisions[0][2]):
        return None
    if any(confirmed for (_, _, _, confirmed) in takewhile(lambda r: r[1] == revisions[0][1], revisions)):
        return None
    return "new" if any(confirmed for (_, _, _, confirmed) in revisions) else "first"


def _counting(revisions) -> list[int]:
    """Of a position's revisions as (id, duties hash), newest first: the ids whose
    confirmation covers the current duties, back to the last change of the duties."""
    return [rid for rid, _ in takewhile(lambda r: r[1] == revisions[0][1], revisions)]


def has_duties(revision) -> bool:
    """Only a revision that states duties is read and confirmed: a position whose document
    text is missing asks nobody to confirm an empty page."""
    return revision is not None and _states_duties(revision.snapshot)


def _states_duties(snapshot) -> bool:
    return bool((snapshot or {}).get("duties"))


def position_status(position: Position) -> list[EmployeeStatus]:
    """Each active holder of the position by number, with his account (the list says 无账号)
    and his valid confirmation of the current revision: three statements however many."""
    employees = list(db.session.scalars(_holders_with_accounts(), {"position": position.id}))
    revision = current_revision(position)
    valid = _valid_confirmations(position, [e.id for e in employees], revision) if revision else {}
    return [EmployeeStatus(e, valid.get(e.id)) for e in employees]


@statement
def _holders_with_accounts():
    return (select(Employee).where(Employee.position_id == bindparam("position"), Employee.active.is_(True))
            .options(selectinload(Employee.account)).order_by(Employee.employee_no))


def confirm(user, position: Position, revision_number: int) -> ReadConfirmation:
    if not may_confirm_reading(user, position):
        raise PermissionError("只有本岗位的员工可以确认阅读本岗位职责。")
    revision = current_revision(position)
    if not has_duties(revision):
        raise ConfirmError("此岗位尚无职责描述，无需确认阅读。")
    if revision.number != revision_number:
        raise ConfirmError("岗位职责已更新，请阅读最新版本后再确认。")
    employee = user.employee
    existing = valid_confirmation(employee, position, revision)
    if existing is not None:
        return existing
    confirmation = ReadConfirmation(employee_id=employee.id, user_id=user.id, revision_id=revision.id)
    db.session.add(confirmation)
    db.session.flush()
    record(
        "read_confirm", "position", position.id,
        summary=f"{employee.name} 确认已阅读「{position.title}」第 {revision.number} 版",
        after={"employee": employee.employee_no, "revision": revision.number},
    )
    notices.duties_confirmed(user, position)
    return confirmation




class CurrentRevision(NamedTuple):
    """What the list of those who have not confirmed shows of a position's current revision."""
    number: int
    snapshot: dict | None


@dataclass
class Unconfirmed:
    position: Position
    revision: CurrentRevision
    employees: list  # rows of (id, name, employee_no, position_id)


# unconfirmed()'s statements, built once (building them costs more than running them): the
# positions' revisions newest first (the newest of each with its number and snapshot), and
# the employees who have not confirmed.
_NEWEST_OF_POSITION = func.row_number().over(partition_by=PositionRevision.position_id,
                                             order_by=PositionRevision.number.desc()) == 1
_HISTORY = (select(PositionRevision.id, PositionRevision.position_id, PositionRevision.duties_hash,
                   PositionRevision.number, case((_NEWEST_OF_POSITION, PositionRevision.snapshot)))
            .where(PositionRevision.position_id.in_(bindparam("positions", expanding=True)))
            .order_by(PositionRevision.number.desc()))
_UNCONFIRMED = (select(Employee.id, Employee.name, Employee.employee_no, Employee.position_id)
                .where(Employee.position_id.in_(bindparam("positions", expanding=True)), Employee.active.is_(True),
                       ~exists().where(ReadConfirmation.employee_id == Employee.id,
                                       ReadConfirmation.revision_id == PositionRevision.id,
                                       PositionRevision.position_id == Employee.position_id,
                                       PositionRevision.id.in_(bindparam("counting", expanding=True))))
                .order_by(Employee.employee_no))


def unconfirmed(user) -> list[Unconfirmed]:
    """unconfirmed_and_unwritten's first part (the workspace's block)."""
    return unconfirmed_and_unwritten(user)[0]


def unconfirmed_and_unwritten(user) -> tuple[list[Unconfirmed], list[Position]]:
    """Per position this user supervises (all for admin), in the org chart's order: the
    active employees who have not confirmed its current duties. Positions without duties
    ask no confirmation and are left out.

    Two queries whatever the number of positions and employees: the revisions' numbers
    and hashes (from which revision on a confirmation still counts), the current one's
    snapshot with them (does it state duties); and the employees without a confirmation
    of a revision that counts (as plain rows: id, name, number; the workspace shows a few
    names of hundreds). Second: the department's positions among them whose duties are not
    written (nobody is asked to confirm them; the list says so)."""
    visible = [p for p in ordered_positions() if supervises(user, p)]
    if not visible:
        return [], []
    history: dict[int, list] = {}  # position id -> its revisions as (id, duties hash), newest first
    revisions: dict[int, CurrentRevision] = {}
    for rid, pid, digest, number, snapshot in db.session.execute(_HISTORY, {"positions": [p.id for p in visible]}):
        history.setdefault(pid, []).append((rid, digest))
        if pid not in revisions:  # newest first: the current revision
            revisions[pid] = CurrentRevision(number, snapshot)
    asked = [p for p in visible if has_duties(revisions.get(p.id))]
    unwritten = [p for p in visible if not p.is_external and p not in asked]
    if not asked:
        return [], unwritten
    counting = [rid for p in asked for rid in _counting(history[p.id])]
    missing: dict[int, list] = {}
    for row in db.session.execute(_UNCONFIRMED, {"positions": [p.id for p in asked], "counting": counting}):
        missing.setdefault(row.position_id, []).append(row)
    return [Unconfirmed(p, revisions[p.id], missing[p.id]) for p in asked if p.id in missing], unwritten

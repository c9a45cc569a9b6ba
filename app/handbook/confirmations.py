"""Read confirmations (我已阅读并理解), tied to the revision that was read."""
from dataclasses import dataclass


from sqlalchemy import select

from app.audit.log import record
from app.extensions import db
from app.handbook.models import PositionRevision, ReadConfirmation
from app.handbook.revisions import current_revision, duties_changed_since
from app.org.models import Position
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


def valid_confirmation(employee: Employee, position: Position, revision: PositionRevision | None = None):
    """The employee's confirmation that covers the position's current duties, or None."""
    revision = revision or current_revision(position)
    if revision is None:
        return None
    since = duties_changed_since(revision)
    return db.session.scalar(
        select(ReadConfirmation)
        .join(PositionRevision, ReadConfirmation.revision_id == PositionRevision.id)
        .where(
            ReadConfirmation.employee_id == employee.id,
            PositionRevision.position_id == position.id,
            PositionRevision.number >= since,
        )
        .order_by(ReadConfirmation.confirmed_at.desc())
        .limit(1)
    )


def needs_confirmation(user, position: Position) -> bool:
    """True when `user` holds `position` and has not confirmed its current duties."""
    employee = getattr(user, "employee", None)
    if employee is None or not employee.active or employee.position_id != position.id:
        return False
    return current_revision(position) is not None and valid_confirmation(employee, position) is None


def position_status(position: Position) -> list[EmployeeStatus]:
    revision = current_revision(position)
    return [
        EmployeeStatus(e, valid_confirmation(e, position, revision) if revision else None)
        for e in position.active_employees
    ]


def confirm(user, position: Position, revision_number: int) -> ReadConfirmation:
    employee = getattr(user, "employee", None)
    if employee is None or not employee.active or employee.position_id != position.id:
        raise PermissionError("只有本岗位的员工可以确认阅读本岗位职责。")
    revision = current_revision(position)
    if revision is None or revision.number != revision_number:
        raise ConfirmError("岗位职责已更新，请阅读最新版本后再确认。")
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
    return confirmation



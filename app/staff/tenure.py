"""Who held which position when (PositionTenure), written in the same flush as the change.

An employee's position and active flag are edited in several places (the directory form,
the CSV import, the demo, the seed). Rather than each remembering to write the tenure, a
before_flush hook sees every new or changed Employee and closes or opens tenures: a new
employee starts on his hire date (or today), a move closes the old tenure yesterday and
opens the new one today, leaving closes it yesterday, returning opens a new one today.
"""
from datetime import date, timedelta

from sqlalchemy import bindparam, event, inspect, select
from sqlalchemy.orm import Session

from app import clock
from app.database import statement
from app.extensions import db
from app.staff.models import Employee, PositionTenure


def _open_tenure(session, employee_id: int) -> PositionTenure | None:
    for obj in session.new:  # one opened earlier in this flush cycle
        if isinstance(obj, PositionTenure) and obj.employee_id == employee_id and obj.end is None:
            return obj
    with session.no_autoflush:
        return session.scalar(select(PositionTenure).where(PositionTenure.employee_id == employee_id,
                                                           PositionTenure.end.is_(None)))


def _close(tenure: PositionTenure, today: date, session) -> None:
    if tenure.start >= today:  # held since today only: as if never held
        if tenure in session.new:
            session.expunge(tenure)
        else:
            session.delete(tenure)
    else:
        tenure.end = today - timedelta(days=1)


def _sync(session, employee: Employee, is_new: bool) -> None:
    today = clock.local_now().date()
    holds = employee.position_id if employee.active is not False else None  # None: the default, active
    if is_new:
        if holds:
            session.add(PositionTenure(employee=employee, position_id=holds,
                                       start=min(employee.hire_date or today, today)))
        return
    state = inspect(employee)
    if not (state.attrs.position_id.history.has_changes() or state.attrs.active.history.has_changes()
            or state.attrs.position.history.has_changes()):
        return
    current = _open_tenure(session, employee.id)
    if current is not None and current.position_id == holds:
        return
    if current is not None:
        _close(current, today, session)
    if holds:
        session.add(PositionTenure(employee_id=employee.id, position_id=holds, start=today))


def _before_flush(session, flush_context, instances) -> None:
    for obj in list(session.new):
        if isinstance(obj, Employee):
            if obj.position_id is None and obj.position is not None:
                obj.position_id = obj.position.id
            _sync(session, obj, is_new=True)
    for obj in list(session.dirty):
        if isinstance(obj, Employee) and obj not in session.new:
            if obj.position is not None and obj.position_id != obj.position.id:
                obj.position_id = obj.position.id
            elif obj.position is None and inspect(obj).attrs.position.history.has_changes():
                obj.position_id = None
            _sync(session, obj, is_new=False)


def install() -> None:
    """Called once by the application factory; a second call adds nothing."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)


def holders(position_ids, start: date, end: date, employee_id: int | None = None) -> dict[int, list]:
    """Per position: the tenures overlapping [start, end] as plain rows (start, end,
    employee_id, name, employee_no), ordered by employee number; one query, no ORM objects
    (a position with a hundred and sixty holders is read on every board and workspace).
    `employee_id`: that employee's tenures only (a holder's own board)."""
    out: dict[int, list] = {pid: [] for pid in position_ids}
    if not out:
        return out
    params = {"positions": sorted(out), "start": start, "end": end}
    if employee_id is not None:
        params["employee"] = employee_id
    rows = db.session.execute(_tenures(employee_id is not None), params)
    for t in rows:
        out[t.position_id].append(t)
    return out


@statement
def _tenures(one_employee: bool):
    stmt = (select(PositionTenure.position_id, PositionTenure.start, PositionTenure.end, PositionTenure.employee_id,
                   Employee.name, Employee.employee_no)
            .join(Employee, Employee.id == PositionTenure.employee_id)
            .where(PositionTenure.position_id.in_(bindparam("positions", expanding=True)),
                   PositionTenure.start <= bindparam("end"),
                   (PositionTenure.end.is_(None)) | (PositionTenure.end >= bindparam("start")))
            .order_by(Employee.employee_no, PositionTenure.start))
    if one_employee:
        stmt = stmt.where(PositionTenure.employee_id == bindparam("employee"))
    return stmt

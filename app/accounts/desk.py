"""The accounts part's block of 我的工作台, for admins: accounts without an employee and
employees without an account."""
from sqlalchemy import exists, func, select

from app.auth.models import User
from app.extensions import db
from app.parts import Desk, Listing, SHOW
from app.staff.models import Employee

# Each list's first few (plain rows of what the block shows) and, beside each row, the
# count of all (a window over the rows before LIMIT): two queries, built once.
_NO_EMPLOYEE = (select(User.id, User.username, func.count().over())
                .where(User.employee_id.is_(None), User.active.is_(True)).order_by(User.username).limit(SHOW))
_NO_ACCOUNT = (select(Employee.id, Employee.name, func.count().over())
               .where(Employee.active.is_(True), ~exists().where(User.employee_id == Employee.id))
               .order_by(Employee.employee_no).limit(SHOW))


def _listing(rows) -> Listing:
    return Listing(rows, rows[0][2] if rows else 0)


def account_gaps(desk: Desk) -> dict | None:
    if not desk.user.is_admin:
        return None
    out = {"accounts": _listing(db.session.execute(_NO_EMPLOYEE).all()),
           "employees": _listing(db.session.execute(_NO_ACCOUNT).all())}
    return out if out["accounts"] or out["employees"] else None

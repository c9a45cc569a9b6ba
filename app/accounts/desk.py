"""The accounts part's block of 我的工作台, for admins: accounts without an employee and
employees without an account."""
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.parts import Desk, Listing, SHOW
from app.staff.models import Employee


def account_gaps(desk: Desk) -> dict | None:
    if not desk.user.is_admin:
        return None
    no_employee = select(User).where(User.employee_id.is_(None), User.active.is_(True))
    no_account = select(Employee).where(Employee.active.is_(True), ~Employee.account.has())
    out = {
        "accounts": Listing(db.session.scalars(no_employee.order_by(User.username).limit(SHOW)).all(),
                            db.session.scalar(select(func.count()).select_from(no_employee.subquery()))),
        "employees": Listing(db.session.scalars(no_account.order_by(Employee.employee_no).limit(SHOW)).all(),
                             db.session.scalar(select(func.count()).select_from(no_account.subquery()))),
    }
    return out if out["accounts"] or out["employees"] else None

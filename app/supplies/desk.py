"""The supplies part's blocks of 我的工作台: my supplies and requisitions; requisitions to
decide (supervisors); for the issuing clerks what to issue and what runs low."""
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.parts import Desk, Listing, SHOW
from app.permissions import can_issue_supplies, is_supervisor
from app.staff.models import Employee
from app.supplies.entitlements import due_list
from app.supplies.models import ISSUE, Requisition, RequisitionLine, StockEntry
from app.supplies.requisitions import decidable_requisitions
from app.supplies.stock import below_minimum


def my_supplies(desk: Desk) -> dict | None:
    """What I may collect this period, what I collected last, and my requisitions (`total`
    counts the open ones: pending, approved, partly issued)."""
    employee = desk.employee
    if employee is None:
        return None
    last = db.session.scalars(
        select(StockEntry).where(StockEntry.employee_id == employee.id, StockEntry.kind == ISSUE)
        .order_by(StockEntry.at.desc()).limit(3).options(selectinload(StockEntry.item))).all()
    stmt = select(Requisition).where(Requisition.employee_id == employee.id)
    rows = db.session.scalars(
        stmt.order_by(Requisition.id.desc()).limit(SHOW)
        .options(selectinload(Requisition.lines).selectinload(RequisitionLine.item))).all()
    total = db.session.scalar(select(func.count()).select_from(
        stmt.where(Requisition.status.in_(("pending", "approved", "partial"))).subquery()))
    return {"last": last, "due": due_list(desk.today, employee_id=employee.id),
            "requisitions": Listing(rows, total)}


def requisitions_to_decide(desk: Desk) -> Listing | None:
    """Pending requisitions I may decide (permissions.may_decide_requisition, as a query):
    the oldest few and the count, without loading every pending one."""
    if not is_supervisor(desk.user):
        return None
    stmt = decidable_requisitions(desk.user).where(Requisition.status == "pending")
    rows = db.session.scalars(stmt.order_by(Requisition.id).limit(SHOW).options(
        selectinload(Requisition.employee).selectinload(Employee.position), selectinload(Requisition.lines))).all()
    return Listing(rows, db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def issuing(desk: Desk) -> dict | None:
    """Approved requisitions waiting to be issued, and items below their minimum stock."""
    if not can_issue_supplies(desk.user):
        return None
    stmt = select(Requisition).where(Requisition.status.in_(("approved", "partial")))
    rows = db.session.scalars(stmt.order_by(Requisition.id).limit(SHOW)
                              .options(selectinload(Requisition.employee))).all()
    low = below_minimum()
    return {"issue": Listing(rows, db.session.scalar(select(func.count()).select_from(stmt.subquery()))),
            "low": Listing(low[:SHOW], len(low))}

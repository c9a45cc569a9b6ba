"""Entitlements (劳保用品发放标准) and who is due what in the current period."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from app import clock
from app.checklists.schedule import period_of
from app.extensions import db
from app.staff.models import Employee
from app.supplies.sizes import group_ids
from app.supplies.models import ISSUE, RETURN, REVERSAL, Entitlement, StockEntry, SupplyItem

PERIOD_LABELS = {"week": "周", "month": "月", "quarter": "季度", "year": "年"}


def period_bounds(period: str, d: date) -> tuple[date, date]:
    if period == "quarter":
        first_month = (d.month - 1) // 3 * 3 + 1
        start = date(d.year, first_month, 1)
        end = period_of("monthly", date(d.year, first_month + 2, 1)).end
        return start, end
    kind = {"week": "weekly", "month": "monthly", "year": "yearly"}[period]
    p = period_of(kind, d)
    return p.start, p.end


@dataclass
class Due:
    employee: Employee
    entitlement: Entitlement
    received: int
    due: int
    start: date
    end: date
    choice: object = None  # sizes.Choice: the variant of the person's size, set by the page


def received_between(employee_id: int, item_id: int | list[int], start: date, end: date) -> int:
    """What the employee received net of the item (or of any of the item ids: the size
    variants of one article) between the two days."""
    lo, hi = clock.local_day_range(start, end)
    ids = item_id if isinstance(item_id, list) else [item_id]
    total = db.session.scalar(
        select(func.coalesce(func.sum(StockEntry.qty), 0)).where(
            StockEntry.employee_id == employee_id, StockEntry.item_id.in_(ids),
            StockEntry.kind.in_([ISSUE, RETURN, REVERSAL]), StockEntry.at >= lo, StockEntry.at < hi)
    )
    return -int(total)


def due_list(today: date | None = None, employee_id: int | None = None) -> list[Due]:
    """Who is due what in the current period (only `employee_id`, when given)."""
    today = today or clock.local_now().date()
    out = []
    stmt = select(Entitlement).join(SupplyItem).where(Entitlement.active.is_(True), SupplyItem.active.is_(True))
    if employee_id is not None:
        stmt = stmt.where(Entitlement.position_id == select(Employee.position_id).where(
            Employee.id == employee_id).scalar_subquery())
    entitlements = db.session.scalars(stmt).all()
    for ent in entitlements:
        start, end = period_bounds(ent.period, today)
        ids = group_ids(ent.item)
        who = select(Employee).where(Employee.position_id == ent.position_id, Employee.active.is_(True))
        if employee_id is not None:
            who = who.where(Employee.id == employee_id)
        employees = db.session.scalars(who.order_by(Employee.employee_no))
        for emp in employees:
            got = received_between(emp.id, ids, start, end)
            if got < ent.qty:
                out.append(Due(emp, ent, got, ent.qty - got, start, end))
    out.sort(key=lambda d: (d.employee.employee_no, d.entitlement.item.name))
    return out

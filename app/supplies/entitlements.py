"""Entitlements (劳保用品发放标准) and who is due what in the current period."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from app import clock
from app.checklists.schedule import period_of
from app.extensions import db
from app.staff.models import Employee
from app.supplies.models import ISSUE, RETURN, REVERSAL, Entitlement, StockEntry, SupplyItem
from app.supplies.sizes import group_ids_of

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


def due_list(today: date | None = None, employee_id: int | None = None) -> list[Due]:
    """Who is due what in the current period (only `employee_id`, when given), in a fixed
    number of queries however many people and entitlements: the entitlements, the size
    variants of their articles, the employees, and per distinct period (week, month …)
    one sum of what each employee received of each item."""
    today = today or clock.local_now().date()
    stmt = select(Entitlement).join(SupplyItem).where(Entitlement.active.is_(True), SupplyItem.active.is_(True))
    if employee_id is not None:
        stmt = stmt.where(Entitlement.position_id == select(Employee.position_id).where(
            Employee.id == employee_id).scalar_subquery())
    entitlements = db.session.scalars(stmt).all()
    if not entitlements:
        return []
    groups = group_ids_of({e.item for e in entitlements})
    ids_of = {e.id: groups[e.item.id] for e in entitlements}
    who = select(Employee).where(Employee.position_id.in_({e.position_id for e in entitlements}),
                                 Employee.active.is_(True))
    if employee_id is not None:
        who = who.where(Employee.id == employee_id)
    by_position: dict[int, list[Employee]] = {}
    for emp in db.session.scalars(who.order_by(Employee.employee_no)):
        by_position.setdefault(emp.position_id, []).append(emp)
    bounds = {e.id: period_bounds(e.period, today) for e in entitlements}
    received: dict[tuple[date, date], dict[tuple[int, int], int]] = {}
    for start, end in set(bounds.values()):
        lo, hi = clock.local_day_range(start, end)
        items = {i for e in entitlements if bounds[e.id] == (start, end) for i in ids_of[e.id]}
        q = (select(StockEntry.employee_id, StockEntry.item_id, func.sum(StockEntry.qty))
             .where(StockEntry.item_id.in_(items), StockEntry.kind.in_([ISSUE, RETURN, REVERSAL]),
                    StockEntry.at >= lo, StockEntry.at < hi, StockEntry.employee_id.is_not(None))
             .group_by(StockEntry.employee_id, StockEntry.item_id))
        if employee_id is not None:
            q = q.where(StockEntry.employee_id == employee_id)
        received[(start, end)] = {(emp, item): -int(total) for emp, item, total in db.session.execute(q)}
    out = []
    for ent in entitlements:
        start, end = bounds[ent.id]
        got_of = received[(start, end)]
        for emp in by_position.get(ent.position_id, ()):
            got = sum(got_of.get((emp.id, i), 0) for i in ids_of[ent.id])
            if got < ent.qty:
                out.append(Due(emp, ent, got, ent.qty - got, start, end))
    out.sort(key=lambda d: (d.employee.employee_no, d.entitlement.item.name))
    return out

"""The supplies part's blocks of 我的工作台: my supplies and requisitions; requisitions to
decide (supervisors); for the issuing clerks what to issue and what runs low."""
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import aliased

from app.database import statement
from app.extensions import db
from app.parts import Desk, Listing, SHOW
from app.permissions import can_issue_supplies, is_supervisor, requisitions_decidable_by
from app.org.models import Position
from app.staff.models import Employee
from app.supplies.entitlements import due_of
from app.supplies.models import (ISSUE, Requisition, RequisitionLine, StockEntry, SupplyCategory, SupplyItem,
                                 not_reversed)
from app.supplies.requisitions import reach_shape, reaching
from app.supplies.stock import StockRow, remember_below_minimum


# my_supplies's statements, built once (building them costs more than running them).
_LAST = (select(StockEntry.qty, StockEntry.at, SupplyItem).join(SupplyItem, SupplyItem.id == StockEntry.item_id)
         .where(StockEntry.employee_id == bindparam("employee_id"), StockEntry.kind == ISSUE,
                not_reversed())  # an issue taken back (冲销) is not something I collected
         .order_by(StockEntry.at.desc()).limit(3))
_OPEN = aliased(Requisition)  # the count of the open ones, beside each of the rows shown
_LATEST = (select(Requisition.id, Requisition.status,
                  select(func.count()).select_from(_OPEN)
                  .where(_OPEN.employee_id == bindparam("employee_id"),
                         _OPEN.status.in_(("pending", "approved", "partial"))).scalar_subquery().label("open"))
           .where(Requisition.employee_id == bindparam("employee_id")).order_by(Requisition.id.desc()).limit(SHOW)
           .subquery())
# my latest requisitions with their lines' items, a row per line (newest first)
_REQUISITIONS = (select(_LATEST.c.id, _LATEST.c.status, _LATEST.c.open, SupplyItem).select_from(_LATEST)
                 .outerjoin(RequisitionLine, RequisitionLine.requisition_id == _LATEST.c.id)
                 .outerjoin(SupplyItem, SupplyItem.id == RequisitionLine.item_id)
                 .order_by(_LATEST.c.id.desc(), RequisitionLine.id))


def my_supplies(desk: Desk) -> dict | None:
    """What I may collect this period, what I collected last, and my latest requisitions
    with their items (`total` counts the open ones: pending, approved, partly issued)."""
    employee = desk.employee
    if employee is None:
        return None
    me = {"employee_id": employee.id}
    last = [_Issued(*row) for row in db.session.execute(_LAST, me)]
    requisitions: dict[int, _Requisition] = {}
    open_count = 0
    for rid, status, open_count, item in db.session.execute(_REQUISITIONS, me):
        if rid not in requisitions:
            requisitions[rid] = _Requisition(rid, status, [])
        if item is not None:
            requisitions[rid].lines.append(_Line(item))
    return {"last": last, "due": due_of(employee, desk.today),
            "requisitions": Listing(list(requisitions.values()), open_count)}


class _Issued(NamedTuple):
    qty: int
    at: datetime
    item: SupplyItem


class _Line(NamedTuple):
    item: SupplyItem


class _Requisition(NamedTuple):
    id: int
    status: str
    lines: list


class _Pending(NamedTuple):
    id: int
    created_at: datetime
    employee_name: str
    position_title: str | None
    line_count: int


class _ToIssue(NamedTuple):
    id: int
    status: str
    employee_name: str


# The number of lines of each requisition shown, and the count of every row found beside
# each one shown (a window over the rows before LIMIT): the list and its total in one query.
_LINE_COUNT = (select(func.count()).where(RequisitionLine.requisition_id == Requisition.id)
               .correlate(Requisition).scalar_subquery())
_TOTAL = func.count().over()


def requisitions_to_decide(desk: Desk) -> Listing | None:
    """Pending requisitions I may decide (permissions.may_decide_requisition, as a query):
    the oldest few and the count, in one query (who asks, their position, how many lines),
    built once per shape of the reach (requisitions.reach_shape)."""
    if not is_supervisor(desk.user):
        return None
    shape, values = reach_shape(requisitions_decidable_by(desk.user))
    rows = db.session.execute(_to_decide(*shape), values).all()
    return Listing([_Pending(*r[:5]) for r in rows], rows[0][5] if rows else 0)


@statement
def _to_decide(*shape):
    return (reaching(*shape).where(Requisition.status == "pending")
            .with_only_columns(Requisition.id, Requisition.created_at, Employee.name, Position.title, _LINE_COUNT,
                               _TOTAL)
            .join(Employee, Employee.id == Requisition.employee_id)
            .outerjoin(Position, Position.id == Employee.position_id)
            .order_by(Requisition.id).limit(SHOW))


_TO_ISSUE = (select(Requisition.id, Requisition.status, Employee.name, _TOTAL)
             .join(Employee, Employee.id == Requisition.employee_id)
             .where(Requisition.status.in_(("approved", "partial"))).order_by(Requisition.id).limit(SHOW))
_LOW = (select(SupplyItem, _TOTAL).join(SupplyCategory, SupplyCategory.id == SupplyItem.category_id)
        .where(SupplyItem.active.is_(True), SupplyItem.stock < SupplyItem.min_stock)
        .order_by(SupplyCategory.sort_order, SupplyItem.name, SupplyItem.spec).limit(SHOW))


def issuing(desk: Desk) -> dict | None:
    """Approved requisitions waiting to be issued, and items below their minimum stock (in
    the stock overview's order): the first few of each and their counts, in two queries."""
    if not can_issue_supplies(desk.user):
        return None
    rows = db.session.execute(_TO_ISSUE).all()
    low = db.session.execute(_LOW).all()
    remember_below_minimum(low[0][1] if low else 0)  # the navigation badge's count: no statement of its own
    return {"issue": Listing([_ToIssue(*r[:3]) for r in rows], rows[0][3] if rows else 0),
            "low": Listing([StockRow(item) for item, _ in low], low[0][1] if low else 0)}

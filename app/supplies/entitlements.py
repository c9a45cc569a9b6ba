"""Entitlements (劳保用品发放标准) and who is due what in the current period."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import contains_eager

from app import clock
from app.audit.log import record
from app.database import statement
from app.checklists.schedule import period_of
from app.extensions import db
from app.org.models import Position
from app.staff.models import Employee
from app.supplies.ledger import LedgerError
from app.supplies.models import ISSUE, RETURN, REVERSAL, Entitlement, StockEntry, SupplyItem
from app.supplies.quantity import QuantityError, fmt, parse
from app.supplies.sizes import group_ids_of, variant_for, variants

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


def save_entitlement(position: Position | None, item: SupplyItem | None, period: str | None, qty: str | None,
                     active: bool = True) -> Entitlement:
    """Set a position's entitlement to an item (one per position and item: created, or
    changed in place); `qty` as typed, in the item's units. Refuses (LedgerError naming
    the field, nothing changed) a missing position, an inactive item, an unknown period
    and a quantity that is not one of this unit."""
    if position is None:
        raise LedgerError("请选择岗位。", "position_id")
    if item is None or not item.active:
        raise LedgerError("请选择启用的物品。", "item_id")
    if period not in PERIOD_LABELS:
        raise LedgerError("请选择周期。", "period")
    try:
        milli = parse(qty, item.decimals)
    except QuantityError as exc:
        raise LedgerError(str(exc), "qty") from exc
    ent = db.session.scalar(select(Entitlement).filter_by(position_id=position.id, item_id=item.id))
    if ent is None:
        ent = Entitlement(position_id=position.id, item_id=item.id, qty=milli, period=period)
        db.session.add(ent)
    ent.qty, ent.period, ent.active = milli, period, active
    db.session.flush()
    record("entitlement_save", "entitlement", ent.id,
           summary=f"{position.title}：{item.label} {fmt(milli)}{item.unit}/{PERIOD_LABELS[period]}"
           + ("" if ent.active else "（停用）"))
    return ent


@dataclass
class Due:
    employee: Employee
    entitlement: Entitlement
    received: int
    due: int
    start: date
    end: date
    choice: object = None  # sizes.Choice: the variant of the person's size, set by the page
    group: set = field(default_factory=set)  # standing_of: ids of the article's variants he received, and its own


def due_list(today: date | None = None) -> list[Due]:
    """Who is due what in the current period, in a fixed number of queries however many
    people and entitlements: the entitlements, the size variants of their articles, the
    employees, and per distinct period (week, month …) one sum of what each employee
    received of each item. (One employee's: due_of.)"""
    today = today or clock.local_now().date()
    entitlements = db.session.scalars(_in_force()).all()
    if not entitlements:
        return []
    groups = group_ids_of({e.item for e in entitlements})
    ids_of = {e.id: groups[e.item.id] for e in entitlements}
    by_position: dict[int, list[Employee]] = {}
    for emp in db.session.scalars(_entitled(), {"positions": sorted({e.position_id for e in entitlements})}):
        by_position.setdefault(emp.position_id, []).append(emp)
    bounds = {e.id: period_bounds(e.period, today) for e in entitlements}
    received: dict[tuple[date, date], dict[tuple[int, int], int]] = {}
    for start, end in set(bounds.values()):
        lo, hi = clock.local_day_range(start, end)
        items = sorted({i for e in entitlements if bounds[e.id] == (start, end) for i in ids_of[e.id]})
        received[(start, end)] = {(emp, item): -int(total) for emp, item, total
                                  in db.session.execute(_received_of_all(), {"items": items, "lo": lo, "hi": hi})}
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


@statement
def _in_force():
    return select(Entitlement).join(SupplyItem).where(Entitlement.active.is_(True), SupplyItem.active.is_(True))


@statement
def _entitled():
    """The active employees of the positions bound as `positions`, by number."""
    return (select(Employee).where(Employee.position_id.in_(bindparam("positions", expanding=True)),
                                   Employee.active.is_(True))
            .order_by(Employee.employee_no))


@statement
def _received_of_all():
    """What each employee received of the items bound as `items` from `lo` to `hi` (UTC)."""
    return (select(StockEntry.employee_id, StockEntry.item_id, func.sum(StockEntry.qty))
            .where(StockEntry.item_id.in_(bindparam("items", expanding=True)),
                   StockEntry.kind.in_([ISSUE, RETURN, REVERSAL]),
                   StockEntry.at >= bindparam("lo"), StockEntry.at < bindparam("hi"), StockEntry.employee_id.is_not(None))
            .group_by(StockEntry.employee_id, StockEntry.item_id))


# due_of's two statements, built once (building them costs more than running them): the
# position's entitlements, and per item what one employee received in each kind of period.
_ENTITLEMENTS = (select(Entitlement).join(SupplyItem, SupplyItem.id == Entitlement.item_id)
                 .where(Entitlement.active.is_(True), SupplyItem.active.is_(True),
                        Entitlement.position_id == bindparam("position_id"))
                 .options(contains_eager(Entitlement.item)))  # the item from the join, not a selectin load
_RECEIVED = (select(StockEntry.item_id, SupplyItem.name, SupplyItem.size_kind,
                    *[func.sum(case(((StockEntry.at >= bindparam(f"lo_{p}")) & (StockEntry.at < bindparam(f"hi_{p}")),
                                     StockEntry.qty), else_=0)) for p in PERIOD_LABELS])
             .join(SupplyItem, SupplyItem.id == StockEntry.item_id)
             .where(StockEntry.employee_id == bindparam("employee_id"), StockEntry.kind.in_([ISSUE, RETURN, REVERSAL]),
                    StockEntry.at >= bindparam("lo"), StockEntry.at < bindparam("hi"))
             .group_by(StockEntry.item_id, SupplyItem.name, SupplyItem.size_kind))


def due_of(employee: Employee, today: date | None = None) -> list[Due]:
    """due_list(today)'s entries of one employee (the workspace shows it to everyone):
    standing_of's entitlements not yet received in full."""
    return [d for d in standing_of(employee, today) if d.received < d.entitlement.qty]


def beyond_standard(employee: Employee, item_ids, today: date | None = None) -> list[Due]:
    """The employee's entitlements to the articles of these items that he has received more
    of than the standard in the current period (a slip just issued, say): allowed (a torn
    overall is replaced), but said, so that nobody issues past the standard unawares."""
    items = set(item_ids)
    return [d for d in standing_of(employee, today)
            if d.received > d.entitlement.qty and d.group & items]


@dataclass
class Asked:
    """An entitlement that a request (a requisition's lines still to issue) would take past
    the standard in its current period: `due` says what was received, `asked` what is
    asked on top (milli-units), `item_ids` the request's items of the article."""
    due: Due
    asked: int
    item_ids: set

    @property
    def total(self) -> int:
        return self.due.received + self.asked


def _article(item: SupplyItem):
    """What an entitlement counts: every size variant of a sized article, or the one item."""
    return (item.name, item.size_kind) if item.size_kind else item.id


def asked_beyond_standard(employee: Employee, lines, today: date | None = None) -> list[Asked]:
    """The employee's entitlements that what he already received in the current period plus
    `lines` ([(item, milli-units asked)]) exceed: for whoever approves or issues a
    requisition, a warning (a torn overall is replaced beyond the standard), not a refusal."""
    out = []
    for d in standing_of(employee, today):
        article = _article(d.entitlement.item)
        mine = [(item, qty) for item, qty in lines if qty > 0 and _article(item) == article]
        asked = sum(qty for _, qty in mine)
        if mine and d.received + asked > d.entitlement.qty:
            out.append(Asked(d, asked, {item.id for item, _ in mine}))
    return out


def standing_of(employee: Employee, today: date | None = None) -> list[Due]:
    """Each entitlement of the employee's position with what he received of it in its
    current period (due: what is left, 0 when he has it all), in two queries: the
    position's entitlements with their items, then what the employee received per item in
    the current week, month, quarter and year, summed in SQL. A sized article counts every
    variant (same name and size kind), as sizes.group_ids does."""
    today = today or clock.local_now().date()
    if employee is None or not employee.active or employee.position_id is None:
        return []
    entitlements = [(ent, ent.item) for ent in db.session.scalars(_ENTITLEMENTS, {"position_id": employee.position_id})]
    if not entitlements:
        return []
    periods = list(PERIOD_LABELS)
    bounds = {p: period_bounds(p, today) for p in periods}
    params = {"employee_id": employee.id}
    for p in periods:
        params[f"lo_{p}"], params[f"hi_{p}"] = clock.local_day_range(*bounds[p])
    params["lo"] = min(params[f"lo_{p}"] for p in periods)
    params["hi"] = max(params[f"hi_{p}"] for p in periods)
    got: dict = {}  # item id, and (name, size kind) of a sized article -> received per period
    ids: dict = {}  # (name, size kind) of a sized article -> the ids of its variants received
    for item_id, name, size_kind, *totals in db.session.execute(_RECEIVED, params):
        for key in [item_id] + ([(name, size_kind)] if size_kind else []):
            acc = got.setdefault(key, [0] * len(periods))
            for i, total in enumerate(totals):
                acc[i] -= int(total or 0)
        if size_kind:
            ids.setdefault((name, size_kind), set()).add(item_id)
    out = []
    for ent, item in entitlements:
        key = (item.name, item.size_kind) if item.size_kind else item.id
        received = got[key][periods.index(ent.period)] if key in got else 0
        out.append(Due(employee, ent, received, max(0, ent.qty - received), *bounds[ent.period],
                       group=ids.get(key, set()) | {item.id}))
    out.sort(key=lambda d: d.entitlement.item.name)
    return out


def due_by_employee(today: date | None = None) -> dict[int, list[Due]]:
    """The due list per employee id, in the list's order; choose_variants picks the sizes
    of the ones shown."""
    out: dict[int, list[Due]] = {}
    for d in due_list(today):
        out.setdefault(d.employee.id, []).append(d)
    return out


def choose_variants(dues) -> None:
    """Set each Due's variant of the person's size (sizes.variant_for, an article's
    variants read once): for the page of employees shown, not the whole staff."""
    known: dict[int, list] = {}
    for d in dues:
        item = d.entitlement.item
        if item.size_kind and item.id not in known:
            known[item.id] = variants(item)
        d.choice = variant_for(item, d.employee, known.get(item.id))

"""The stock ledger: every change of stock is an append-only row; stock is their sum.

Writers lock the items they touch before reading stock (SELECT … FOR UPDATE on
PostgreSQL; on SQLite the write transaction already holds the database's write lock from
BEGIN IMMEDIATE), so two clerks issuing the last pieces at once cannot both succeed.

The sum is also stored: `SupplyItem.stock`, moved by the same UPDATE … RETURNING that gives
each new row its `balance` (the stock after it). Pages read the stored figures and never
add up years of history; `check_balances()` proves them equal to the ledger's sum.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update

from app import clock
from app.audit.log import record
from app.auth.models import User
from app.extensions import db
from app.params import SlicePage
from app.staff.models import Employee
from app.supplies.models import ADJUST, ISSUE, IssueSlip, KIND_LABELS, RECEIPT, RETURN, REVERSAL, StockEntry, SupplyItem
from app.supplies.quantity import QuantityError, fmt, parse


class LedgerError(ValueError):
    """Refused; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class ProblemsRefused(LedgerError):
    """Refused for every problem of one submit at once (field -> messages), each shown
    beside its field; the first is the message."""

    def __init__(self, problems: dict[str, list[str]]):
        field, messages = next(iter(problems.items()))
        super().__init__(messages[0], field)
        self.problems = problems


def _text(value: str, limit: int, label: str, field: str) -> str:
    """A note or reason as typed, or a refusal beside its field: never cut silently."""
    value = (value or "").strip()
    if len(value) > limit:
        raise LedgerError(f"{label}最多 {limit} 字（现为 {len(value)} 字），请删减后再提交。", field)
    return value


class Shortage(LedgerError):
    def __init__(self, short: list[tuple[SupplyItem, int, int]]):
        lines = [f"{i.label}：需要 {fmt(need)} {i.unit}，库存仅 {fmt(have)} {i.unit}" for i, need, have in short]
        super().__init__("库存不足，未发放任何物品。" + "；".join(lines) + "。", "lines")
        self.short = short


def stock_of(item_ids) -> dict[int, int]:
    """Current stock of these items (the stored figure, read fresh from the database)."""
    ids = list(item_ids)
    if not ids:
        return {}
    out = {i: 0 for i in ids}
    out.update(dict(db.session.execute(select(SupplyItem.id, SupplyItem.stock).where(SupplyItem.id.in_(ids))).all()))
    return out


def ledger_sums() -> dict[int, int]:
    """Stock as the sum of every ledger row, per item: the truth the stored figures must match."""
    return {item_id: int(total) for item_id, total in db.session.execute(
        select(StockEntry.item_id, func.coalesce(func.sum(StockEntry.qty), 0)).group_by(StockEntry.item_id))}


def check_balances() -> list[str]:
    """Items whose stored stock differs from the ledger's sum (empty when all agree)."""
    sums = ledger_sums()
    return [f"{i.label}: stored {i.stock}, ledger {sums.get(i.id, 0)}"
            for i in db.session.scalars(select(SupplyItem)) if i.stock != sums.get(i.id, 0)]


def lock_items(item_ids) -> None:
    """Serialise writers on these items (no-op on SQLite, see module doc)."""
    ids = sorted(set(item_ids))
    if ids and db.session.get_bind().dialect.name != "sqlite":
        db.session.execute(select(SupplyItem.id).where(SupplyItem.id.in_(ids)).order_by(SupplyItem.id).with_for_update())


def _usable_item(item: SupplyItem | None) -> SupplyItem:
    if item is None:
        raise LedgerError("请选择物品。", "item_id")
    if not item.active:
        raise LedgerError(f"物品“{item.label}”已停用，不能办理。", "item_id")
    return item


def _usable_employee(employee: Employee | None) -> Employee:
    if employee is None:
        raise LedgerError("请选择领用人。", "employee_id")
    if not employee.active:
        raise LedgerError(f"员工“{employee.name}”已离职，不能办理领用。", "employee_id")
    return employee


def _entry(item: SupplyItem, kind: str, qty: int, user, **fields) -> StockEntry:
    """Append one row and move the item's stored stock by `qty` in one atomic UPDATE, whose
    result is the row's balance. The database's CHECK refuses a stock below zero."""
    balance = db.session.execute(
        update(SupplyItem).where(SupplyItem.id == item.id).values(stock=SupplyItem.stock + qty)
        .returning(SupplyItem.stock).execution_options(synchronize_session=False)
    ).scalar_one()
    db.session.expire(item, ["stock"])
    entry = StockEntry(item_id=item.id, kind=kind, qty=qty, balance=balance, user_id=user.id, at=clock.now_utc(),
                       **fields)
    db.session.add(entry)
    db.session.flush()
    return entry


def receive(item: SupplyItem, qty: int, user, supplier: str = "", note: str = "") -> StockEntry:
    _usable_item(item)
    if qty <= 0:
        raise LedgerError("入库数量必须大于零。", "qty")
    entry = _entry(item, RECEIPT, qty, user, supplier=_text(supplier, 80, "供应商", "supplier"),
                   reason=_text(note, 200, "备注", "note"))
    record("stock_receipt", "supply_item", item.id, summary=f"入库 {item.label} {fmt(qty)}{item.unit}",
           after={"qty": fmt(qty), "supplier": entry.supplier})
    return entry


def issue(employee: Employee, lines: list[tuple[SupplyItem, int]], user, *, note: str = "",
          requisition=None, requisition_lines: dict[int, int] | None = None, issued_on: date | None = None,
          beyond_standard: list[str] = ()) -> IssueSlip:
    """Issue several lines to one employee, all or nothing. `beyond_standard`: what the
    clerk confirmed issuing past the position's standard (slips.refuse_unconfirmed), said
    in the slip's audit record."""
    _usable_employee(employee)
    if not lines:
        raise LedgerError("领用单至少需要一行物品。", "lines")
    need: dict[int, int] = defaultdict(int)
    items: dict[int, SupplyItem] = {}
    for item, qty in lines:
        _usable_item(item)
        if qty <= 0:
            raise LedgerError("发放数量必须大于零。", "lines")
        need[item.id] += qty
        items[item.id] = item
    lock_items(need)
    have = stock_of(need)
    short = [(items[i], n, have[i]) for i, n in need.items() if have[i] < n]
    if short:
        raise Shortage(short)
    slip = IssueSlip(number="", employee_id=employee.id, issued_by_id=user.id, note=_text(note, 200, "备注", "note"),
                     requisition_id=requisition.id if requisition else None,
                     issued_on=issued_on or clock.local_now().date())
    db.session.add(slip)
    db.session.flush()
    slip.number = f"LY{slip.issued_on:%Y%m%d}-{slip.id:05d}"
    for n, (item, qty) in enumerate(lines):
        _entry(item, ISSUE, -qty, user, employee_id=employee.id, slip_id=slip.id,
               requisition_line_id=(requisition_lines or {}).get(n))
    after = {"lines": [[item.label, fmt(qty), item.unit] for item, qty in lines]}
    if beyond_standard:
        after["beyond_standard"] = list(beyond_standard)
    record("stock_issue", "issue_slip", slip.id,
           summary=f"领用单 {slip.number} {employee.name}" + ("（超出发放标准，经确认发放）" if beyond_standard else ""),
           after=after)
    return slip


def give_back(item: SupplyItem, qty: int, employee: Employee, user, note: str = "") -> StockEntry:
    """退回: an employee returns what they received."""
    _usable_item(item)
    if employee is None:
        raise LedgerError("请选择退回人。", "employee_id")
    if qty <= 0:
        raise LedgerError("退回数量必须大于零。", "qty")
    received = -db.session.scalar(
        select(func.coalesce(func.sum(StockEntry.qty), 0)).where(
            StockEntry.item_id == item.id, StockEntry.employee_id == employee.id,
            StockEntry.kind.in_([ISSUE, RETURN, REVERSAL]))
    )
    if qty > received:
        raise LedgerError(f"{employee.name} 名下该物品仅有 {fmt(received)} {item.unit}，不能退回更多。", "qty")
    entry = _entry(item, RETURN, qty, user, employee_id=employee.id, reason=_text(note, 200, "备注", "note"))
    record("stock_return", "supply_item", item.id, summary=f"退回 {item.label} {fmt(qty)}{item.unit}（{employee.name}）",
           after={"qty": fmt(qty), "employee": employee.employee_no})
    return entry


def count(item: SupplyItem, counted: int, user, reason: str = "") -> StockEntry:
    """盘点: record the counted quantity; the difference to the book is the entry."""
    if item is None:
        raise LedgerError("请选择物品。", "item_id")
    if counted < 0:
        raise LedgerError("盘点数量不能为负数。", "qty")
    lock_items([item.id])
    book = stock_of([item.id])[item.id]
    diff = counted - book
    if diff != 0 and not reason.strip():
        raise LedgerError("盘点数量与账面不符，请填写差异原因。", "reason")
    entry = _entry(item, ADJUST, diff, user, counted=counted, reason=_text(reason, 200, "原因", "reason"))
    record("stock_count", "supply_item", item.id, summary=f"盘点 {item.label}：账面 {fmt(book)}，实盘 {fmt(counted)}",
           before={"book": fmt(book)}, after={"counted": fmt(counted), "reason": entry.reason})
    return entry


def typed_counts(items: list[SupplyItem], typed: dict[str, str]
                 ) -> tuple[list[tuple[SupplyItem, int, str]], dict[int, str]]:
    """(item, counted milli-units, reason) of each item whose qty-<id> field is filled in
    the count form, and the messages per item id (0: the form as a whole) for what cannot
    be taken: a quantity that is not one of the unit, no item, no row filled in."""
    counted, errors = [], {}
    for item in items:
        text = typed.get(f"qty-{item.id}", "").strip()
        if not text:
            continue
        try:
            counted.append((item, parse(text, item.decimals, allow_zero=True), typed.get(f"reason-{item.id}", "")))
        except QuantityError as exc:
            errors[item.id] = str(exc)
    if not items:
        errors[0] = "请选择物品。"
    elif not counted and not errors:
        errors[0] = "请至少填写一种物品的实盘数量。"
    return counted, errors


def count_many(rows: list[tuple[SupplyItem, int, str]], user) -> tuple[list[StockEntry], dict[int, str]]:
    """A whole count sheet at once: (item, counted, reason) per counted item. Returns the
    entries and the refusals by item id; the caller keeps all or nothing."""
    entries, errors = [], {}
    for item, counted, reason in rows:
        try:
            entries.append(count(item, counted, user, reason))
        except LedgerError as exc:
            errors[item.id] = str(exc)
    return entries, errors


def reverse(entry: StockEntry, user, reason: str) -> StockEntry:
    """A row that cancels `entry`. Refused for a reversal, a row already reversed, or when
    the reversal would take stock below zero."""
    if entry.kind == REVERSAL:
        raise LedgerError("冲销记录不能再冲销。", "reason")
    if db.session.scalar(select(StockEntry.id).filter_by(reverses_id=entry.id)):
        raise LedgerError("该记录已被冲销，不能重复冲销。", "reason")
    if not reason.strip():
        raise LedgerError("请填写冲销原因。", "reason")
    if entry.qty == 0:
        raise LedgerError("该记录未改变库存，无需冲销。", "reason")
    lock_items([entry.item_id])
    if stock_of([entry.item_id])[entry.item_id] - entry.qty < 0:
        raise LedgerError("冲销后库存将小于零（这些物品已发出），不能冲销。", "reason")
    rev = _entry(entry.item, REVERSAL, -entry.qty, user, employee_id=entry.employee_id, slip_id=entry.slip_id,
                 requisition_line_id=entry.requisition_line_id, reverses_id=entry.id,
                 reason=_text(reason, 200, "冲销原因", "reason"))
    record("stock_reversal", "stock_entry", entry.id,
           summary=f"冲销 {KIND_LABELS[entry.kind]}记录 #{entry.id}（{entry.item.label}）",
           before={"qty": fmt(entry.qty)}, after={"qty": fmt(rev.qty), "reason": rev.reason})
    return rev


@dataclass
class LedgerRow:
    entry: StockEntry
    balance: int
    reversed_by: StockEntry | None


def item_ledger(item: SupplyItem, page: int = 1, per_page: int = 50):
    """One page of an item's rows, newest first, each with the balance after it (stored on
    the row) and the row that reversed it, if any. Returns (rows, pagination)."""
    from sqlalchemy.orm import selectinload

    pagination = SlicePage(
        select(StockEntry).filter_by(item_id=item.id).order_by(StockEntry.id.desc())
        .options(selectinload(StockEntry.user).selectinload(User.employee), selectinload(StockEntry.employee),
                 selectinload(StockEntry.slip)), page, per_page)
    entries = list(pagination.items)
    ids = [e.id for e in entries]
    reversed_by = {r.reverses_id: r for r in db.session.scalars(
        select(StockEntry).where(StockEntry.reverses_id.in_(ids)))} if ids else {}
    return [LedgerRow(e, e.balance, reversed_by.get(e.id)) for e in entries], pagination

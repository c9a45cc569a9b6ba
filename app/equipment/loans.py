"""借用/归还: lending a tool (or some pieces of a counted set) to an employee until a day,
and its return with the condition it came back in. Plain functions: they validate, write,
flush and record the audit entry; the route commits (or rolls back on Refused).

The pieces lent are kept on the item (`Equipment.lent_qty`) in the same write, by a
conditional UPDATE: two clerks lending the last piece at once give one loan, the other
gets the refusal, on SQLite and on PostgreSQL alike. An open count (盘点) of the item
follows in the same write too (counts.follow_loan): it expects what is not lent out now."""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import joinedload, selectinload

from app import clock
from app.audit.log import record
from app.database import statement, utcnow
from app.equipment import counts, faults
from app.equipment.models import (IN_USE, LOAN_CONDITIONS, LOAN_DAMAGED, LOAN_MISSING, STATES, Equipment,
                                  EquipmentEvent, Loan)
from app.equipment.rules import Refused
from app.extensions import db
from app.staff.models import Employee

MAX_DAYS = 366  # the longest loan: a tool kept longer belongs to the person's station
MISSING_ACTIONS = {"reduce": "按实际件数调整台账数量", "repair": "送修（设备改为维修中）"}


def _who(user) -> int | None:
    return getattr(user, "id", None)


class FormRefused(Refused):
    """A loan or a return refused for what was entered: every problem of the one submit
    (field → message), so the form shows them all at once, each beside its field."""

    def __init__(self, problems: dict[str, str]):
        field, message = next(iter(problems.items()))
        super().__init__(message, field)
        self._problems = problems

    @property
    def problems(self) -> dict:
        return self._problems


def lend_problems(borrower_id: int | None, due_on: date | None, quantity: int | None, note: str = "", *,
                  on: date | None = None) -> dict[str, str]:
    """What is wrong with a loan as entered, every field at once (field → message; empty
    when it may be recorded). `quantity` None: the whole item."""
    lent_on = on or clock.local_now().date()
    note = (note or "").strip()
    problems: dict[str, str] = {}
    borrower = db.session.get(Employee, borrower_id) if borrower_id else None
    if borrower is None:
        problems["borrower_id"] = "请选择借用人。"
    elif not borrower.active:
        problems["borrower_id"] = f"{borrower.name} 已离职，不能借用。"
    if due_on is None:
        problems["due_on"] = "请填写预计归还日期。"
    elif due_on < lent_on:
        problems["due_on"] = "预计归还日期不能早于今天。" if on is None else "预计归还日期不能早于借出日期。"
    elif due_on > lent_on + timedelta(days=MAX_DAYS):
        problems["due_on"] = f"借用期最长 {MAX_DAYS} 天。"
    if len(note) > 200:
        problems["note"] = f"备注最多200字（现有{len(note)}字）。"
    if quantity is not None and not 1 <= quantity <= 9999:
        problems["quantity"] = "借用数量应在1到9999之间。"
    return problems


def lend(item: Equipment, borrower_id: int | None, due_on: date | None, user, quantity: int | None = None,
         note: str = "", *, on: date | None = None) -> Loan:
    """Lends `quantity` pieces (default: the whole item) of an item in use to an active
    employee until `due_on`. `on`: the day it was lent when it is recorded later (the
    demo's loans of last week), today by default. What was entered wrong is refused with
    every problem at once (FormRefused)."""
    today = clock.local_now().date()
    if on is not None and on > today:
        raise Refused("借出日期不能晚于今天。", "due_on")
    lent_on = on or today
    note = (note or "").strip()
    if item.state != IN_USE:
        raise Refused(f"该设备当前为“{STATES.get(item.state, item.state)}”，不能借出。", "borrower_id", 409)
    problems = lend_problems(borrower_id, due_on, quantity, note, on=on)
    if problems:
        raise FormRefused(problems)
    borrower = db.session.get(Employee, borrower_id)
    free = item.quantity - item.lent_qty
    if quantity is None:
        quantity = free if item.quantity > 1 else 1
    if free <= 0:
        raise Refused(f"{item.asset_no} 已全部借出，请先登记归还。", "borrower_id", 409)
    if quantity > free:
        raise Refused(f"{item.asset_no} 只剩 {free} 件可借（共 {item.quantity} 件，已借出 {item.lent_qty} 件）。",
                      "quantity", 409)
    # the pieces are taken in one conditional UPDATE: a concurrent loan that took them
    # first leaves this one with no row matched
    taken = db.session.execute(
        update(Equipment).where(Equipment.id == item.id, Equipment.state == IN_USE,
                                Equipment.lent_qty + quantity <= Equipment.quantity)
        .values(lent_qty=Equipment.lent_qty + quantity).execution_options(synchronize_session=False)).rowcount
    if taken != 1:
        raise Refused(f"{item.asset_no} 刚刚已被借出，请刷新后再试。", "borrower_id", 409)
    db.session.refresh(item, ["lent_qty"])
    loan = Loan(equipment_id=item.id, borrower_id=borrower.id, quantity=quantity, lent_on=lent_on, due_on=due_on,
                note=note, lent_by_id=_who(user))
    db.session.add(loan)
    pieces = f" {quantity} 件" if item.quantity > 1 else ""
    db.session.add(EquipmentEvent(equipment_id=item.id, kind="loan", happened_on=lent_on,
                                  note=f"借给 {borrower.name}{pieces}，预计 {due_on:%Y-%m-%d} 归还" + (f"（{note}）" if note else ""),
                                  user_id=_who(user)))
    db.session.flush()
    record("equipment_loan", "equipment", item.id, summary=f"{item.asset_no} {item.name} 借给 {borrower.name}{pieces}",
           after={"borrower": borrower.name, "quantity": quantity, **({"lent_on": lent_on} if on else {}),
                  "due_on": due_on, "note": note or None}, user=user)
    counts.follow_loan(item, user)
    return loan


def on_damaged_return(loan: Loan, user=None) -> None:
    """A tool came back damaged: a fault report (故障报修) opens with the return's note, so
    the item goes to 维修中 and its responsible person and the equipment managers are told;
    the repair is recorded on the fault like any other."""
    faults.report(loan.equipment, f"借用归还时损坏（{loan.borrower.name}）：{loan.return_note or '未说明'}"[:1000], user)


def return_problems(loan: Loan, condition: str, note: str = "", missing_qty: int | None = None,
                    missing_action: str = "") -> dict[str, str]:
    """What is wrong with a return as entered, every field at once (field → message; empty
    when it may be recorded)."""
    note = (note or "").strip()
    problems: dict[str, str] = {}
    if condition not in LOAN_CONDITIONS:
        problems["condition"] = "请选择归还时的状况。"
    if condition == LOAN_MISSING:
        if not missing_qty or missing_qty < 1:
            problems["missing_qty"] = "请填写缺少的件数。"
        elif missing_qty > loan.quantity:
            problems["missing_qty"] = f"缺少的件数不能多于借出的 {loan.quantity} 件。"
        if missing_action not in MISSING_ACTIONS:
            problems["missing_action"] = "请选择缺件的处理方式。"
        elif (missing_action == "reduce" and missing_qty and 1 <= missing_qty <= loan.quantity
              and missing_qty >= loan.equipment.quantity):
            problems["missing_action"] = "缺件后台账数量将为零：请改选“送修”，或在设备页将其报废。"
    if condition in (LOAN_MISSING, LOAN_DAMAGED) and not note:
        problems["note"] = "缺件或损坏时请写明情况。"
    elif len(note) > 500:
        problems["note"] = f"说明最多500字（现有{len(note)}字）。"
    return problems


def give_back(loan: Loan, condition: str, user, note: str = "", missing_qty: int | None = None,
              missing_action: str = "", *, on: date | None = None) -> Loan:
    """The return: 完好 / 缺件 (how many pieces are missing, and whether the register's
    quantity is reduced to what came back or the set goes to repair) / 损坏 (a note; the
    item goes to repair through on_damaged_return). `on`: the day it came back when it is
    recorded later (the demo), today by default. What was entered wrong is refused with
    every problem at once (FormRefused)."""
    note = (note or "").strip()
    item = loan.equipment
    if not loan.is_open:
        raise Refused(f"这次借用已于 {loan.returned_on:%Y-%m-%d} 归还。", "condition", 409)
    problems = return_problems(loan, condition, note, missing_qty, missing_action)
    if problems:
        raise FormRefused(problems)
    missing = missing_qty if condition == LOAN_MISSING else 0
    today = clock.local_now().date()
    if on is not None and not loan.lent_on <= on <= today:
        raise Refused("归还日期应在借出日期与今天之间。", "condition")
    returned_on = on or today
    # the open row is closed by a conditional UPDATE: a second clerk recording the same
    # return at once matches nothing
    closed = db.session.execute(
        update(Loan).where(Loan.id == loan.id, Loan.returned_at.is_(None))
        .values(returned_at=utcnow(), returned_on=returned_on,
                returned_by_id=_who(user), condition=condition, missing_qty=missing, return_note=note)
        .execution_options(synchronize_session=False)).rowcount
    if closed != 1:
        raise Refused("这次借用刚刚已登记归还。", "condition", 409)
    db.session.execute(update(Equipment).where(Equipment.id == item.id)
                       .values(lent_qty=Equipment.lent_qty - loan.quantity)
                       .execution_options(synchronize_session=False))
    db.session.refresh(loan)
    db.session.refresh(item, ["lent_qty"])
    before_qty = item.quantity
    text = f"{loan.borrower.name} 归还，{LOAN_CONDITIONS[condition]}"
    if missing:
        text += f"，缺 {missing} 件"
    if note:
        text += f"：{note}"
    db.session.add(EquipmentEvent(equipment_id=item.id, kind="return", happened_on=returned_on, note=text[:500],
                                  user_id=_who(user)))
    if missing and missing_action == "reduce":
        item.quantity = before_qty - missing
        db.session.add(EquipmentEvent(equipment_id=item.id, kind="edit", happened_on=returned_on,
                                      note=f"归还缺件，数量 {before_qty} → {item.quantity}", user_id=_who(user)))
    db.session.flush()
    record("equipment_return", "equipment", item.id, summary=f"{item.asset_no} {item.name} {text}"[:300],
           before={"borrower": loan.borrower.name, "quantity": loan.quantity},
           after={"condition": LOAN_CONDITIONS[condition], "missing": missing or None, "note": note or None,
                  **({"returned_on": returned_on} if on else {}),
                  **({"quantity": item.quantity} if missing and missing_action == "reduce" else {})}, user=user)
    counts.follow_loan(item, user)
    if condition == LOAN_DAMAGED or (missing and missing_action == "repair"):
        on_damaged_return(loan, user)
    return loan


# --- who holds what ------------------------------------------------------------------------------

def open_loans_stmt():
    """Open loans with their item and borrower in the same statement (both many-to-one)."""
    return (select(Loan).where(Loan.returned_at.is_(None))
            .options(joinedload(Loan.equipment), joinedload(Loan.borrower)))


def held_by(employee_id: int) -> list[Loan]:
    """The tools an employee holds now, the earliest due first."""
    return list(db.session.scalars(_held_by(), {"borrower": employee_id}))


@statement
def _held_by():
    return open_loans_stmt().where(Loan.borrower_id == bindparam("borrower")).order_by(Loan.due_on, Loan.id).limit(200)


def held_by_leaver(employee, by=None) -> list[str]:
    """Part.on_leave: the tools someone who just left still holds, for whoever recorded it."""
    loans = held_by(employee.id)
    if not loans:
        return []
    names = "、".join(f"{ln.equipment.asset_no} {ln.equipment.name}" for ln in loans[:5]) + (" 等" if len(loans) > 5 else "")
    return [f"{employee.name} 仍借用 {len(loans)} 项工具：{names}，请尽快收回（工具借用）。"]


def overdue_stmt(today: date):
    return open_loans_stmt().where(Loan.due_on < today).order_by(Loan.due_on, Loan.id)


def overdue_count(today: date) -> int:
    return db.session.scalar(select(func.count(Loan.id)).where(Loan.returned_at.is_(None), Loan.due_on < today)) or 0


@dataclass
class Leaver:
    employee: Employee
    loans: list


def leavers_holding(limit: int = 20) -> list[Leaver]:
    """Employees who left (inactive) with tools outstanding, in two queries."""
    loans = list(db.session.scalars(open_loans_stmt().join(Employee, Employee.id == Loan.borrower_id)
                                    .where(Employee.active.is_(False)).order_by(Loan.borrower_id, Loan.due_on)
                                    .limit(500)))
    out: dict[int, Leaver] = {}
    for loan in loans:
        out.setdefault(loan.borrower_id, Leaver(loan.borrower, [])).loans.append(loan)
    return list(out.values())[:limit]


def item_loans(item_id: int, limit: int = 50) -> list[Loan]:
    """An item's loans, open first, then the latest."""
    return list(db.session.scalars(
        select(Loan).where(Loan.equipment_id == item_id)
        .options(selectinload(Loan.borrower), selectinload(Loan.lent_by), selectinload(Loan.returned_by))
        .order_by(Loan.returned_at.is_not(None), Loan.id.desc()).limit(limit)))

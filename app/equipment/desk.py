"""What loans put on 我的工作台 and in the nightly notices: ready-made WorkspaceBlocks and a
notice function (app/parts.py) for the part's register(app) to hand over.

- equipment.loans_mine: the tools I hold (overdue flagged);
- equipment.loans_overdue (待我处理): overdue loans, for the equipment clerks;
- equipment.leavers_with_tools (待我处理): people who left with tools outstanding, for admin;
- equipment.faults_mine / equipment.faults_all (待我处理): the open fault reports of the items
  I am responsible for, or of every item for the equipment managers.
Each reads a few rows and a count, never the history behind them."""
from dataclasses import dataclass
from datetime import date, datetime

from flask import g
from sqlalchemy import bindparam, func, select

from app.auth.models import User
from app.equipment import loans
from app.equipment.models import FAULT_OPEN, Count, Equipment, Fault, Loan
from app.equipment.rules import sees_workshop
from app.database import statement
from app.extensions import db
from app.notices.rules import account_of, notify, url_for
from app.parts import SHOW, Desk, Listing, WorkspaceBlock
from app.permissions import can_manage_accounts
from app.staff.models import Employee


def my_tools(desk: Desk):
    """The tools the user holds now; None (no block) when he holds none."""
    if desk.employee is None:
        return None
    rows = loans.held_by(desk.employee.id)
    if not rows:
        return None
    return {"rows": rows, "today": desk.today, "overdue": sum(l.overdue(desk.today) for l in rows)}


@dataclass
class OverdueLoans(Listing):
    today: date | None = None


ATTENTION_ROWS = 200  # open loans overdue or held by leavers, read once per request


def _attention(today: date) -> list:
    """The open loans that need someone: overdue, or held by someone who left. One
    statement per request for both blocks (kept on flask.g), bounded."""
    key = f"_equipment_loan_attention_{today:%Y%m%d}"
    if key not in g:
        setattr(g, key, list(db.session.scalars(_needing_attention(), {"today": today})))
    return getattr(g, key)


@statement
def _needing_attention():
    return (loans.open_loans_stmt().join(Employee, Employee.id == Loan.borrower_id)
            .where((Loan.due_on < bindparam("today")) | Employee.active.is_(False))
            .order_by(Loan.due_on, Loan.id).limit(ATTENTION_ROWS))


def overdue_loans(desk: Desk):
    """Overdue loans (oldest due first) for whoever keeps or oversees the equipment (falsy,
    the section left out of 待我处理, when there are none)."""
    if not sees_workshop(desk.user):
        return None
    rows = [loan for loan in _attention(desk.today) if loan.due_on < desk.today]
    total = len(rows) if len(rows) < ATTENTION_ROWS else loans.overdue_count(desk.today)
    return OverdueLoans(rows[:SHOW], total, desk.today)


def leavers_with_tools(desk: Desk):
    """Employees who left (inactive) with tools outstanding, for admin (falsy: none)."""
    if not can_manage_accounts(desk.user):
        return None
    people: dict[int, loans.Leaver] = {}
    for loan in _attention(desk.today):
        if not loan.borrower.active:
            people.setdefault(loan.borrower_id, loans.Leaver(loan.borrower, [])).loans.append(loan)
    return Listing(list(people.values())[:SHOW], len(people))


@dataclass
class OpenFaults(Listing):
    mine: bool = False  # the responsible person's own items (else the whole workshop's)


def _open_faults(responsible_id: int | None) -> OpenFaults | None:
    """The newest open faults (of one responsible person's items, or all) with how many
    there are, in one statement; None when there are none."""
    rows = db.session.execute(_faults(responsible_id is not None), {"responsible": responsible_id}).all()
    if not rows:
        return None
    return OpenFaults(rows, rows[0].total, responsible_id is not None)


@statement
def _faults(of_one_person: bool):
    stmt = (select(Fault.id, Fault.description, Fault.reported_on, Equipment.id.label("item_id"),
                   Equipment.asset_no, Equipment.name, func.count().over().label("total"))
            .join(Equipment, Equipment.id == Fault.equipment_id).where(Fault.state == FAULT_OPEN))
    if of_one_person:
        stmt = stmt.where(Equipment.responsible_id == bindparam("responsible"))
    return stmt.order_by(Fault.id.desc()).limit(SHOW)


def faults_mine(desk: Desk):
    """The open faults of the items I am responsible for (Equipment.responsible); none for an
    equipment manager or whoever oversees them, who see the workshop's block."""
    if desk.employee is None or sees_workshop(desk.user):
        return None
    return _open_faults(desk.employee.id)


def faults_all(desk: Desk):
    """Every open fault, for the equipment managers and whoever oversees them."""
    if not sees_workshop(desk.user):
        return None
    return _open_faults(None)


WORKSPACE_BLOCKS = (
    WorkspaceBlock("equipment.faults_mine", "equipment/_ws_faults.html", faults_mine, order=44, card="todo"),
    WorkspaceBlock("equipment.faults_all", "equipment/_ws_faults.html", faults_all, order=44, card="todo"),
    WorkspaceBlock("equipment.loans_mine", "equipment/_ws_loans_mine.html", my_tools, order=45),
    WorkspaceBlock("equipment.loans_overdue", "equipment/_ws_loans_overdue.html", overdue_loans, order=46, card="todo"),
    WorkspaceBlock("equipment.leavers_with_tools", "equipment/_ws_leavers.html", leavers_with_tools, order=47,
                   card="todo"),
)


def overdue_loan_notices(now: datetime) -> int:
    """Each overdue loan: to the borrower (if he has an account) and the equipment clerks,
    once per loan and due date (a loan whose due date were moved would be noticed again)."""
    today = now.date()
    rows = list(db.session.scalars(loans.overdue_stmt(today).limit(1000)))
    if not rows:
        return 0
    clerks = list(db.session.scalars(select(User).where(User.active.is_(True), User.can_manage_equipment.is_(True))))
    made = 0
    for loan in rows:
        item, who = loan.equipment, loan.borrower
        days = (today - loan.due_on).days
        pieces = f" {loan.quantity} 件" if item.quantity > 1 else ""
        made += notify([account_of(who)] + clerks, f"loan-overdue:{loan.id}:{loan.due_on}", "loan",
                       f"{who.name} 借用的 {item.asset_no} {item.name}{pieces} 已逾期 {days} 天未还"
                       f"（应于 {loan.due_on:%Y-%m-%d} 归还）。", url_for("equipment.item", item_id=item.id))
    return made




def bench_pages() -> list[tuple[str, str]]:
    """The count a clerk works through and the loan list, for bench/ (the latest count)."""
    latest = db.session.scalar(select(Count.id).order_by(Count.id.desc()).limit(1))
    return [("equipment_loans", "/equipment/loans")] + ([("equipment_count", f"/equipment/counts/{latest}")]
                                                        if latest else [])

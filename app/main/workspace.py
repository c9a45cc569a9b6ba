"""我的工作台: each person's day on one page, assembled from the four parts.

Plain functions of the user (and the time), each bounded: a block reads a few rows and a
count, never the years behind it, so the page costs the same however much history there
is. The template shows a block only when it has something to say (or says so kindly).
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db

SHOW = 5  # rows a block shows before its "全部" link


@dataclass
class Block:
    rows: list = field(default_factory=list)
    total: int = 0

    def __bool__(self) -> bool:
        return self.total > 0


def my_checklist(user, now: datetime) -> dict | None:
    """My position's items today / this week / this month, with their state."""
    from app.checklists.board import board

    position = user.position
    if position is None:
        return None
    sections = board(user, now.date(), now, only=position.id)
    if not sections:
        return None
    section = sections[0]
    for kind, entries in section["groups"].items():  # an item for each holder: my own line
        section["groups"][kind] = [r for e in entries for r in (e.rows if hasattr(e, "rows") else [e])
                                   if r.subject.id in (0, user.employee_id) or r.subject.thing]
    return section


def my_trainings(employee, today: date) -> dict:
    from app.trainings.models import DONE, PLANNED, SIGNED, Attendee, Training

    mine = select(Training, Attendee).join(Attendee, Attendee.training_id == Training.id).where(
        Attendee.employee_id == employee.id)
    upcoming = db.session.execute(mine.where(Training.status == PLANNED, Training.held_on >= today)
                                  .order_by(Training.held_on, Training.start_time).limit(SHOW)).all()
    recent = db.session.execute(mine.where(Training.status == DONE, Training.held_on <= today,
                                           Attendee.status == SIGNED)  # attended: not 缺席 or 请假
                                .order_by(Training.held_on.desc()).limit(3)).all()
    year_start = date(today.year, 1, 1)
    hours = sum(t.hours for t in db.session.scalars(
        select(Training).join(Attendee, Attendee.training_id == Training.id).where(
            Attendee.employee_id == employee.id, Attendee.status == SIGNED, Training.status == DONE,
            Training.held_on >= year_start, Training.held_on <= today)))
    return {"upcoming": upcoming, "recent": recent, "hours": hours}


def my_supplies(employee, today: date) -> dict:
    from app.supplies.entitlements import due_list
    from app.supplies.models import ISSUE, StockEntry

    last = db.session.scalars(
        select(StockEntry).where(StockEntry.employee_id == employee.id, StockEntry.kind == ISSUE)
        .order_by(StockEntry.at.desc()).limit(3).options(selectinload(StockEntry.item))).all()
    return {"last": last, "due": due_list(today, employee_id=employee.id)}


def my_requisitions(employee) -> Block:
    """My latest requisitions; `total` counts the open ones (pending, approved, partly issued)."""
    from app.supplies.models import Requisition, RequisitionLine

    stmt = select(Requisition).where(Requisition.employee_id == employee.id)
    rows = db.session.scalars(
        stmt.order_by(Requisition.id.desc()).limit(SHOW)
        .options(selectinload(Requisition.lines).selectinload(RequisitionLine.item))).all()
    total = db.session.scalar(select(func.count()).select_from(
        stmt.where(Requisition.status.in_(("pending", "approved", "partial"))).subquery()))
    return Block(rows, total)


def overdue_by_position(user, now: datetime) -> Block:
    """Overdue items in the positions I supervise: a count per position, newest first."""
    from flask import current_app

    from app.checklists.board import overdue_summary

    groups = overdue_summary(user, now, current_app.config["CHECKLIST_OVERDUE_DAYS"])
    return Block(groups, sum(g["count"] for g in groups))


def self_checks_to_review(user) -> Block:
    """Self-checks (待核查) of the positions I supervise, oldest first."""
    from app.checklists.models import ChecklistItem, ChecklistMark
    from app.permissions import supervised_position_ids

    stmt = select(ChecklistMark).join(ChecklistItem, ChecklistItem.id == ChecklistMark.item_id).where(
        ChecklistMark.review == "pending", ChecklistMark.done == False, ChecklistItem.active.is_(True))  # noqa: E712
    if not user.is_admin:
        stmt = stmt.where(ChecklistItem.position_id.in_(supervised_position_ids(user) or {0}))
    rows = db.session.scalars(stmt.order_by(ChecklistMark.self_at).limit(SHOW).options(
        selectinload(ChecklistMark.item).selectinload(ChecklistItem.position),
        selectinload(ChecklistMark.self_by))).all()
    return Block(rows, db.session.scalar(select(func.count()).select_from(stmt.subquery())))


def requisitions_to_decide(user) -> Block:
    """Pending requisitions I may decide (permissions.may_decide_requisition, as a query):
    the oldest few and the count, without loading every pending one."""
    from app.staff.models import Employee
    from app.supplies.models import Requisition
    from app.supplies.requisitions import decidable_requisitions

    stmt = decidable_requisitions(user).where(Requisition.status == "pending")
    rows = db.session.scalars(stmt.order_by(Requisition.id).limit(SHOW).options(
        selectinload(Requisition.employee).selectinload(Employee.position), selectinload(Requisition.lines))).all()
    return Block(rows, db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def unconfirmed_staff(user) -> Block:
    from app.handbook.confirmations import unconfirmed

    groups = unconfirmed(user)
    return Block(groups, sum(len(g.employees) for g in groups))


def requisitions_to_issue() -> Block:
    from app.supplies.models import Requisition

    stmt = select(Requisition).where(Requisition.status.in_(("approved", "partial")))
    rows = db.session.scalars(stmt.order_by(Requisition.id).limit(SHOW)
                              .options(selectinload(Requisition.employee))).all()
    return Block(rows, db.session.scalar(select(func.count()).select_from(stmt.subquery())))


def low_stock() -> Block:
    from app.supplies.stock import below_minimum

    rows = below_minimum()
    return Block(rows[:SHOW], len(rows))


def trainings_missing_records(today: date) -> Block:
    """Held trainings (of the last year) with nobody signed in, or no report written."""
    from app.trainings.models import DONE, SIGNED, Attendee, Training

    signed = select(Attendee.id).where(Attendee.training_id == Training.id, Attendee.status == SIGNED).exists()
    stmt = select(Training).where(Training.status == DONE, Training.held_on <= today,
                                  Training.held_on >= date(today.year - 1, today.month, 1),
                                  (~signed) | (func.length(Training.content) == 0))
    rows = db.session.scalars(stmt.order_by(Training.held_on.desc()).limit(SHOW)).all()
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    return Block(rows, total)


def expiring_coverage(today: date) -> Block:
    """Required trainings and certificates expired or expiring soon (培训覆盖 到期提醒)."""
    from app.coverage.rules import expiring

    lists = expiring(today, detail=False)
    rows = lists["expired"] + lists["soon"]
    return Block(rows[:SHOW], len(rows))


def my_onboarding(employee, today: date) -> dict | None:
    """A new hire's own onboarding plan (入职计划): the steps with due dates, what is
    overdue, the mentor; None once signed off or for an employee who is no new hire."""
    from app.coverage import rules

    onboarding = rules.onboarding_for(employee)
    if onboarding is not None and onboarding.signed_off_at is not None:
        return None
    if onboarding is None and not rules.is_new_hire(employee, today):
        return None
    steps = rules.plan(employee, today)
    if not steps:
        return None
    return {"steps": steps, "onboarding": onboarding, "today": today,
            "done": sum(s.done_on is not None for s in steps),
            "overdue": sum(s.state(today) == "overdue" for s in steps)}


def account_gaps() -> dict:
    from app.auth.models import User
    from app.staff.models import Employee

    no_employee = select(User).where(User.employee_id.is_(None), User.active.is_(True))
    no_account = select(Employee).where(Employee.active.is_(True), ~Employee.account.has())
    return {
        "accounts": Block(db.session.scalars(no_employee.order_by(User.username).limit(SHOW)).all(),
                          db.session.scalar(select(func.count()).select_from(no_employee.subquery()))),
        "employees": Block(db.session.scalars(no_account.order_by(Employee.employee_no).limit(SHOW)).all(),
                           db.session.scalar(select(func.count()).select_from(no_account.subquery()))),
    }


def workspace(user, now: datetime | None = None) -> dict:
    """Everything the home page shows for this user."""
    from app.handbook.confirmations import needs_confirmation
    from app.permissions import can_issue_supplies, can_record_trainings, is_supervisor

    now = now or clock.local_now()
    today = now.date()
    employee = user.employee if user.employee and user.employee.active else None
    position = user.position
    out: dict = {"now": now, "employee": employee, "position": position,
                 "needs_confirmation": bool(position and needs_confirmation(user, position))}
    if employee is not None:
        out["checklist"] = my_checklist(user, now)
        out["trainings"] = my_trainings(employee, today)
        out["supplies"] = my_supplies(employee, today)
        out["requisitions"] = my_requisitions(employee)
        out["onboarding"] = my_onboarding(employee, today)
    if is_supervisor(user):
        out["supervisor"] = {
            "overdue": overdue_by_position(user, now),
            "review": self_checks_to_review(user),
            "decide": requisitions_to_decide(user),
            "unconfirmed": unconfirmed_staff(user),
        }
    if can_issue_supplies(user):
        out["supply_clerk"] = {"issue": requisitions_to_issue(), "low": low_stock()}
    if can_record_trainings(user):
        out["training_clerk"] = {"missing": trainings_missing_records(today), "expiring": expiring_coverage(today)}
    if user.is_admin:
        out["admin"] = account_gaps()
    return out

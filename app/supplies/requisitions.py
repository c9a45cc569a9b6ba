"""Requisitions (申领): submitted -> approved or rejected by a supervisor -> issued by a
clerk in full or in part. Every step is a record with who and when."""
from datetime import timedelta

from sqlalchemy import bindparam, func, or_, select

from app import clock
from app.audit.log import record
from app.database import statement
from app.extensions import db
from app.notices import rules as notices
from app.permissions import Reach, may_decide_requisition, may_withdraw_requisition, requisitions_visible_to
from app.staff.models import Employee
from app.supplies.entitlements import asked_beyond_standard
from app.supplies.ledger import LedgerError, ProblemsRefused, issue
from app.supplies.models import (ISSUE, REVERSAL, Entitlement, IssueSlip, Requisition, RequisitionLine,
                                 RequisitionStep, StockEntry, SupplyItem)
from app.supplies.quantity import fmt, parse

STATUS_LABELS = {"pending": "待审批", "approved": "已批准", "rejected": "已驳回",
                 "partial": "部分发放", "issued": "已发放", "withdrawn": "已撤回"}
STEP_LABELS = {"submit": "提交申请", "approve": "批准", "reject": "驳回", "issue": "发放", "withdraw": "撤回"}
OPEN = ("approved", "partial")  # approved, not yet issued in full


def _step(req: Requisition, action: str, user, note: str = "") -> None:
    db.session.add(RequisitionStep(requisition_id=req.id, action=action, user_id=user.id, note=note.strip()[:200]))


def pending_with(employee_id: int, item_ids) -> list[tuple[Requisition, list[SupplyItem]]]:
    """The person's requisitions awaiting a decision that ask for any of these items."""
    item_ids = set(item_ids)
    out = []
    for req in db.session.scalars(select(Requisition).where(Requisition.employee_id == employee_id,
                                                           Requisition.status == "pending")
                                  .order_by(Requisition.id)):
        same = [l.item for l in req.lines if l.item_id in item_ids]
        if same:
            out.append((req, same))
    return out


class RequisitionRefused(ProblemsRefused):
    """A requisition refused for what was entered: every problem of the one submit."""


def create_problems(employee, lines: list[tuple[SupplyItem, int]], reason: str, duplicate_ok: bool = False,
                    typed: list[str] = (), typed_items=()) -> dict[str, list[str]]:
    """What stops a requisition as entered, every field at once (field → messages; empty
    when it may be submitted). `typed`: the lines' own errors (parse_lines), shown first;
    `typed_items`: the ids of the items chosen on those lines, checked for a duplicate too."""
    problems: dict[str, list[str]] = {}
    if employee is None or not employee.active:
        problems["employee"] = ["您的账号未关联在职员工，不能提交申领。请联系管理员。"]
    line_problems = list(typed)
    if not lines and not typed:
        line_problems.append("请至少填写一种物品。")
    for item, qty in lines:
        if not item.active:
            line_problems.append(f"物品“{item.label}”已停用。")
        if qty <= 0:
            line_problems.append(f"“{item.label}”的数量必须大于零。")
    if line_problems:
        problems["lines"] = line_problems
    if not (reason or "").strip():
        problems["reason"] = ["请填写申领理由。"]
    asked = {item.id for item, _ in lines} | set(typed_items)
    if not duplicate_ok and employee is not None and asked:
        same = pending_with(employee.id, asked)
        if same:
            listed = "；".join(f"#{r.id}（{'、'.join(i.label for i in items)}）" for r, items in same)
            problems["duplicate"] = [f"您已有待审批的申领包含相同物品：{listed}。可等待审批、撤回原申领，"
                                     "或勾选“仍然提交”再提交一次。"]
    return problems


def create(user, lines: list[tuple[SupplyItem, int]], reason: str, duplicate_ok: bool = False) -> Requisition:
    """`duplicate_ok`: the person saw that a pending requisition asks for some of the same
    items and submits anyway. What was entered wrong is refused with every problem at once
    (RequisitionRefused, create_problems)."""
    employee = user.employee
    problems = create_problems(employee, lines, reason, duplicate_ok)
    if problems:
        raise RequisitionRefused(problems)
    req = Requisition(employee_id=employee.id, requested_by_id=user.id, reason=reason.strip()[:500])
    db.session.add(req)
    db.session.flush()
    for item, qty in lines:
        db.session.add(RequisitionLine(requisition_id=req.id, item_id=item.id, qty=qty))
    _step(req, "submit", user)
    db.session.flush()
    record("requisition_create", "requisition", req.id, summary=f"{employee.name} 申领",
           after={"lines": [[i.label, fmt(q)] for i, q in lines], "reason": req.reason})
    notices.requisition_submitted(req)
    return req


def _reached(reach: Reach):
    """SELECT of the requisitions of the people a permissions.Reach names."""
    return _requisitions_of(reach.except_employee_id or None, reach.everyone, reach.employee_ids or None,
                            reach.position_ids or None)


def reach_shape(reach: Reach) -> tuple[tuple, dict]:
    """A permissions.Reach as the arguments of reaching() (whether it leaves someone out,
    reaches everyone, employees by id, the employees of positions) and the values to run
    that statement with."""
    excluding = bool(reach.except_employee_id)
    by_employee = not reach.everyone and bool(reach.employee_ids)
    by_position = not reach.everyone and bool(reach.position_ids)
    values = {}
    if excluding:
        values["except_employee"] = reach.except_employee_id
    if by_employee:
        values["employees"] = sorted(reach.employee_ids)
    if by_position:
        values["positions"] = sorted(reach.position_ids)
    return (excluding, reach.everyone, by_employee, by_position), values


@statement
def reaching(excluding: bool, everyone: bool, by_employee: bool, by_position: bool):
    """_reached() built once per shape of the reach (reach_shape), its values bind
    parameters."""
    return _requisitions_of(bindparam("except_employee") if excluding else None, everyone,
                            bindparam("employees", expanding=True) if by_employee else None,
                            bindparam("positions", expanding=True) if by_position else None)


def _requisitions_of(except_employee, everyone: bool, employee_ids, position_ids):
    """SELECT of the requisitions of everyone or of these employees and of the employees in
    these positions, but `except_employee`'s: each a value, a bind parameter, or None (no
    such condition)."""
    stmt = select(Requisition)
    if except_employee is not None:
        stmt = stmt.where(Requisition.employee_id != except_employee)
    if everyone:
        return stmt
    conditions = []
    if employee_ids is not None:
        conditions.append(Requisition.employee_id.in_(employee_ids))
    if position_ids is not None:
        conditions.append(Requisition.employee_id.in_(
            select(Employee.id).where(Employee.position_id.in_(position_ids))))
    return stmt.where(or_(*conditions)) if conditions else stmt.where(False)


def visible_requisitions(user):
    """SELECT of the requisitions this user may see (permissions.requisitions_visible_to)."""
    return _reached(requisitions_visible_to(user))


def withdraw(req: Requisition, user) -> None:
    if req.status != "pending":
        raise LedgerError(f"该申领当前状态为“{STATUS_LABELS[req.status]}”，只有待审批的申领可以撤回。")
    if not may_withdraw_requisition(user, req):
        raise PermissionError
    req.status = "withdrawn"
    _step(req, "withdraw", user)
    db.session.flush()
    record("requisition_withdraw", "requisition", req.id, summary=f"{req.employee.name} 撤回申领",
           before={"status": "pending"}, after={"status": "withdrawn"})
    notices.settle(f"req-decide:{req.id}")  # nothing left to decide


def open_for(employee_id: int) -> list[Requisition]:
    """The person's approved requisitions not yet issued in full: a slip for him should be
    issued against them (so that they are settled)."""
    return list(db.session.scalars(select(Requisition).where(Requisition.employee_id == employee_id,
                                                            Requisition.status.in_(OPEN))
                                   .order_by(Requisition.id)))


RECENT_DAYS = 180


def decision_context(req: Requisition) -> dict:
    """What the person may get and what he got lately, for whoever decides or issues: his
    position's entitlements (劳保用品发放标准) and his issues of the last RECENT_DAYS days."""
    employee = req.employee
    entitlements = list(db.session.scalars(
        select(Entitlement).where(Entitlement.position_id == employee.position_id, Entitlement.active.is_(True))
        .order_by(Entitlement.id))) if employee.position_id else []
    since = clock.now_utc() - timedelta(days=RECENT_DAYS)
    received = list(db.session.scalars(
        select(StockEntry).where(StockEntry.employee_id == employee.id, StockEntry.kind.in_((ISSUE, REVERSAL)),
                                 StockEntry.at >= since).order_by(StockEntry.at.desc()).limit(30)))
    return {"entitlements": entitlements, "received": received, "days": RECENT_DAYS}


def beyond_standard_asked(req: Requisition, still_open: dict[int, int]) -> list:
    """The position's standards that this requisition, still to issue (`still_open`, per
    line), would exceed with what the person already received in the current period: a
    warning for the approver and the issuer (entitlements.asked_beyond_standard)."""
    if req.status not in ("pending",) + OPEN:
        return []
    return asked_beyond_standard(req.employee, [(l.item, still_open.get(l.id, 0)) for l in req.lines])


def decide(req: Requisition, user, approve: bool, note: str = "") -> None:
    if not may_decide_requisition(user, req):
        raise PermissionError
    if req.status != "pending":
        raise LedgerError(f"该申领当前状态为“{STATUS_LABELS[req.status]}”，不能再审批。")
    if not approve and not note.strip():
        raise LedgerError("驳回时请填写理由。", "note")
    req.status = "approved" if approve else "rejected"
    _step(req, "approve" if approve else "reject", user, note)
    db.session.flush()
    record("requisition_approve" if approve else "requisition_reject", "requisition", req.id,
           summary=f"{req.employee.name} 的申领：{STATUS_LABELS[req.status]}", after={"note": note})
    notices.requisition_decided(req, approve, note)


def issued_per_line(req: Requisition) -> dict[int, int]:
    ids = [l.id for l in req.lines]
    if not ids:
        return {}
    rows = db.session.execute(
        select(StockEntry.requisition_line_id, func.coalesce(func.sum(StockEntry.qty), 0))
        .where(StockEntry.requisition_line_id.in_(ids)).group_by(StockEntry.requisition_line_id)
    )
    out = {i: 0 for i in ids}
    out.update({line_id: -int(total) for line_id, total in rows})
    return out


CLOSED_UNISSUED = ("rejected", "withdrawn")  # nothing of these is owed


def open_per_line(req: Requisition) -> dict[int, int]:
    """What is still owed of each line: nothing of a rejected or withdrawn requisition."""
    if req.status in CLOSED_UNISSUED:
        return {l.id: 0 for l in req.lines}
    issued = issued_per_line(req)
    return {l.id: max(l.qty - issued[l.id], 0) for l in req.lines}


def _issue_note(slip: IssueSlip) -> str:
    """The note of a 发放 step: the slip it made, by number (step_slips finds it by this)."""
    return f"领用单 {slip.number}"


def step_slips(req: Requisition) -> dict[int, IssueSlip]:
    """The slip of each 发放 step of the requisition (step id -> slip), for its page to link:
    fulfil notes the step as 领用单 <number>, and the requisition's slips are read in one query."""
    issued = [s for s in req.steps if s.action == "issue"]
    if not issued:
        return {}
    by_note = {_issue_note(slip): slip for slip in db.session.scalars(
        select(IssueSlip).where(IssueSlip.requisition_id == req.id))}
    return {s.id: by_note[s.note] for s in issued if s.note in by_note}


def issue_quantities(req: Requisition, typed: dict[str, str]) -> dict[int, int]:
    """line id -> milli-units from the issue form's qty-<line id> fields (blank: none of
    that line); QuantityError for one that is not a quantity of its item's unit."""
    quantities = {}
    for line in req.lines:
        text = (typed.get(f"qty-{line.id}") or "").strip()
        quantities[line.id] = parse(text, line.item.decimals, allow_zero=True) if text else 0
    return quantities


def fulfil(req: Requisition, user, quantities: dict[int, int], note: str = ""):
    """Issue `quantities` (line id -> milli-units) of an approved requisition."""
    if req.status not in ("approved", "partial"):
        raise LedgerError(f"该申领当前状态为“{STATUS_LABELS[req.status]}”，不能发放。")
    remaining = open_per_line(req)
    lines, links = [], {}
    for line in req.lines:
        qty = quantities.get(line.id, 0)
        if qty < 0:
            raise LedgerError("发放数量不能为负数。", "lines")
        if qty > remaining[line.id]:
            raise LedgerError(f"“{line.item.label}”最多还可发放 {fmt(remaining[line.id])} {line.item.unit}。", "lines")
        if qty:
            links[len(lines)] = line.id
            lines.append((line.item, qty))
    if not lines:
        raise LedgerError("请至少填写一行发放数量。", "lines")
    slip = issue(req.employee, lines, user, note=note, requisition=req, requisition_lines=links)
    left = open_per_line(req)
    req.status = "issued" if not any(left.values()) else "partial"
    _step(req, "issue", user, _issue_note(slip))
    db.session.flush()
    notices.requisition_issued(req, slip)
    return slip

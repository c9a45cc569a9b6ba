"""State changes of the coverage part, each with its audit record."""
from datetime import time, timedelta

from sqlalchemy import func, select

from app import clock, uploads
from app.audit.log import record
from app.coverage.models import Certificate, Onboarding, OnboardingDone, OnboardingStep, Requirement, TrainingFulfils
from app.coverage.rules import plan
from app.extensions import db
from app.org.models import Position
from app.staff.models import Employee
from app.trainings.models import PLANNED, Training, TrainingCategory
from app.trainings.records import add_employees

SUB = "certificates"


class Refused(ValueError):
    """A change that does not fit; the message is shown to the user."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


def add_requirement(position, form) -> Requirement:
    name = form.name.data.strip()
    if db.session.scalar(select(Requirement.id).filter_by(position_id=position.id, name=name)):
        raise Refused(f"「{position.title}」已有要求「{name}」，不能重复添加。", 409)
    order = db.session.scalar(select(func.max(Requirement.sort_order)).filter_by(position_id=position.id)) or 0
    r = Requirement(position_id=position.id, name=name, category_id=form.category_id.data or None,
                    course=(form.course.data or "").strip(), due_days=form.due_days.data,
                    interval_months=form.interval_months.data, certificate=bool(form.certificate.data),
                    sort_order=order + 1)
    db.session.add(r)
    db.session.flush()
    record("requirement_create", "position", position.id, summary=f"{position.title}：培训要求「{name}」",
           after=r.snapshot())
    return r


def set_requirement_active(r: Requirement, active: bool) -> None:
    before = r.snapshot()
    r.active = active
    db.session.flush()
    record("requirement_update", "position", r.position_id,
           summary=f"{r.position.title}：培训要求「{r.name}」" + ("恢复" if active else "停用"),
           before=before, after=r.snapshot())


def set_step_active(step: OnboardingStep, active: bool) -> None:
    """Retire (or bring back) an onboarding step. Plans leave a retired step out, except
    where it was already done: that record stays on the employee's plan and print-out."""
    before = {"title": step.title, "due_days": step.due_days, "active": step.active}
    step.active = active
    db.session.flush()
    record("onboarding_step_update", "position", step.position_id,
           summary=f"{db.session.get(Position, step.position_id).title}：入职步骤「{step.title}」"
           + ("恢复" if active else "停用"),
           before=before, after={**before, "active": active})


def add_step(position, form) -> OnboardingStep:
    order = db.session.scalar(select(func.max(OnboardingStep.sort_order)).filter_by(position_id=position.id)) or 0
    s = OnboardingStep(position_id=position.id, title=form.title.data.strip(), due_days=form.due_days.data,
                       sort_order=order + 1)
    db.session.add(s)
    db.session.flush()
    record("onboarding_step_create", "position", position.id, summary=f"{position.title}：入职步骤「{s.title}」",
           after={"title": s.title, "due_days": s.due_days})
    return s


def discard(stored: list) -> None:
    uploads.discard(SUB, stored)


def add_certificate(employee: Employee, form, user, stored: list) -> Certificate:
    c = Certificate(employee_id=employee.id, name=form.name.data.strip(), number=(form.number.data or "").strip(),
                    issuer=(form.issuer.data or "").strip(), issued_on=form.issued_on.data,
                    expires_on=form.expires_on.data, requirement_id=form.requirement_id.data or None,
                    created_by_id=user.id)
    upload = form.scan.data
    if upload is not None and getattr(upload, "filename", ""):
        c.scan_key, c.scan_kind, c.scan_name, written = uploads.store_scan(upload, SUB)
        stored.extend(written)
    db.session.add(c)
    db.session.flush()
    record("certificate_create", "employee", employee.id, summary=f"{employee.name}：证书「{c.name}」",
           after=c.snapshot())
    return c


def start_onboarding(employee: Employee, mentor_id: int | None) -> Onboarding:
    """Start an employee's onboarding plan, or change its mentor (带教师傅, an employee)."""
    ob = db.session.scalar(select(Onboarding).filter_by(employee_id=employee.id))
    mentor = db.session.get(Employee, mentor_id) if mentor_id else None
    if mentor_id:
        # Who the picker offers (rules.mentor_rows): another active employee, or the plan's
        # own mentor after he left.
        kept = ob is not None and ob.mentor_id == mentor_id
        if mentor is None or mentor.id == employee.id or not (mentor.active or kept):
            raise Refused("带教师傅不存在或已离职，请另选。")
    if ob is None:
        ob = Onboarding(employee_id=employee.id)
        db.session.add(ob)
    ob.mentor_id = mentor_id
    db.session.flush()
    record("onboarding_update", "employee", employee.id,
           summary=f"{employee.name}：入职计划" + (f"，带教师傅 {mentor.name}" if mentor else ""),
           after={"mentor": mentor.name if mentor else None})
    return ob


def mark_step(employee: Employee, step: OnboardingStep, user, note: str) -> OnboardingDone:
    if step.position_id != employee.position_id:
        raise Refused("该步骤不属于此员工的岗位。", 409)
    if not step.active:
        raise Refused(f"「{step.title}」已停用，不能再记录完成。", 409)
    ob = db.session.scalar(select(Onboarding).filter_by(employee_id=employee.id)) or start_onboarding(employee, None)
    if ob.signed_off_at is not None:
        raise Refused("已上岗确认，入职记录不能再修改。", 409)
    if db.session.scalar(select(OnboardingDone.id).filter_by(onboarding_id=ob.id, step_id=step.id)):
        raise Refused(f"「{step.title}」已记录完成。", 409)
    d = OnboardingDone(onboarding_id=ob.id, step_id=step.id, done_on=clock.local_now().date(), by_id=user.id,
                       note=(note or "").strip()[:200])
    db.session.add(d)
    db.session.flush()
    record("onboarding_step_done", "employee", employee.id, summary=f"{employee.name}：入职步骤「{step.title}」已完成",
           after={"note": d.note})
    return d


class SignOffRefused(Refused):
    """上岗确认 refused: `problems` (what to correct), and `unfinished`, the steps still
    open that the signer has not acknowledged yet (the checkbox then appears)."""

    def __init__(self, problems: list[str], unfinished: list[str]):
        super().__init__("；".join(problems) + ("、".join(unfinished) if unfinished else ""), 422)
        self.problems, self.unfinished = problems, unfinished


def unfinished_steps(steps, today) -> list[str]:
    """The plan's steps not done, as the sign-off names them: 「安全生产培训（已逾期）」."""
    return [f"{s.title}（{s.LABELS[s.state(today)]}）" for s in steps if s.done_on is None]


def sign_off(employee: Employee, user, note: str, acknowledged: bool = False) -> Onboarding:
    """上岗确认. With steps of the plan still unfinished it is refused until the signer
    acknowledges them (`acknowledged`: 我已知悉以上未完成项); they are then kept with the
    sign-off and named in its audit record and on the print-out."""
    note = (note or "").strip()[:200]
    ob = db.session.scalar(select(Onboarding).filter_by(employee_id=employee.id))
    if ob is not None and ob.signed_off_at is not None:
        raise Refused("已上岗确认。", 409)
    today = clock.local_now().date()
    unfinished = unfinished_steps(plan(employee, today), today)
    problems = [] if note else ["上岗确认请填写意见。"]
    if unfinished and not acknowledged:
        problems.append(f"还有 {len(unfinished)} 项入职步骤未完成。请先完成，"
                        "或勾选“我已知悉以上未完成项，仍确认上岗”后再提交：")
    if problems:
        raise SignOffRefused(problems, unfinished if not acknowledged else [])
    ob = ob or start_onboarding(employee, None)
    ob.signed_off_by_id, ob.signed_off_at, ob.sign_off_note = user.id, clock.now_utc(), note
    ob.sign_off_open = unfinished or None
    db.session.flush()
    record("onboarding_signoff", "employee", employee.id,
           summary=f"{employee.name}：上岗确认" + (f"（{len(unfinished)} 项入职步骤未完成）" if unfinished else ""),
           after={"note": note, "unfinished": unfinished} if unfinished else {"note": note})
    return ob


def withdraw_sign_off(employee: Employee, user, reason: str) -> Onboarding:
    """撤销上岗确认: the plan is open again (steps can be marked, signed off anew); the
    sign-off withdrawn stays in the audit record, with the reason."""
    reason = (reason or "").strip()[:200]
    ob = db.session.scalar(select(Onboarding).filter_by(employee_id=employee.id))
    if ob is None or ob.signed_off_at is None:
        raise Refused("尚未上岗确认，无需撤销。", 409)
    if not reason:
        raise Refused("撤销上岗确认请填写原因。")
    before = {"signed_off_by": ob.signed_off_by.name if ob.signed_off_by else None,
              "signed_off_at": clock.to_local(ob.signed_off_at).strftime("%Y-%m-%d %H:%M"),
              "note": ob.sign_off_note, "unfinished": ob.sign_off_open or []}
    ob.signed_off_by_id = ob.signed_off_at = ob.sign_off_open = None
    ob.sign_off_note = ""
    db.session.flush()
    record("onboarding_signoff_withdraw", "employee", employee.id, summary=f"{employee.name}：撤销上岗确认（{reason}）",
           before=before, after={"reason": reason})
    return ob


def gap_attendees(requirement: Requirement, employee_ids: list[int]) -> list[Employee]:
    """The employees picked from a gap of the matrix: every one active and in the
    requirement's position, or a refusal."""
    employees = list(db.session.scalars(select(Employee).where(Employee.id.in_(employee_ids or [0]),
                                                              Employee.position_id == requirement.position_id,
                                                              Employee.active.is_(True))))
    if len(employees) != len(set(employee_ids)):
        raise Refused("所选员工不属于该要求的岗位，或已离职。")
    return employees


def gap_training(requirement: Requirement, employees: list[Employee], user):
    """A planned session for the employees missing a requirement, in a week's time; the
    clerk then sets its time and place."""
    if not employees:
        raise Refused("请至少选择一名员工。")
    category_id = requirement.category_id or db.session.scalar(
        select(TrainingCategory.id).where(TrainingCategory.active.is_(True)).order_by(TrainingCategory.sort_order))
    t = Training(topic=requirement.course or requirement.name, category_id=category_id,
                 held_on=clock.local_now().date() + timedelta(days=7), start_time=time(14, 0), end_time=time(16, 0),
                 organiser=user.name, status=PLANNED, created_by_id=user.id)
    db.session.add(t)
    db.session.flush()
    db.session.add(TrainingFulfils(training_id=t.id, requirement_id=requirement.id))
    record("training_create", "training", t.id, summary=f"{t.topic}（补齐「{requirement.name}」）", after=t.snapshot())
    add_employees(t, employees)
    db.session.flush()
    return t


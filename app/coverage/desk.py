"""The coverage part's blocks of 我的工作台: a new hire's onboarding plan, my own
certificates and trainings that lapse, and for the training clerks (every position) and
supervisors (theirs) what expires."""
from app.coverage import rules
from app.parts import Desk, Listing, SHOW
from app.permissions import can_record_trainings, supervised_position_ids


def my_onboarding(desk: Desk) -> dict | None:
    """A new hire's own onboarding plan (入职计划): the steps with due dates, what is
    overdue, the mentor; None once signed off or for an employee who is no new hire."""
    employee, today = desk.employee, desk.today
    if employee is None:
        return None
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


def new_hires_to_sign_off(desk: Desk) -> dict | None:
    """New hires not yet signed off (上岗确认), for the supervisors of their positions (who
    sign off) and their mentor (带教师傅): who, since when, with whom; their plans are
    one tap away (each plan costs several statements: not read here)."""
    supervised = supervised_position_ids(desk.user)
    mentor = desk.employee.id if desk.employee is not None else None
    if not supervised and mentor is None:
        return None
    rows, total = rules.awaiting_sign_off(sorted(supervised), mentor, desk.today, SHOW)
    return {"rows": rows, "total": total, "today": desk.today} if rows else None


def expiring_coverage(desk: Desk) -> Listing | None:
    """Required trainings and certificates expired or expiring soon (培训覆盖 到期提醒):
    every position's for the training clerks, those of the positions he supervises for a
    supervisor (a lift operator's certificate lapsed in his team)."""
    if can_record_trainings(desk.user):
        lists = rules.expiring(desk.today, detail=False)
    elif supervised := supervised_position_ids(desk.user):
        lists = rules.expiring(desk.today, detail=False, position_ids=sorted(supervised))
    else:
        return None
    rows = lists["expired"] + lists["soon"]
    return Listing(rows[:SHOW], len(rows)) if rows else None


def my_coverage(desk: Desk) -> list | None:
    """My own required certificates and recurring trainings that have lapsed, lapse soon or
    (a certificate) are missing, as (requirement, cell); None when all is in order."""
    employee = desk.employee
    if employee is None or employee.position_id is None:
        return None
    reqs = [r for r in rules.requirements_of([employee.position_id]) if r.certificate or r.interval_months]
    if not reqs:
        return None
    # dates only (no session named): the latest per category as training_latest keeps it
    found = rules.evidence([employee.id], reqs, desk.today, detail=False,
                           positions={employee.id: employee.position_id})
    warn, rows = rules.warn_days(), []
    for r in reqs:
        cell = rules.cell(r, found.get((employee.id, r.id)), desk.today, warn)
        if cell.state in (rules.EXPIRED, rules.SOON) or (cell.state == rules.MISSING and r.certificate):
            rows.append((r, cell))
    order = {rules.EXPIRED: 0, rules.MISSING: 1, rules.SOON: 2}
    return sorted(rows, key=lambda rc: (order[rc[1].state], rc[1].expires or desk.today)) or None

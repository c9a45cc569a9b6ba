"""The coverage part's blocks of 我的工作台: a new hire's onboarding plan, and for the
training clerks what expires."""
from app.coverage import rules
from app.parts import Desk, Listing, SHOW
from app.permissions import can_record_trainings


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


def expiring_coverage(desk: Desk) -> Listing | None:
    """Required trainings and certificates expired or expiring soon (培训覆盖 到期提醒)."""
    if not can_record_trainings(desk.user):
        return None
    lists = rules.expiring(desk.today, detail=False)
    rows = lists["expired"] + lists["soon"]
    return Listing(rows[:SHOW], len(rows)) if rows else None

"""Demo data of the coverage part (`flask --app wsgi seed-demo`, app.demo.seed_demo)."""

from sqlalchemy import select

from app import clock
from app.auth.models import User
from app.coverage.models import Certificate, Onboarding, OnboardingDone, OnboardingStep, Requirement
from app.extensions import db
from app.org.models import Position
from app.staff.models import Employee
from app.trainings.models import TrainingCategory


DEMO_REQUIREMENTS = [
    # (position, name, category, course, due days after hire, repeat months, certificate)
    ("technician", "安全生产培训", "安全/5S", "", 30, 12, False),
    ("technician", "举升机操作证", None, "", None, None, True),
    ("technician", "厂家技术认证", "厂家培训", "", None, None, False),
    ("service_advisor", "服务流程与接待礼仪", "服务流程", "", 30, 12, False),
    ("workshop_clerk", "岗前安全培训", "安全/5S", "", 30, None, False),
]


def seed_coverage() -> list[str]:
    """Training requirements for 技师, 服务顾问 and 车间文员; 举升机操作证 certificates (one
    expiring within 30 days, one expired); 林涛, a new hire three weeks in, with an
    onboarding plan partly done and 何师傅 as his mentor."""
    from datetime import timedelta

    if db.session.scalar(select(Requirement.id).limit(1)):
        return []
    admin = db.session.scalar(select(User).where(User.is_admin.is_(True)).order_by(User.id))
    clerk = db.session.scalar(select(User).filter_by(username="chenxy")) or admin
    positions = {p.seed_key: p for p in db.session.scalars(select(Position)) if p.seed_key}
    cats = {c.name: c.id for c in db.session.scalars(select(TrainingCategory))}
    if clerk is None or "technician" not in positions:
        return []
    reqs = {}
    for order, (pos, name, cat, course, due, months, cert) in enumerate(DEMO_REQUIREMENTS, start=1):
        r = Requirement(position_id=positions[pos].id, name=name, category_id=cats.get(cat) if cat else None,
                        course=course, due_days=due, interval_months=months, certificate=cert, sort_order=order)
        db.session.add(r)
        reqs[name] = r
    db.session.flush()
    today = clock.local_now().date()
    staff = {e.employee_no: e for e in db.session.scalars(select(Employee))}
    for no, issued_ago, valid_days in (("S012", 710, 20), ("S013", 740, -10), ("S014", 300, 430)):
        if no in staff:
            db.session.add(Certificate(employee_id=staff[no].id, requirement_id=reqs["举升机操作证"].id,
                                       name="特种设备作业人员证（举升机）", number=f"TZ{no[1:]}2024",
                                       issuer="市场监督管理局", issued_on=today - timedelta(days=issued_ago),
                                       expires_on=today + timedelta(days=valid_days), created_by_id=clerk.id))
    tech = positions["technician"]
    notice = OnboardingStep(position_id=tech.id, title="安全告知", due_days=3, sort_order=1)
    mentoring = OnboardingStep(position_id=tech.id, title="师傅带教", due_days=30, sort_order=2)
    db.session.add_all([notice, mentoring])
    db.session.flush()
    new = staff.get("S015")
    if new is not None:  # hired NEW_HIRE_DAYS ago (app.demo)
        ob = Onboarding(employee_id=new.id, mentor_id=staff["S012"].id if "S012" in staff else None)
        db.session.add(ob)
        db.session.flush()
        db.session.add(OnboardingDone(onboarding_id=ob.id, step_id=notice.id, done_on=today - timedelta(days=20),
                                      by_id=clerk.id, note="已讲解车间安全须知并签字"))
    db.session.flush()
    return [f"培训要求：{len(DEMO_REQUIREMENTS)} 项（技师、服务顾问、车间文员），3 张举升机操作证（1 张 30 天内到期、"
            "1 张已过期），新员工林涛入职第三周的入职计划。"]


def demo(fresh: bool) -> list[str]:
    """`fresh`: the demo staff was created by this run."""
    return seed_coverage() if fresh else []

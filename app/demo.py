"""Demo data for trying the app (`flask --app wsgi seed-demo`); never run automatically."""
from datetime import date

from sqlalchemy import select

from app.audit.log import record
from app.auth.models import User
from app.extensions import db
from app.org.models import Position
from app.staff.models import Employee

DEMO_PASSWORD = "demo-password-2026"

# (employee number, name, position seed key, phone, hire date, account username, capabilities)
DEMO_STAFF = [
    ("S001", "王建国", "after_sales_manager", "13800000001", date(2015, 3, 2), "wangjg", {}),
    ("S002", "李静", "after_sales_clerk", "13800000002", date(2019, 7, 15), "lijing",
     {"can_issue_supplies": True}),
    ("S003", "张伟", "workshop_manager", "13800000003", date(2016, 5, 9), "zhangwei", {}),
    ("S004", "刘洋", "front_desk_supervisor", "13800000004", date(2017, 8, 21), "liuyang", {}),
    ("S005", "陈晓燕", "workshop_clerk", "13800000005", date(2021, 2, 26), "chenxy",
     {"can_record_trainings": True, "can_issue_supplies": True}),
    ("S006", "赵敏", "customer_service", "13800000006", date(2022, 9, 1), "zhaomin", {}),
    ("S007", "孙磊", "claims_specialist", "13800000007", date(2020, 4, 13), None, {}),
    ("S008", "周杰", "service_advisor", "13800000008", date(2023, 3, 6), "zhoujie", {}),
    ("S009", "吴昊", "service_advisor", "13800000009", date(2024, 6, 17), None, {}),
    ("S010", "郑海涛", "technical_supervisor", "13800000010", date(2018, 10, 8), None, {}),
    ("S011", "冯志强", "dispatcher", "13800000011", date(2020, 11, 30), None, {}),
    ("S012", "何师傅", "technician", "13800000012", date(2012, 6, 1), "hesf", {}),
    ("S013", "马超", "technician", "13800000013", date(2019, 3, 18), None, {}),
    ("S014", "黄小明", "technician", "13800000014", date(2025, 7, 7), None, {}),
    ("S015", "林涛", "technician", "13800000015", date(2026, 10, 12), None, {}),
]


def seed_staff() -> list[str]:
    positions = {p.seed_key: p for p in db.session.scalars(select(Position)) if p.seed_key}
    report = []
    for no, name, key, phone, hired, username, caps in DEMO_STAFF:
        employee = db.session.scalar(select(Employee).filter_by(employee_no=no))
        if employee is None:
            employee = Employee(employee_no=no, name=name, position=positions.get(key),
                                phone=phone, hire_date=hired)
            db.session.add(employee)
            db.session.flush()
            record("employee_create", "employee", employee.id, summary=f"演示数据 {name}",
                   after=employee.snapshot())
        if username and db.session.scalar(select(User).filter_by(username=username)) is None:
            user = User(username=username, employee=employee, **caps)
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            db.session.flush()
            record("user_create", "user", user.id, summary=f"演示账号 {username}",
                   after=user.snapshot())
            title = employee.position.title if employee.position else "-"
            report.append(f"  {username:<10} {name}（{title}）")
    if report:
        report.insert(0, f"演示账号（密码均为 {DEMO_PASSWORD}）：")
    return report




def seed_confirmations() -> list[str]:
    """Some demo employees have confirmed their position's current revision, some not."""
    from app.handbook.confirmations import confirm, needs_confirmation

    report = []
    for username in ("lijing", "zhaomin", "zhangwei"):
        user = db.session.scalar(select(User).filter_by(username=username))
        if user is None or user.position is None or not needs_confirmation(user, user.position):
            continue
        from app.handbook.revisions import current_revision

        confirm(user, user.position, current_revision(user.position).number)
        report.append(f"  {user.name} 已确认阅读「{user.position.title}」")
    if report:
        report.insert(0, "阅读确认（陈晓燕、王建国等其余人员尚未确认）：")
    return report


def seed_demo() -> list[str]:
    report = seed_staff() + seed_confirmations()
    return report or ["演示数据已存在，未做改动。"]

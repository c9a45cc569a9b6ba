"""Demo data for trying the app (`flask --app wsgi seed-demo`); never run automatically."""
from datetime import date, timedelta

from sqlalchemy import select

from app import clock
from app.audit.log import record
from app.auth.models import User
from app.extensions import db
from app.org.models import Position
from app.parts import demo_steps
from app.staff.models import Employee

DEMO_PASSWORD = "demo-password-2026"
NEW_HIRE_DAYS = 21  # the new hire joined three weeks before the demo is seeded: every part's demo finds him so

# (employee number, name, position seed key, phone, hire date, account username, capabilities)
DEMO_STAFF = [
    ("S001", "王建国", "after_sales_manager", "13800000001", date(2015, 3, 2), "wangjg", {}),
    ("S002", "李静", "after_sales_clerk", "13800000002", date(2019, 7, 15), "lijing",
     {"can_issue_supplies": True}),
    ("S003", "张伟", "workshop_manager", "13800000003", date(2016, 5, 9), "zhangwei", {"can_manage_equipment": True}),
    ("S004", "刘洋", "front_desk_supervisor", "13800000004", date(2017, 8, 21), "liuyang", {}),
    ("S005", "陈晓燕", "workshop_clerk", "13800000005", date(2021, 2, 26), "chenxy",
     {"can_record_trainings": True, "can_issue_supplies": True, "can_manage_equipment": True}),
    ("S006", "赵敏", "customer_service", "13800000006", date(2022, 9, 1), "zhaomin", {}),
    ("S007", "孙磊", "claims_specialist", "13800000007", date(2020, 4, 13), None, {}),
    ("S008", "周杰", "service_advisor", "13800000008", date(2023, 3, 6), "zhoujie", {}),
    ("S009", "吴昊", "service_advisor", "13800000009", date(2024, 6, 17), None, {}),
    ("S010", "郑海涛", "technical_supervisor", "13800000010", date(2018, 10, 8), None, {}),
    ("S011", "冯志强", "dispatcher", "13800000011", date(2020, 11, 30), None, {}),
    ("S012", "何师傅", "technician", "13800000012", date(2012, 6, 1), "hesf", {}),
    ("S013", "马超", "technician", "13800000013", date(2019, 3, 18), None, {}),
    ("S014", "黄小明", "technician", "13800000014", date(2025, 7, 7), None, {}),
    ("S015", "林涛", "technician", "13800000015", None, "lintao", {}),  # the new hire: three weeks in (NEW_HIRE_DAYS)
]


# (clothing size, shoe size) of the workshop staff; 林涛, hired last month, has none yet,
# so a slip pre-filled from the entitlements asks for his sizes.
DEMO_SIZES = {"S012": ("XL", "42"), "S013": ("L", "43"), "S014": ("L", "42"), "S003": ("XL", "43")}


def seed_staff() -> list[str]:
    positions = {p.seed_key: p for p in db.session.scalars(select(Position)) if p.seed_key}
    report = []
    for no, name, key, phone, hired, username, caps in DEMO_STAFF:
        employee = db.session.scalar(select(Employee).filter_by(employee_no=no))
        if employee is None:
            clothing, shoe = DEMO_SIZES.get(no, (None, None))
            hired = hired or clock.local_now().date() - timedelta(days=NEW_HIRE_DAYS)
            employee = Employee(employee_no=no, name=name, position=positions.get(key),
                                phone=phone, hire_date=hired, clothing_size=clothing, shoe_size=shoe)
            db.session.add(employee)
            db.session.flush()
            record("employee_create", "employee", employee.id, summary=f"演示数据 {name}",
                   after=employee.snapshot())
        if username and db.session.scalar(select(User).filter_by(username=username)) is None:
            user = User(username=username, employee=employee, must_change_password=True, **caps)
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


def demo_photo(seed: int, size=(1600, 1200)) -> bytes:
    """A real JPEG made with Pillow: a coloured scene with a few shapes."""
    import io
    import random

    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    img = Image.new("RGB", size, (rng.randint(60, 200), rng.randint(60, 200), rng.randint(60, 200)))
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x, y = rng.randint(0, size[0]), rng.randint(0, size[1])
        r = rng.randint(40, 260)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)))
    draw.rectangle((0, size[1] * 2 // 3, size[0], size[1]), fill=(90, 90, 100))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=88)
    return out.getvalue()


class DemoRefused(Exception):
    pass


def foreign_data() -> list[str]:
    """People and accounts the demo did not create (the first admins aside)."""
    numbers = {row[0] for row in DEMO_STAFF}
    usernames = {row[5] for row in DEMO_STAFF if row[5]}
    people = [e.name for e in db.session.scalars(select(Employee).where(Employee.employee_no.not_in(numbers)).limit(5))]
    accounts = [u.username for u in db.session.scalars(
        select(User).where(User.username.not_in(usernames), User.is_admin.is_(False)).limit(5))]
    return people + accounts


def seed_demo(force: bool = False) -> list[str]:
    """The demo data, into a fresh installation only: a database that already holds real
    people or accounts is refused unless `force`."""
    foreign = foreign_data()
    if foreign and not force:
        raise DemoRefused("数据库中已有非演示的员工或账号（" + "、".join(foreign) + "），未添加演示数据。"
                          "确需添加请使用 --force。")
    staff = seed_staff()
    # Some demo data only with staff created now (a later run never confirms revisions
    # nobody has read): each part's demo is told whether the staff is fresh.
    report = staff + [line for _, step in demo_steps() for line in step(bool(staff))]
    return report or ["演示数据已存在，未做改动。"]

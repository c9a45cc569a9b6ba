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




def seed_checklist_ticks(days: int = 62, seed: int = 7) -> list[str]:
    """About two months of ticks for every checklist item: most on time, some late (补录),
    some missed. Ticks are made by a supervisor of the position. Skipped if any exist."""
    import random
    from datetime import timedelta

    from app import clock
    from app.checklists.models import ChecklistEvent, ChecklistItem, ChecklistMark
    from app.checklists.schedule import occurrences_between
    from app.permissions import supervises

    if db.session.scalar(select(ChecklistMark.id).limit(1)):
        return []
    rng = random.Random(seed)
    now = clock.local_now()
    users = [u for u in db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id))]
    made = late_n = missed = 0
    for item in db.session.scalars(select(ChecklistItem).where(ChecklistItem.active.is_(True))):
        tickers = [u for u in users if not u.is_admin and supervises(u, item.position)] or \
                  [u for u in users if u.is_admin]
        if not tickers:
            continue
        # Demo items count as existing from the start of the demo window.
        item.created_at = clock.to_utc(now - timedelta(days=days))
        for occ in occurrences_between(item.rule(), (now - timedelta(days=days)).date(), now.date(),
                                       clock.workday_end()):
            if occ.due_at >= now:
                continue
            roll = rng.random()
            if roll < 0.12:
                missed += 1
                continue
            late = roll < 0.22
            at_local = occ.due_at + timedelta(hours=rng.randint(2, 40)) if late else \
                occ.due_at - timedelta(minutes=rng.randint(5, 240))
            at = clock.to_utc(min(at_local, now))
            user = rng.choice(tickers)
            db.session.add(ChecklistMark(item_id=item.id, period_key=occ.period.key, due_at=occ.due_at, done=True,
                                         by_id=user.id, at=at, late=late,
                                         note="当天补录" if late and rng.random() < 0.5 else ""))
            db.session.add(ChecklistEvent(item_id=item.id, period_key=occ.period.key, action="tick",
                                          user_id=user.id, at=at, late=late))
            made += 1
            late_n += late
    db.session.flush()
    return [f"点检记录：{made} 次勾选（其中补录 {late_n} 次），{missed} 次未完成。"] if made else []


def seed_demo() -> list[str]:
    report = seed_staff() + seed_confirmations() + seed_checklist_ticks() + seed_supplies()
    return report or ["演示数据已存在，未做改动。"]


DEMO_SUPPLIES = [
    # (category, name, spec, unit, min stock, received)
    ("劳保用品", "工作服", "XL", "套", 5, 12),
    ("劳保用品", "工作服", "L", "套", 5, 3),
    ("劳保用品", "劳保鞋", "42码", "双", 4, 10),
    ("劳保用品", "防滑手套", "", "副", 50, 120),
    ("劳保用品", "一次性口罩", "", "盒", 10, 6),
    ("办公用品", "A4复印纸", "70g", "包", 10, 30),
    ("办公用品", "签字笔", "0.5mm 黑", "支", 30, 100),
    ("办公用品", "文件夹", "", "个", 20, 12),
]


def seed_supplies() -> list[str]:
    """Items in both categories (some below minimum), receipts, slips, a reversal,
    entitlements for 技师 and a requisition in each state. Skipped if items exist."""
    from app.org.models import Position
    from app.supplies import ledger, requisitions
    from app.supplies.models import Entitlement, SupplyCategory, SupplyItem

    if db.session.scalar(select(SupplyItem.id).limit(1)):
        return []
    clerk = db.session.scalar(select(User).filter_by(username="chenxy"))
    office_clerk = db.session.scalar(select(User).filter_by(username="lijing"))
    manager = db.session.scalar(select(User).filter_by(username="wangjg"))
    if not (clerk and office_clerk and manager):
        return []
    cats = {c.name: c for c in db.session.scalars(select(SupplyCategory))}
    items = {}
    for cat, name, spec, unit, minimum, received in DEMO_SUPPLIES:
        item = SupplyItem(name=name, spec=spec, unit=unit, category_id=cats[cat].id, min_stock=minimum * 1000)
        db.session.add(item)
        db.session.flush()
        ledger.receive(item, received * 1000, clerk if cat == "劳保用品" else office_clerk, supplier="本地供应商")
        items[(name, spec)] = item
    emps = {e.employee_no: e for e in db.session.scalars(select(Employee))}
    ledger.issue(emps["S012"], [(items[("工作服", "XL")], 2000), (items[("劳保鞋", "42码")], 1000)], clerk)
    ledger.issue(emps["S013"], [(items[("防滑手套", "")], 4000), (items[("一次性口罩", "")], 1000)], clerk)
    wrong = ledger.issue(emps["S014"], [(items[("防滑手套", "")], 40000)], clerk)
    ledger.reverse(wrong.lines[0], clerk, "数量录错，应为4副")
    ledger.issue(emps["S014"], [(items[("防滑手套", "")], 4000)], clerk)
    tech = db.session.scalar(select(Position).filter_by(seed_key="technician"))
    for key, qty, period in ((("工作服", "XL"), 2000, "year"), (("劳保鞋", "42码"), 1000, "year"),
                             (("防滑手套", ""), 1000, "week")):
        db.session.add(Entitlement(position_id=tech.id, item_id=items[key].id, qty=qty, period=period))
    # requisitions: pending, approved, rejected, partly issued, issued
    cs = db.session.scalar(select(User).filter_by(username="zhaomin"))
    pen, paper, folder = items[("签字笔", "0.5mm 黑")], items[("A4复印纸", "70g")], items[("文件夹", "")]
    requisitions.create(cs, [(pen, 5000)], "回访记录用笔")
    r2 = requisitions.create(cs, [(paper, 2000)], "打印客户调查表")
    requisitions.decide(r2, manager, True)
    r3 = requisitions.create(office_clerk, [(folder, 30000)], "整理全年档案")
    requisitions.decide(r3, manager, False, "数量过多，请按季度申领")
    r4 = requisitions.create(cs, [(pen, 10000), (folder, 5000)], "新员工入职")
    requisitions.decide(r4, manager, True)
    requisitions.fulfil(r4, office_clerk, {r4.lines[0].id: 10000, r4.lines[1].id: 2000})
    r5 = requisitions.create(cs, [(paper, 1000)], "KPI报表打印")
    requisitions.decide(r5, manager, True)
    requisitions.fulfil(r5, office_clerk, {r5.lines[0].id: 1000})
    db.session.flush()
    return [f"物资：{len(items)} 种物品（部分低于最低库存）、4 张领用单（含 1 次冲销）、技师发放标准、5 条申领（各状态）。"]

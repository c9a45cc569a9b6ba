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
    ("S015", "林涛", "technician", "13800000015", date(2026, 10, 12), "lintao", {}),  # the new hire
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
    from app.checklists.occurrences import expand
    from app.permissions import supervises

    if db.session.scalar(select(ChecklistMark.id).limit(1)):
        return []
    rng = random.Random(seed)
    now = clock.local_now()
    users = [u for u in db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id))]
    accounts = {u.employee_id: u for u in users if u.employee_id}
    made = late_n = missed = 0
    for item in db.session.scalars(select(ChecklistItem).where(ChecklistItem.active.is_(True))):
        tickers = [u for u in users if not u.is_admin and supervises(u, item.position)] or \
                  [u for u in users if u.is_admin]
        if not tickers:
            continue
        # Demo items count as existing from the start of the demo window.
        item.created_at = clock.to_utc(now - timedelta(days=days))
        db.session.flush()
        for _, occ, sub in expand([item], (now - timedelta(days=days)).date(), now.date()):
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
            holder = accounts.get(sub.id)  # a holder with an account self-checked his own first
            mark = ChecklistMark(item_id=item.id, period_key=occ.period.key, subject_id=sub.id, due_at=occ.due_at,
                                 done=True, by_id=user.id, at=at, late=late,
                                 note="当天补录" if late and rng.random() < 0.5 else "")
            event = ChecklistEvent(item_id=item.id, period_key=occ.period.key, subject_id=sub.id, action="tick",
                                   user_id=user.id, at=at, late=late)
            if holder is not None:
                self_at = at - timedelta(minutes=rng.randint(10, 90))
                mark.self_by_id, mark.self_at, mark.self_note = holder.id, self_at, rng.choice(DEMO_SELF_NOTES)
                db.session.add(ChecklistEvent(item_id=item.id, period_key=occ.period.key, subject_id=sub.id,
                                              action="selfcheck", user_id=holder.id, at=self_at,
                                              note=mark.self_note))
            db.session.add_all([mark, event])
            if item.fields:
                db.session.flush()
                _demo_values(item, event, mark, rng)
            made += 1
            late_n += late
    db.session.flush()
    return [f"点检记录：{made} 次勾选（其中补录 {late_n} 次），{missed} 次未完成。"] if made else []


def _demo_entries(item, rng):
    """What a tick of this item records in the demo: 回厂率 mostly 85–95 % with a few
    below target, counts in a plausible spread, 夕会 minutes, a 5S photo."""
    from app.checklists.fields import Entry, active_fields

    entries = []
    for f in active_fields(item):
        if f.kind == "number":
            lo = f.min_value if f.min_value is not None else 0.0
            hi = f.max_value if f.max_value is not None else 100.0
            if f.target is not None and f.target_dir == "ge":
                value = rng.uniform(70, f.target - 0.1) if rng.random() < 0.15 else rng.uniform(f.target, min(hi, 95))
            elif f.unit == "元":
                value = rng.uniform(300, 3000)
            else:
                value = rng.uniform(max(lo, 25), min(hi, 60))
            entries.append(Entry(f, number=round(value, f.decimals)))
        elif f.kind == "count":
            if f.target is not None and f.target_dir == "le":
                value = 0 if rng.random() < 0.85 else rng.randint(1, 3)
            else:
                value = rng.randint(*DEMO_COUNTS.get(f.label, (0, 20)))
            entries.append(Entry(f, number=float(value)))
        elif f.kind == "minutes":
            topic = rng.choice(DEMO_MEETING_TOPICS)
            entries.append(Entry(f, text=f"1. {topic}\n2. 明日预约 {rng.randint(12, 30)} 台，提前备件。\n3. 工位5S 按要求保持。",
                                 attendees="张伟、陈晓燕、何师傅、马超、黄小明"))
        elif f.kind == "photo":
            entries.append(Entry(f, image=_demo_photo_pool()[rng.randrange(6)], filename="工位.jpg"))
    return entries


_PHOTO_POOL: list = []


def _demo_photo_pool() -> list:
    """Six decoded demo pictures the 5S ticks take from (each tick stores its own files)."""
    from app.uploads import open_image

    if not _PHOTO_POOL:
        _PHOTO_POOL.extend(open_image(demo_photo(500 + k, size=(800, 600))) for k in range(6))
    return _PHOTO_POOL


def _demo_values(item, event, mark, rng) -> None:
    from app.checklists.fields import Submission, store

    entries = _demo_entries(item, rng)
    if entries:
        store(Submission(entries), event.id, item.id, event.period_key, [], event.subject_id)
        mark.values_event_id = event.id


DEMO_SELF_NOTES = ["工位已整理", "已检查，正常", "", "完成"]
DEMO_COUNTS = {"工单数": (25, 60), "SA预约台次": (8, 25), "追加单数": (2, 12), "条数": (0, 6)}
DEMO_MEETING_TOPICS = ["今日完工 38 台，返修 1 台（异响），由何师傅跟进。", "追加单 6 单，客户同意 5 单。",
                       "预约到店率偏低，前台明日电话回访。", "新款车型保养项目注意事项。"]


def adopt_technician_draft() -> list[str]:
    """The demo adopts the reference draft for 技师 (as admin would), so the workshop has
    its daily items (工位5S with a photo) to tick and self-check."""
    from app.handbook.drafts import adopt, base_number, draft_for

    tech = db.session.scalar(select(Position).filter_by(seed_key="technician"))
    author = db.session.scalar(select(User).where(User.is_admin.is_(True)).order_by(User.id))
    if tech is None or author is None or draft_for(tech) is None:
        return []
    adopt(tech, author, base_number(tech))
    db.session.flush()
    return ["岗位职责：采用了「技师」的参考草稿（含工位5S等点检项目）。"]


DEMO_SUPPLIES = [
    # (category, name, spec, unit, min stock, received); 工作服 and 劳保鞋 come in sizes
    ("劳保用品", "工作服", "XL", "套", 5, 12),
    ("劳保用品", "工作服", "L", "套", 5, 3),
    ("劳保用品", "劳保鞋", "42码", "双", 4, 10),
    ("劳保用品", "劳保鞋", "43码", "双", 2, 4),
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
        item = SupplyItem(name=name, spec=spec, unit=unit, category_id=cats[cat].id, min_stock=minimum * 1000,
                          size_kind={"工作服": "clothing", "劳保鞋": "shoe"}.get(name, ""))
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
    # 何师傅 asks for gloves: waits for 张伟 (车间主任), who is told
    hesf = db.session.scalar(select(User).filter_by(username="hesf"))
    if hesf is not None:
        requisitions.create(hesf, [(items[("防滑手套", "")], 2000)], "手套磨破，需要更换")
    r2 = requisitions.create(cs, [(paper, 2000)], "打印客户调查表")
    requisitions.decide(r2, manager, True)
    r3 = requisitions.create(office_clerk, [(folder, 30000)], "整理全年档案")
    requisitions.decide(r3, manager, False, "数量过多，请按季度申领")
    r4 = requisitions.create(cs, [(pen, 10000), (folder, 5000)], "新员工入职", duplicate_ok=True)
    requisitions.decide(r4, manager, True)
    requisitions.fulfil(r4, office_clerk, {r4.lines[0].id: 10000, r4.lines[1].id: 2000})
    r5 = requisitions.create(cs, [(paper, 1000)], "KPI报表打印")
    requisitions.decide(r5, manager, True)
    requisitions.fulfil(r5, office_clerk, {r5.lines[0].id: 1000})
    db.session.flush()
    return [f"物资：{len(items)} 种物品（部分低于最低库存）、4 张领用单（含 1 次冲销）、技师发放标准、5 条申领（各状态）。"]


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


DEMO_TRAININGS = [
    # (days ago, topic, category, trainer seed key or outside name, start, end, place)
    (40, "新款车型保养项目技术培训", "技术", "technical_supervisor", "14:00", "16:30", "车间培训室"),
    (25, "服务接待流程与预约话术", "服务流程", "front_desk_supervisor", "09:00", "10:30", "前台会议室"),
    (12, "车间安全与5S现场管理", "安全/5S", "厂家讲师 周工", "16:00", "17:00", "车间"),
]


def seed_trainings() -> list[str]:
    """Past trainings with attendees in every sign-in state, photos, a scan and a material."""
    import io
    from datetime import datetime, time, timedelta

    from werkzeug.datastructures import FileStorage

    from app import clock
    from app.org.models import Position
    from app.printing import html_to_pdf
    from app.trainings import records
    from app.trainings.models import ABSENT, DONE, LEAVE, SIGNED, Training, TrainingCategory

    if db.session.scalar(select(Training.id).limit(1)):
        return []
    clerk = db.session.scalar(select(User).filter_by(username="chenxy"))
    if clerk is None:
        return []
    cats = {c.name: c for c in db.session.scalars(select(TrainingCategory))}
    positions = {p.seed_key: p for p in db.session.scalars(select(Position)) if p.seed_key}
    today = clock.local_now().date()
    n_photos = 0
    for n, (ago, topic, cat, trainer, start, end, place) in enumerate(DEMO_TRAININGS):
        trainer_emp = positions[trainer].active_employees[0] if trainer in positions else None
        t = Training(topic=topic, category_id=cats[cat].id, held_on=today - timedelta(days=ago),
                     start_time=time.fromisoformat(start), end_time=time.fromisoformat(end), place=place,
                     trainer_employee_id=trainer_emp.id if trainer_emp else None,
                     trainer_name="" if trainer_emp else trainer, organiser=clerk.name, status=DONE,
                     content=f"{topic}：讲解要点、现场演示与答疑。", outcome="参训人员掌握了主要内容，考核基本合格。",
                     created_by_id=clerk.id)
        db.session.add(t)
        db.session.flush()
        staff = positions["technician"].active_employees + positions["workshop_clerk"].active_employees \
            if n != 1 else positions["service_advisor"].active_employees + positions["front_desk_supervisor"].active_employees
        records.add_employees(t, staff)
        records.add_outside(t, "钱师傅", "合作钣喷厂")
        states = [SIGNED, SIGNED, LEAVE, ABSENT, SIGNED, SIGNED]
        for i, a in enumerate(t.attendees):
            records.set_status(a, states[i % len(states)])
            if a.signed_at:  # signed on the day, a few minutes before the start
                a.signed_at = clock.to_utc(datetime.combine(t.held_on, t.start_time) - timedelta(minutes=5 + i))
            if a.status == SIGNED:
                records.set_assessment(a, ["92", "合格", "55", "78"][i % 4], "讲解清楚" if i % 2 == 0 else "")
        photos = [FileStorage(io.BytesIO(demo_photo(n * 10 + k)), filename=f"IMG_{2026}{n}{k:02d}.jpg") for k in range(3)]
        records.upload(t, photos, "photo", clerk)
        n_photos += 3
        for k, f in enumerate(t.live_files("photo")):
            f.caption = ["讲师讲解", "现场演示", "学员实操"][k % 3]
        if n == 0:
            scan = FileStorage(io.BytesIO(demo_photo(99, (1240, 1754))), filename="签到表扫描.jpg")
            records.upload(t, [scan], "signin", clerk)
            pdf = html_to_pdf(f"<html><body><h1>{topic}</h1><p>培训讲义（演示）</p></body></html>")
            records.upload(t, [FileStorage(io.BytesIO(pdf), filename="培训讲义.pdf")], "material", clerk)
    # one planned session ahead, for the workshop and the front desk: each is told (notices)
    planned = Training(topic="冬季空调与暖风系统检修", category_id=cats["技术"].id, held_on=today + timedelta(days=7),
                       start_time=time(14), end_time=time(16), place="车间培训室", trainer_name="厂家讲师",
                       organiser=clerk.name, created_by_id=clerk.id)
    db.session.add(planned)
    db.session.flush()
    invited = db.session.scalars(select(Employee).join(Position).where(
        Employee.active.is_(True), Position.seed_key.in_(("workshop_manager", "workshop_clerk", "technical_supervisor",
                                                          "dispatcher", "technician", "service_advisor",
                                                          "front_desk_supervisor"))).order_by(Employee.employee_no)).all()
    records.add_employees(planned, invited)
    return [f"培训：{len(DEMO_TRAININGS)} 场已完成（{n_photos} 张照片、签到表扫描件、资料）和 1 场计划中。"]


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

    from app import clock
    from app.coverage.models import Certificate, Onboarding, OnboardingDone, OnboardingStep, Requirement
    from app.trainings.models import TrainingCategory

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
    if new is not None:
        new.hire_date = today - timedelta(days=21)
        ob = Onboarding(employee_id=new.id, mentor_id=staff["S012"].id if "S012" in staff else None)
        db.session.add(ob)
        db.session.flush()
        db.session.add(OnboardingDone(onboarding_id=ob.id, step_id=notice.id, done_on=today - timedelta(days=20),
                                      by_id=clerk.id, note="已讲解车间安全须知并签字"))
    db.session.flush()
    return [f"培训要求：{len(DEMO_REQUIREMENTS)} 项（技师、服务顾问、车间文员），3 张举升机操作证（1 张 30 天内到期、"
            "1 张已过期），新员工林涛入职第三周的入职计划。"]


# (asset no, name, category, model, maker, location, quantity, verification cycle in months)
DEMO_EQUIPMENT = [
    *[(f"JS-{n:02d}", "双柱举升机", "举升设备", "QJY-4.0", "元征", f"{n}号工位", 1, None) for n in range(1, 5)],
    ("JS-05", "四柱举升机（四轮定位用）", "举升设备", "QJ-5.0SJ", "元征", "5号工位", 1, None),
    ("JS-06", "剪式举升机", "举升设备", "SX-3.5", "巨力", "6号工位", 1, None),
    ("JC-01", "四轮定位仪", "检测/计量设备", "X-631+", "元征", "5号工位", 1, 12),
    ("JC-02", "尾气分析仪", "检测/计量设备", "FGA-4100", "佛分", "检测区", 1, 12),
    ("JC-03", "不透光烟度计", "检测/计量设备", "FBY-201", "佛分", "检测区", 1, 12),
    ("ZG-01", "正时专用工具组", "专用工具", "EN-48383", "原厂", "工具室", 12, None),
    ("ZG-02", "变速箱拆装专用工具", "专用工具", "DSG-7", "原厂", "工具室", 18, None),
    ("ZG-03", "高压系统绝缘工具组", "专用工具", "HV-1000", "原厂", "工具室", 9, None),
    ("QD-01", "气动扳手", "气动/电动工具", "IR-2235", "英格索兰", "3号工位", 1, None),
    ("AQ-01", "灭火器（干粉 4kg）", "安全设施", "MFZ/ABC4", "淮海", "车间东门", 6, None),
]


def seed_equipment() -> list[str]:
    """The workshop's register: six lifts, the aligner, the exhaust analyser and the smoke
    meter with their verifications (the analyser's runs out within 30 days, the smoke
    meter's has expired), special-tool sets counted in pieces; one lift under repair."""
    from datetime import timedelta

    from app import clock
    from app.equipment import register
    from app.equipment.models import Equipment

    if db.session.scalar(select(Equipment.id).limit(1)):
        return []
    clerk = db.session.scalar(select(User).filter_by(username="chenxy"))
    staff = {e.employee_no: e for e in db.session.scalars(select(Employee))}
    today = clock.local_now().date()
    responsible = {"举升设备": "S003", "检测/计量设备": "S010", "专用工具": "S005"}
    items = {}
    for no, name, cat, model, maker, loc, qty, months in DEMO_EQUIPMENT:
        owner = staff.get(responsible.get(cat, "S003"))
        items[no] = register.create({
            "asset_no": no, "name": name, "category": cat, "model": model, "maker": maker, "location": loc,
            "quantity": qty, "responsible_id": owner.id if owner else None, "purchased_on": date(2021, 4, 1),
            "needs_verification": bool(months), "verify_months": months, "serial_no": f"SN2021{no[-2:]}{len(name)}",
            "notes": ""}, clerk)
    # verified 11 months ago (valid), 11 months and 20 days ago (due within 30 days),
    # and 13 months ago (expired)
    for no, ago, body in (("JC-01", 330, "市计量检定测试院"), ("JC-02", 345, "市计量检定测试院"),
                          ("JC-03", 395, "省机动车检测设备计量站")):
        on = today - timedelta(days=ago)
        register.record_verification(items[no], {"verified_on": on, "result": "pass", "body": body,
                                                 "cert_no": f"JD{on:%Y%m}{no[-2:]}"}, clerk)
    register.change_state(items["JS-03"], "repair", today - timedelta(days=2), "液压缸渗油，已报修厂家", clerk)
    return [f"设备工具台账：{len(DEMO_EQUIPMENT)} 项（6 台举升机，四轮定位仪、尾气分析仪、烟度计有检定记录："
            "尾气分析仪 30 天内到期，烟度计已过期；3 套专用工具；3 号举升机维修中）。"]


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


def seed_self_checks() -> list[str]:
    """李静 (售后内勤) self-checked two of today's items: one waits for 王建国's review, the
    other he returned with a reason; so both workspaces have something in these blocks."""
    from app import clock
    from app.checklists.board import board
    from app.checklists.ticks import TickError, return_check, self_check

    clerk = db.session.scalar(select(User).filter_by(username="lijing"))
    manager = db.session.scalar(select(User).filter_by(username="wangjg"))
    if clerk is None or manager is None or clerk.position is None:
        return []
    sections = board(clerk, clock.local_now().date(), only=clerk.position.id)
    rows = [r for s in sections for rows in s["groups"].values() for r in rows
            if r.state != "done" and not (r.mark and r.mark.review)]
    if len(rows) < 2:
        return []
    import random

    from app.checklists.fields import Submission

    rng = random.Random(11)
    try:
        self_check(rows[0].item, rows[0].period_key, clerk, "已按系统数据统计",
                   Submission(_demo_entries(rows[0].item, rng)), [])
        self_check(rows[1].item, rows[1].period_key, clerk, "已完成", Submission(_demo_entries(rows[1].item, rng)), [])
        return_check(rows[1].item, rows[1].period_key, manager, "请附上当日明细表")
    except TickError:
        return []
    db.session.flush()
    report = [f"自查：李静「{rows[0].item.title}」待核查，「{rows[1].item.title}」被王建国退回。"]
    tech = db.session.scalar(select(User).filter_by(username="hesf"))
    if tech is not None and tech.position is not None:
        mine = [r for s in board(tech, clock.local_now().date(), only=tech.position.id)
                for rows in s["groups"].values() for r in rows
                if r.subject.id == tech.employee_id and r.state != "done" and not (r.mark and r.mark.review)]
        if mine:
            try:
                self_check(mine[0].item, mine[0].period_key, tech, "工位已整理",
                           Submission(_demo_entries(mine[0].item, rng)), [], subject_id=tech.employee_id)
                report.append(f"自查：何师傅「{mine[0].item.title}」待核查。")
            except TickError:
                pass
    return report


def seed_demo(force: bool = False) -> list[str]:
    """The demo data, into a fresh installation only: a database that already holds real
    people or accounts is refused unless `force`."""
    foreign = foreign_data()
    if foreign and not force:
        raise DemoRefused("数据库中已有非演示的员工或账号（" + "、".join(foreign) + "），未添加演示数据。"
                          "确需添加请使用 --force。")
    staff = seed_staff()
    # Read confirmations only with staff created now: a later run never confirms
    # revisions that nobody has read.
    report = staff + (seed_confirmations() if staff else []) + (adopt_technician_draft() if staff else []) \
        + seed_checklist_ticks() + seed_supplies() \
        + seed_trainings() + (seed_self_checks() if staff else []) + (seed_coverage() if staff else []) \
        + (seed_equipment() if staff else [])
    return report or ["演示数据已存在，未做改动。"]

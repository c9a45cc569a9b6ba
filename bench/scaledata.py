"""Grows a database holding the demo data into a large store after three years.

    grow(factor=1.0, seed=2026)

At factor 1.0: about 300 employees across all positions, 60 active checklist items whose
occurrences of the last three years are about 90 % ticked (some late, some ticked and
unticked again), 50,000 stock-ledger rows in receipts, slips, returns and counts, 1,500
trainings with attendees, read confirmations, requisitions and audit records. A smaller
factor makes the same shapes smaller (the statement-count test uses one).

Rows are written with bulk inserts that produce what the app's own rules would: ticks
and events follow the schedule module's occurrences, every ledger row carries the balance
after it and each item's kept stock is the ledger's sum (checked at the end), slips are
numbered as ledger.issue numbers them. Reproducible: a fixed random seed and dates
counted back from today.
"""
import random
from datetime import datetime, time, timedelta

from sqlalchemy import func, insert, select

from app import clock
from app.audit.models import AuditEntry
from app.auth.models import User
from app.checklists.models import ChecklistEvent, ChecklistItem, ChecklistMark, ChecklistValue
from app.checklists.schedule import occurrences_between
from app.extensions import db
from app.handbook.models import PositionRevision, ReadConfirmation
from app.org.models import Position
from app.staff.models import Employee, PositionTenure
from app.supplies.models import (ADJUST, ISSUE, RECEIPT, RETURN, IssueSlip, Requisition, RequisitionLine,
                                 RequisitionStep, StockEntry, SupplyCategory, SupplyItem)
from app.trainings.models import DONE, PLANNED, Attendee, Training, TrainingCategory

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏建国志宏海波文斌辉鑫浩宇晨阳帆凯峰婷雪琳倩"

# Share of employees per position (by seed key); the rest spread evenly over the others.
WEIGHTS = {"technician": 0.55, "service_advisor": 0.12, "dispatcher": 0.03, "customer_service": 0.04,
           "claims_specialist": 0.03, "workshop_clerk": 0.03, "after_sales_clerk": 0.03}

EXTRA_ITEMS = [
    # (title, kind, extra fields)
    ("工位5S检查", "daily", {"due_time": time(17, 0)}),
    ("举升机班前检查", "daily", {"due_time": time(8, 30)}),
    ("专用工具清点", "daily", {"end_of_workday": True}),
    ("车间安全巡查", "daily", {"due_time": time(15, 0)}),
    ("设备点检记录", "weekly", {"weekday": 4}),
    ("消防器材检查", "monthly", {"month_day": 5}),
    ("周例会记录归档", "weekly", {"weekday": 0, "due_time": time(12, 0)}),
    ("月度工作总结", "monthly", {"month_end": True}),
]

TOPICS = ["新车型技术培训", "服务接待流程", "车间安全与5S", "钣喷工艺", "电动车高压安全", "客户投诉处理",
          "保修政策解读", "配件管理", "消防演练", "举升机操作", "诊断仪使用", "预约与回访话术"]


def _rng_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _bulk(model, rows: list[dict], chunk: int = 5000) -> None:
    for i in range(0, len(rows), chunk):
        db.session.execute(insert(model), rows[i:i + chunk])


def _ids(model, column, prefix) -> list[int]:
    return list(db.session.scalars(select(model.id).where(column.like(prefix + "%")).order_by(model.id)))


def grow(factor: float = 1.0, seed: int = 2026, years: int = 3, log=print, prefix: str = "X") -> dict:
    """Grow the current database (demo data already loaded); returns the counts made.
    Employee numbers start with `prefix`, so a database can be grown twice."""
    rng = random.Random(seed)
    now = clock.local_now()
    today = now.date()
    start = today - timedelta(days=365 * years)
    start_utc = clock.to_utc(datetime.combine(start, time(8)))
    admin = db.session.scalar(select(User).where(User.is_admin.is_(True)).order_by(User.id)) or \
        db.session.scalar(select(User).order_by(User.id))
    actors = list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)))
    counts = {}

    # --- employees ----------------------------------------------------------------------
    positions = [p for p in db.session.scalars(select(Position).where(Position.is_external.is_(False),
                                                                      Position.active.is_(True)).order_by(Position.id))]
    n_emp = max(int(300 * factor), len(positions))
    rest = [p for p in positions if p.seed_key not in WEIGHTS]
    plan = []
    for p in positions:
        share = WEIGHTS.get(p.seed_key, (1 - sum(WEIGHTS.values())) / max(len(rest), 1))
        plan += [p.id] * max(1, round(n_emp * share))
    rows = []
    for n, pid in enumerate(plan[:n_emp], start=1):
        rows.append({"employee_no": f"{prefix}{n:04d}", "name": _rng_name(rng), "position_id": pid,
                     "phone": f"139{rng.randint(0, 99999999):08d}",
                     "hire_date": start - timedelta(days=rng.randint(-300, 3000)),
                     "active": rng.random() > 0.06, "created_at": start_utc, "updated_at": start_utc})
    _bulk(Employee, rows)
    emp_ids = _ids(Employee, Employee.employee_no, prefix)
    # Who held which position when (bulk inserts bypass the flush hook that keeps it):
    # from the hire date; someone who left, until a day after it.
    tenure_rows = []
    for e in db.session.execute(select(Employee.id, Employee.position_id, Employee.hire_date, Employee.active)
                                .where(Employee.id.in_(emp_ids))):
        hired = min(e.hire_date, today)
        end = None if e.active else hired + timedelta(days=rng.randint(0, max((today - hired).days, 0)))
        tenure_rows.append({"employee_id": e.id, "position_id": e.position_id, "start": hired, "end": end})
    _bulk(PositionTenure, tenure_rows)
    emp_pos = dict(db.session.execute(select(Employee.id, Employee.position_id).where(Employee.id.in_(emp_ids))).all())
    counts["employees"] = len(emp_ids)
    log(f"  employees: {len(emp_ids)}")

    # --- checklist items and three years of ticks ----------------------------------------
    items = list(db.session.scalars(select(ChecklistItem).where(ChecklistItem.active.is_(True))))
    target_items = max(int(60 * factor), len(items))
    holder_positions = [p for p in positions if p.seed_key in ("technician", "workshop_manager", "service_advisor",
                                                                "front_desk_supervisor", "dispatcher")] or positions
    k = 0
    while len(items) < target_items:
        title, kind, extra = EXTRA_ITEMS[k % len(EXTRA_ITEMS)]
        p = holder_positions[(k // len(EXTRA_ITEMS)) % len(holder_positions)]
        item = ChecklistItem(position_id=p.id, title=title, kind=kind, sort_order=100 + k, **extra)
        db.session.add(item)
        items.append(item)
        k += 1
    db.session.flush()
    supervisors = list(db.session.scalars(select(User).where(User.is_admin.is_(False), User.active.is_(True))))
    tenures: dict[int, list] = {}
    for t in db.session.scalars(select(PositionTenure)):
        tenures.setdefault(t.position_id, []).append((t.employee_id, t.start, t.end))
    mark_rows, event_rows, value_rows = [], [], []
    for item in items:
        recorded = [f for f in item.fields if f.active and f.kind in ("number", "count", "minutes")]
        item.created_at = start_utc
        occs = occurrences_between(item.rule(), start, today, clock.workday_end())
        # An item for each holder: an occurrence per employee holding the position that day.
        subjects = [(occ, eid) for occ in occs
                    for eid in ([eid for eid, s, e in tenures.get(item.position_id, ())
                                 if s <= occ.due_date and (e is None or e >= occ.due_date)]
                                if item.target == "holder" else [0])]
        for occ, subject in subjects:
            if occ.due_at >= now:
                continue
            roll = rng.random()
            if roll < 0.10:
                continue  # never done: missed
            late = roll < 0.18
            at_local = occ.due_at + timedelta(hours=rng.randint(1, 30)) if late else \
                occ.due_at - timedelta(minutes=rng.randint(5, 300))
            at = clock.to_utc(min(at_local, now))
            by = rng.choice(supervisors or actors).id
            unticked = roll > 0.985
            mark_rows.append({"item_id": item.id, "period_key": occ.period.key, "subject_id": subject,
                              "due_at": occ.due_at,
                              "done": not unticked, "by_id": by, "at": at, "note": "补录" if late else "",
                              "late": late})
            event_id = len(event_rows) + 1
            event_rows.append({"id": event_id, "item_id": item.id, "period_key": occ.period.key,
                               "subject_id": subject, "action": "tick",
                               "user_id": by, "at": at, "note": "", "late": late})
            if recorded:  # the figures and minutes the tick recorded (photos and files: not at scale)
                mark_rows[-1]["values_event_id"] = event_id
                for order, f in enumerate(recorded):
                    number = None if f.kind == "minutes" else (
                        round(rng.uniform(70, 96), f.decimals) if f.kind == "number" else float(rng.randint(0, 40)))
                    value_rows.append({"event_id": event_id, "item_id": item.id, "period_key": occ.period.key,
                                       "subject_id": subject,
                                       "field_id": f.id, "label": f.label, "kind": f.kind, "unit": f.unit,
                                       "decimals": f.decimals, "min_value": f.min_value, "max_value": f.max_value,
                                       "target": f.target, "target_dir": f.target_dir, "number": number,
                                       "text": "今日完工与返修情况，明日安排。" if f.kind == "minutes" else "",
                                       "attendees": "张伟、陈晓燕" if f.kind == "minutes" else "", "file_name": "",
                                       "file_mime": "", "file_size": 0, "sort_order": order})
            if unticked:
                event_rows.append({"id": len(event_rows) + 1, "item_id": item.id, "period_key": occ.period.key,
                                   "subject_id": subject, "action": "untick",
                                   "user_id": by, "at": at + timedelta(minutes=3), "note": "误勾", "late": late})
    for row in mark_rows:
        row.setdefault("values_event_id", None)
    db.session.execute(ChecklistValue.__table__.delete())
    db.session.execute(ChecklistMark.__table__.delete())
    db.session.execute(ChecklistEvent.__table__.delete())
    _bulk(ChecklistEvent, event_rows)
    _bulk(ChecklistMark, mark_rows)
    _bulk(ChecklistValue, value_rows)
    counts.update(checklist_items=len(items), marks=len(mark_rows), events=len(event_rows), values=len(value_rows))
    log(f"  checklist: {len(items)} items, {len(mark_rows)} marks, {len(event_rows)} events, "
        f"{len(value_rows)} values")

    # --- supplies: 50,000 ledger rows --------------------------------------------------
    cats = {c.name: c.id for c in db.session.scalars(select(SupplyCategory))}
    sup_items = list(db.session.scalars(select(SupplyItem).order_by(SupplyItem.id)))
    for n in range(max(0, int(40 * factor) - len(sup_items) + 8)):
        cat = "劳保用品" if n % 2 else "办公用品"
        it = SupplyItem(name=f"物品{n + 1:02d}", spec=rng.choice(["", "大号", "中号", "小号"]), unit="个",
                        category_id=cats.get(cat) or next(iter(cats.values())), min_stock=rng.randint(5, 50) * 1000)
        db.session.add(it)
        sup_items.append(it)
    db.session.flush()
    busiest = min(sup_items, key=lambda i: (i.name != "防滑手套", i.id))
    weights = [12 if it is busiest else 1 for it in sup_items]
    stock = {it.id: it.stock for it in sup_items}
    n_rows = int(50000 * factor)
    span = (now - datetime.combine(start, time(8))).total_seconds()
    ledger, slips = [], []
    first_slip = (db.session.scalar(select(func.max(IssueSlip.id))) or 0) + 1
    slip_id = first_slip
    t = 0.0
    step = span / max(n_rows, 1)
    active_emps = [e for e in emp_ids]
    while len(ledger) < n_rows:
        t += step * rng.uniform(0.2, 1.8)
        at = start_utc + timedelta(seconds=min(t, span - 60))
        roll = rng.random()
        if roll < 0.75:  # a slip of 1–3 lines
            emp = rng.choice(active_emps)
            lines = rng.choices(sup_items, weights, k=rng.choice((1, 1, 2, 3)))
            issued_on = clock.to_local(at).date()
            slips.append({"id": slip_id, "number": f"LY{issued_on:%Y%m%d}-{slip_id:05d}", "employee_id": emp,
                          "issued_by_id": admin.id, "issued_on": issued_on, "note": "", "created_at": at})
            for it in lines:
                qty = rng.randint(1, 4) * 1000
                if stock[it.id] < qty:  # restock first, as a clerk would
                    stock[it.id] += 50000
                    ledger.append({"item_id": it.id, "kind": RECEIPT, "qty": 50000, "balance": stock[it.id],
                                   "at": at - timedelta(minutes=5), "user_id": admin.id, "supplier": "供应商",
                                   "reason": ""})
                stock[it.id] -= qty
                ledger.append({"item_id": it.id, "kind": ISSUE, "qty": -qty, "balance": stock[it.id], "at": at,
                               "user_id": admin.id, "employee_id": emp, "slip_id": slip_id, "supplier": "",
                               "reason": ""})
            slip_id += 1
        elif roll < 0.9:
            it = rng.choices(sup_items, weights)[0]
            qty = rng.randint(10, 40) * 1000
            stock[it.id] += qty
            ledger.append({"item_id": it.id, "kind": RECEIPT, "qty": qty, "balance": stock[it.id], "at": at,
                           "user_id": admin.id, "supplier": "本地供应商", "reason": ""})
        elif roll < 0.95:
            it = rng.choice(sup_items)
            counted = max(stock[it.id] - rng.choice((0, 0, 1000, 2000)), 0)
            diff = counted - stock[it.id]
            stock[it.id] = counted
            ledger.append({"item_id": it.id, "kind": ADJUST, "qty": diff, "balance": counted, "counted": counted,
                           "at": at, "user_id": admin.id, "supplier": "", "reason": "月度盘点" if diff else ""})
        else:
            it = rng.choice(sup_items)
            stock[it.id] += 1000
            ledger.append({"item_id": it.id, "kind": RETURN, "qty": 1000, "balance": stock[it.id], "at": at,
                           "user_id": admin.id, "employee_id": rng.choice(active_emps), "supplier": "",
                           "reason": "尺码不合适"})
    _bulk(IssueSlip, slips)
    # Appended after the demo's own rows: balances continue from each item's kept stock.
    _bulk(StockEntry, ledger)
    for it in sup_items:
        db.session.execute(SupplyItem.__table__.update().where(SupplyItem.__table__.c.id == it.id)
                           .values(stock=stock[it.id]))
    counts.update(ledger_rows=len(ledger), slips=len(slips))
    log(f"  supplies: {len(sup_items)} items, {len(ledger)} ledger rows, {len(slips)} slips")

    # requisitions in every state
    req_rows, line_rows, step_rows = [], [], []
    first_req = (db.session.scalar(select(func.max(Requisition.id))) or 0) + 1
    emp_users = {u.employee_id: u.id for u in actors if u.employee_id}
    for n in range(int(600 * factor)):
        rid = first_req + n
        emp = rng.choice(active_emps)
        status = rng.choices(["issued", "rejected", "approved", "pending"], [80, 8, 6, 6])[0]
        at = start_utc + timedelta(seconds=rng.uniform(0, span))
        req_rows.append({"id": rid, "employee_id": emp, "requested_by_id": emp_users.get(emp, admin.id),
                         "reason": "日常领用", "status": status, "created_at": at})
        line_rows.append({"requisition_id": rid, "item_id": rng.choice(sup_items).id, "qty": 1000})
        step_rows.append({"requisition_id": rid, "action": "submit", "user_id": admin.id, "at": at, "note": ""})
    _bulk(Requisition, req_rows)
    _bulk(RequisitionLine, line_rows)
    _bulk(RequisitionStep, step_rows)
    counts["requisitions"] = len(req_rows)

    # --- trainings --------------------------------------------------------------------
    tcats = list(db.session.scalars(select(TrainingCategory.id)))
    trainers = [e for e in emp_ids[:40]]
    n_tr = int(1500 * factor)
    t_rows = []
    for n in range(n_tr):
        held = start + timedelta(days=int(n * (365 * years) / max(n_tr, 1)))
        h = rng.choice((9, 10, 14, 15))
        t_rows.append({"topic": f"{rng.choice(TOPICS)}（第{n + 1}期）", "category_id": rng.choice(tcats),
                       "held_on": held, "start_time": time(h), "end_time": time(h + rng.choice((1, 2))),
                       "place": rng.choice(["车间培训室", "前台会议室", "车间"]),
                       "trainer_employee_id": rng.choice(trainers) if rng.random() < 0.7 else None,
                       "trainer_name": "厂家讲师", "organiser": "培训专员", "content": "讲解、演示、实操与答疑。",
                       "outcome": "参训人员掌握了主要内容。", "status": DONE if held <= today else PLANNED,
                       "created_by_id": admin.id, "created_at": start_utc, "updated_at": start_utc})
    _bulk(Training, t_rows)
    tr_ids = list(db.session.scalars(select(Training.id).order_by(Training.id.desc()).limit(len(t_rows))))
    names = dict(db.session.execute(select(Employee.id, Employee.name).where(Employee.id.in_(emp_ids))).all())
    titles = dict(db.session.execute(select(Position.id, Position.title)).all())
    a_rows = []
    for tid in tr_ids:
        for order, emp in enumerate(rng.sample(emp_ids, min(len(emp_ids), rng.randint(6, 18)))):
            status = rng.choices(["signed", "leave", "absent"], [85, 8, 7])[0]
            a_rows.append({"training_id": tid, "employee_id": emp, "name": names[emp],
                           "position_title": titles.get(emp_pos.get(emp), ""), "status": status,
                           "score": str(rng.randint(55, 100)) if status == "signed" else "",
                           "passed": (rng.random() > 0.1) if status == "signed" else None, "feedback": "",
                           "sort_order": order})
    _bulk(Attendee, a_rows)
    counts.update(trainings=len(tr_ids), attendees=len(a_rows))
    log(f"  trainings: {len(tr_ids)}, attendees {len(a_rows)}")

    # --- read confirmations ------------------------------------------------------------
    current = dict(db.session.execute(select(PositionRevision.position_id, func.max(PositionRevision.id))
                                      .group_by(PositionRevision.position_id)).all())
    c_rows = [{"employee_id": e, "user_id": admin.id, "revision_id": current[emp_pos[e]], "confirmed_at": start_utc}
              for e in emp_ids if emp_pos.get(e) in current and rng.random() < 0.8]
    _bulk(ReadConfirmation, c_rows)
    counts["confirmations"] = len(c_rows)

    # --- audit records ------------------------------------------------------------------
    actions = ["stock_issue", "stock_receipt", "checklist_tick", "training_update", "employee_update", "login"]
    au_rows = []
    for n in range(int(100000 * factor)):
        at = start_utc + timedelta(seconds=span * n / max(int(100000 * factor), 1))
        u = rng.choice(actors)
        au_rows.append({"at": at, "user_id": u.id, "actor": u.name, "ip": "10.0.0.%d" % rng.randint(2, 250),
                        "action": rng.choice(actions), "object_type": "bench", "object_id": str(n),
                        "summary": "三年数据（基准测试）", "before": None, "after": None})
    _bulk(AuditEntry, au_rows)
    counts["audit"] = len(au_rows)
    log(f"  audit: {len(au_rows)}")

    # --- training requirements: 12 across the largest positions, certificates ----------
    from app.coverage.models import Certificate, Requirement, TrainingFulfils

    db.session.execute(TrainingFulfils.__table__.delete())
    db.session.execute(Certificate.__table__.delete())
    db.session.execute(Requirement.__table__.delete())
    sizes = dict(db.session.execute(select(Employee.position_id, func.count()).where(Employee.active.is_(True))
                                    .group_by(Employee.position_id)).all())
    largest = sorted(positions, key=lambda p: -sizes.get(p.id, 0))[:4]
    req_rows = []
    for n in range(12):
        p = largest[n % len(largest)]
        req_rows.append({"position_id": p.id, "name": f"要求{n + 1:02d}", "category_id": tcats[n % len(tcats)],
                         "course": "", "due_days": 30 if n % 3 == 0 else None,
                         "interval_months": 12 if n % 2 == 0 else None, "certificate": n % 4 == 3,
                         "sort_order": n, "active": True, "created_at": start_utc})
    _bulk(Requirement, req_rows)
    cert_reqs = list(db.session.execute(select(Requirement.id, Requirement.position_id)
                                        .where(Requirement.certificate.is_(True))).all())
    cert_rows = []
    for rid, pid in cert_reqs:
        for emp in (e for e, ep in emp_pos.items() if ep == pid):
            if rng.random() < 0.7:
                issued = today - timedelta(days=rng.randint(30, 900))
                cert_rows.append({"employee_id": emp, "requirement_id": rid, "name": "操作证", "number": f"C{emp}",
                                  "issuer": "发证机关", "issued_on": issued, "expires_on": issued + timedelta(days=730),
                                  "scan_kind": "", "scan_name": "", "created_by_id": admin.id, "created_at": start_utc})
    _bulk(Certificate, cert_rows)
    counts.update(requirements=len(req_rows), certificates=len(cert_rows))
    log(f"  coverage: {len(req_rows)} requirements, {len(cert_rows)} certificates")
    db.session.flush()
    if db.session.get_bind().dialect.name == "postgresql":  # rows inserted with explicit ids
        from sqlalchemy import text

        for table in ("issue_slip", "requisition", "checklist_event"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT max(id) FROM {table}))"))

    from app.supplies.ledger import check_balances

    db.session.expire_all()
    wrong = check_balances()
    assert not wrong, wrong
    return counts

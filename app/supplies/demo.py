"""Demo data of the supplies part (`flask --app wsgi seed-demo`, app.demo.seed_demo)."""

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.org.models import Position
from app.staff.models import Employee
from app.supplies import ledger, requisitions
from app.supplies.models import Entitlement, SupplyCategory, SupplyItem


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


def demo(fresh: bool) -> list[str]:
    """`fresh`: the demo staff was created by this run."""
    return seed_supplies()

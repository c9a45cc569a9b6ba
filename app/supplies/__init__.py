"""物资发放: labour-protection and office supplies, stock, issue slips, requisitions,
entitlements, per-person history."""
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.parts import NavEntry, NoticeRule, Part, WorkspaceBlock, add, busiest
from app.permissions import can_issue_supplies
from app.supplies import demo, desk, notices, routes, templating
from app.staff.models import Employee
from app.supplies.models import Entitlement, IssueSlip, StockEntry, SupplyCategory

AUDIT_LABELS = {
    "supply_item_create": "新增物品",
    "supply_item_update": "修改物品",
    "stock_receipt": "入库",
    "stock_issue": "发放",
    "stock_return": "退回",
    "stock_count": "盘点",
    "stock_reversal": "冲销",
    "requisition_create": "提交申领",
    "requisition_approve": "批准申领",
    "requisition_reject": "驳回申领",
    "requisition_withdraw": "撤回申领",
    "entitlement_save": "设置发放标准",
}
OBJECT_LABELS = {"supply_item": "物品", "stock_entry": "台账记录", "issue_slip": "领用单", "requisition": "申领",
                 "entitlement": "发放标准"}


def bench_pages() -> list[tuple[str, str]]:
    item = busiest(StockEntry.item_id)
    # someone whose position has a standard: his page shows it beside what he received
    with_standard = select(Employee.id).join(Entitlement, Entitlement.position_id == Employee.position_id)
    employee = busiest(StockEntry.employee_id, StockEntry.employee_id.in_(with_standard))
    return [("stock", "/supplies/"), ("ledger", f"/supplies/items/{item}"),
            ("emp_supplies", f"/supplies/employees/{employee}"), ("requisitions", "/supplies/requisitions"),
            ("slips", "/supplies/slips")]


def bench_exports() -> list[tuple[str, str]]:
    category = db.session.scalar(select(SupplyCategory.id).order_by(SupplyCategory.id))
    slip = db.session.scalar(select(func.max(IssueSlip.id)))
    return [("issue ledger.pdf", f"/supplies/ledger.pdf?category={category}"),
            ("count sheet.pdf", "/supplies/count-sheet.pdf"), ("slip.pdf", f"/supplies/slips/{slip}.pdf"),
            ("ledger.csv (month)", "/supplies/ledger.csv"), ("ledger.xlsx (month)", "/supplies/ledger.xlsx")]


def register(app: Flask) -> None:
    add(app, Part(
        "supplies", blueprint=routes.bp, audit_labels=AUDIT_LABELS, object_labels=OBJECT_LABELS,
        demo=demo.demo, demo_order=30, bench_pages=bench_pages, bench_exports=bench_exports,
        nav=(NavEntry("物资发放", "supplies.index", order=50, badge=templating.low_stock_badge,
                      tile="劳保与办公用品",
                      tile_endpoint=lambda u: "supplies.index" if can_issue_supplies(u) else "supplies.requisitions"),),
        workspace=(
            WorkspaceBlock("supplies.decide", "supplies/_ws_decide.html", desk.requisitions_to_decide, 20, "todo"),
            WorkspaceBlock("supplies.issuing", "supplies/_ws_issuing.html", desk.issuing, 20),
            WorkspaceBlock("supplies.mine", "supplies/_ws_mine.html", desk.my_supplies, 80),
        ),
        notices=(NoticeRule("entitlement", "劳保待领", notices.entitlements_due),),
        notice_kinds={"entitlement": "劳保", "requisition": "申领"},
        template_globals=templating.TEMPLATE_GLOBALS,
        position_panels=("supplies/_position_panel.html",),
        employee_panels=("supplies/_employee_panel.html",),
    ))

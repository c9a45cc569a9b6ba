"""The main pages and exports of the speed issue, with the busiest object of each kind
found in the dataset itself. Used by bench/pages.py, bench/plans.py and
tests/test_page_queries.py. Call inside an application context."""
from sqlalchemy import func, select

from app.checklists.models import ChecklistField, ChecklistItem
from app.extensions import db
from app.handbook.models import Duty
from app.supplies.models import IssueSlip, StockEntry, SupplyCategory
from app.trainings.models import Attendee, Training


def _busiest(col, *where):
    return db.session.execute(select(col, func.count()).where(*where).group_by(col)
                              .order_by(func.count().desc(), col.desc()).limit(1)).first()[0]


def targets() -> dict:
    return {
        "grid": _busiest(ChecklistItem.position_id, ChecklistItem.active.is_(True)),
        "duties": _busiest(Duty.position_id),
        "item": _busiest(StockEntry.item_id),
        "emp": _busiest(StockEntry.employee_id, StockEntry.employee_id.is_not(None)),
        "training": _busiest(Attendee.training_id),
        "slip": db.session.scalar(select(func.max(IssueSlip.id))),
        "category": db.session.scalar(select(SupplyCategory.id).order_by(SupplyCategory.id)),
        "year": db.session.scalar(select(func.max(Training.held_on))).year,
        "fields_item": db.session.scalar(select(func.min(ChecklistField.item_id))),
        "fields_position": db.session.scalar(select(ChecklistItem.position_id).join(ChecklistField)
                                             .order_by(ChecklistItem.id).limit(1)),
    }


def main_pages(t: dict) -> list[tuple[str, str]]:
    return [
        ("home", "/"),
        ("board", "/checklists/"),
        ("overdue", "/checklists/overdue"),
        ("grid", f"/checklists/positions/{t['grid']}"),
        ("position", f"/handbook/positions/{t['duties']}"),
        ("search", "/handbook/search?q=%E5%AE%A2%E6%88%B7"),  # 客户
        ("trainings", "/trainings/"),
        ("training", f"/trainings/{t['training']}"),
        ("stock", "/supplies/"),
        ("ledger", f"/supplies/items/{t['item']}"),
        ("emp_supplies", f"/supplies/employees/{t['emp']}"),
        ("staff", "/staff/"),
        ("requisitions", "/supplies/requisitions"),
        ("slips", "/supplies/slips"),
        ("audit", "/admin/audit/"),
        ("results", f"/checklists/items/{t['fields_item']}/results"),
        ("matrix", "/coverage/"),
    ]


def exports(t: dict) -> list[tuple[str, str]]:
    return [
        ("handbook.pdf", "/handbook/handbook.pdf"),
        ("position.pdf", f"/handbook/positions/{t['duties']}/print.pdf"),
        ("checklist month.pdf", f"/checklists/positions/{t['grid']}/month.pdf"),
        ("training record.pdf", f"/trainings/{t['training']}/record.pdf"),
        ("training ledger.pdf", f"/trainings/ledger.pdf?year={t['year']}"),
        ("issue ledger.pdf", f"/supplies/ledger.pdf?category={t['category']}"),
        ("count sheet.pdf", "/supplies/count-sheet.pdf"),
        ("slip.pdf", f"/supplies/slips/{t['slip']}.pdf"),
        ("ledger.csv (month)", "/supplies/ledger.csv"),
        ("checklist month.csv", f"/checklists/positions/{t['fields_position']}/month.csv"),
        ("matrix.pdf", "/coverage/matrix.pdf"),
        ("matrix.csv", "/coverage/matrix.csv"),
        ("ledger.xlsx (month)", "/supplies/ledger.xlsx"),
        ("checklist month.xlsx", f"/checklists/positions/{t['fields_position']}/month.xlsx"),
        ("matrix.xlsx", "/coverage/matrix.xlsx"),
    ]

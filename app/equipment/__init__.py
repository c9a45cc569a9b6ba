"""车间设备、工具台账: the workshop's equipment and tools, their states, verifications
(检定/校准), QR labels; fault reports and repairs, the item's photo, checks for each piece
of equipment on the checklist engine, verification due lists, blocks and notices; tool
loans (借用/归还), counts (盘点) and the CSV import."""
from flask import Flask
from sqlalchemy import func, select

from app.checklists import targets as checklist_targets
from app.equipment import (demo, demo_checks, demo_loans, desk, due, fault_routes, faults, labels_audit, loans, routes,
                           routes_counts, routes_loans, rules)
from app.equipment.checks import EquipmentTargets
from app.equipment.models import Equipment, EquipmentPhoto, FaultPhoto, Verification
from app.extensions import db
from app.parts import NavEntry, NoticeRule, Part, add

AUDIT_LABELS = {
    "equipment_create": "登记设备",
    "equipment_update": "修改设备",
    "equipment_state": "设备状态变更",
    "equipment_verification": "设备检定/校准",
    **faults.AUDIT_LABELS,  # 设备故障报修, 设备维修记录, 设备照片
    **labels_audit.AUDIT_LABELS,  # loans and counts
}


def _demo(fresh: bool) -> list[str]:
    """The register's demo, then the lifts' checks and faults on it, then its loans and
    counts (which lend and count the register's tools)."""
    return demo.demo(fresh) + demo_checks.seed(fresh) + (demo_loans.seed_loans_and_counts(fresh) if fresh else [])


def stored_files() -> dict[str, set[str]]:
    """Verification certificate scans, the items' photos and the fault photos (one folder)."""
    return {rules.SUB: set(db.session.scalars(select(Verification.scan_key).where(
        Verification.scan_key.is_not(None))))
        | set(db.session.scalars(select(EquipmentPhoto.file_key)))
        | set(db.session.scalars(select(FaultPhoto.file_key)))}


def bench_pages() -> list[tuple[str, str]]:
    item = db.session.scalar(select(func.max(Equipment.id)))
    return [("equipment", "/equipment/")] + ([("equipment item", f"/equipment/{item}")] if item else []) \
        + desk.bench_pages()


def register(app: Flask) -> None:
    assert routes_counts.bp is routes_loans.bp is routes.bp  # their pages are the register's blueprint
    add(app, Part(
        "equipment", blueprint=routes.bp, audit_labels=AUDIT_LABELS,
        object_labels={"equipment": "设备工具", **labels_audit.OBJECT_LABELS},
        demo=_demo, demo_order=60, uploads=stored_files, bench_pages=bench_pages,
        nav=(NavEntry("设备工具", "equipment.index", order=60, tile="设备、工具台账与检定"),),
        workspace=due.WORKSPACE_BLOCKS + desk.WORKSPACE_BLOCKS,
        notices=(NoticeRule("verification", "检定到期", due.send_notices),
                 NoticeRule("equipment_loan_overdue", "工具逾期未还", desk.overdue_loan_notices)),
        notice_kinds={"equipment": "设备", **labels_audit.NOTICE_KINDS},
        template_globals=routes_loans.TEMPLATE_GLOBALS,
        employee_panels=("equipment/_employee_tools.html",),
        on_leave=loans.held_by_leaver,
    ))
    # the checklist engine's items for each piece of equipment ask the register which
    # pieces they cover (app/checklists/targets.py)
    checklist_targets.install(app, EquipmentTargets())
    assert fault_routes  # its routes are on routes.bp

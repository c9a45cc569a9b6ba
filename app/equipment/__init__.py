"""车间设备、工具台账: the workshop's equipment and tools, their states, verifications
(检定/校准), QR labels; fault reports and repairs, the item's photo, checks for each piece
of equipment on the checklist engine, verification due lists, blocks and notices."""
from flask import Flask
from sqlalchemy import func, select

from app.checklists import targets as checklist_targets
from app.equipment import demo, demo_checks, due, fault_routes, faults, routes, rules
from app.equipment.checks import EquipmentTargets
from app.equipment.models import Equipment, EquipmentPhoto, FaultPhoto, Verification
from app.extensions import db
from app.parts import NavEntry, NoticeRule, Part, add

AUDIT_LABELS = {
    "equipment_create": "登记设备",
    "equipment_update": "修改设备",
    "equipment_state": "设备状态变更",
    "equipment_verification": "设备检定/校准",
    **faults.AUDIT_LABELS,  # issue 25b: 设备故障报修, 设备维修记录, 设备照片
}


def _demo(fresh: bool) -> list[str]:
    """The register's demo, then the lifts' checks and faults on it (issue 25b)."""
    return demo.demo(fresh) + demo_checks.seed(fresh)


def stored_files() -> dict[str, set[str]]:
    """Verification certificate scans, the items' photos and the fault photos (one folder)."""
    return {rules.SUB: set(db.session.scalars(select(Verification.scan_key).where(
        Verification.scan_key.is_not(None))))
        | set(db.session.scalars(select(EquipmentPhoto.file_key)))
        | set(db.session.scalars(select(FaultPhoto.file_key)))}


def bench_pages() -> list[tuple[str, str]]:
    item = db.session.scalar(select(func.max(Equipment.id)))
    return [("equipment", "/equipment/")] + ([("equipment item", f"/equipment/{item}")] if item else [])


def register(app: Flask) -> None:
    add(app, Part(
        "equipment", blueprint=routes.bp, audit_labels=AUDIT_LABELS, object_labels={"equipment": "设备工具"},
        demo=_demo, demo_order=60, uploads=stored_files, bench_pages=bench_pages,
        nav=(NavEntry("设备工具", "equipment.index", order=60, tile="设备、工具台账与检定"),),
        workspace=due.WORKSPACE_BLOCKS,
        notices=(NoticeRule("verification", "检定到期", due.send_notices),),
        notice_kinds={"equipment": "设备"},
    ))
    # the checklist engine's items for each piece of equipment ask the register which
    # pieces they cover (app/checklists/targets.py)
    checklist_targets.install(app, EquipmentTargets())
    assert fault_routes  # its routes are on routes.bp

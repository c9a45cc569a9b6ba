"""车间设备、工具台账: the workshop's equipment and tools, their states, verifications
(检定/校准) and QR labels."""
from flask import Flask
from sqlalchemy import func, select

from app.equipment import demo, routes, rules
from app.equipment.models import Equipment, Verification
from app.extensions import db
from app.parts import NavEntry, Part, add

AUDIT_LABELS = {
    "equipment_create": "登记设备",
    "equipment_update": "修改设备",
    "equipment_state": "设备状态变更",
    "equipment_verification": "设备检定/校准",
}


def stored_files() -> dict[str, set[str]]:
    """Verification certificate scans."""
    return {rules.SUB: set(db.session.scalars(select(Verification.scan_key).where(
        Verification.scan_key.is_not(None))))}


def bench_pages() -> list[tuple[str, str]]:
    item = db.session.scalar(select(func.max(Equipment.id)))
    return [("equipment", "/equipment/")] + ([("equipment item", f"/equipment/{item}")] if item else [])


def register(app: Flask) -> None:
    add(app, Part(
        "equipment", blueprint=routes.bp, audit_labels=AUDIT_LABELS, object_labels={"equipment": "设备工具"},
        demo=demo.demo, demo_order=60, uploads=stored_files, bench_pages=bench_pages,
        nav=(NavEntry("设备工具", "equipment.index", order=60, tile="设备、工具台账与检定"),),
    ))

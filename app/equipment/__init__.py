"""车间设备、工具台账: the workshop's equipment and tools, their states, verifications
(检定/校准) and QR labels."""
from flask import Flask

from app.equipment import demo, routes
from app.parts import NavEntry, Part, add

AUDIT_LABELS = {
    "equipment_create": "登记设备",
    "equipment_update": "修改设备",
    "equipment_state": "设备状态变更",
    "equipment_verification": "设备检定/校准",
}


def register(app: Flask) -> None:
    add(app, Part(
        "equipment", demo=demo.demo, demo_order=60, blueprint=routes.bp, audit_labels=AUDIT_LABELS, object_labels={"equipment": "设备工具"},
        nav=(NavEntry("设备工具", "equipment.index", order=60, tile="设备、工具台账与检定"),),
    ))

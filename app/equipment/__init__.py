"""车间设备、工具台账: the workshop's equipment and tools, their states, verifications
(检定/校准) and QR labels; tool loans (借用/归还), counts (盘点) and the CSV import."""
from flask import Flask
from sqlalchemy import func, select

from app.equipment import demo, demo_loans, desk, labels_audit, routes, routes_counts, routes_loans, rules
from app.equipment.models import Equipment, Verification
from app.extensions import db
from app.parts import NavEntry, NoticeRule, Part, add

AUDIT_LABELS = {
    "equipment_create": "登记设备",
    "equipment_update": "修改设备",
    "equipment_state": "设备状态变更",
    "equipment_verification": "设备检定/校准",
    **labels_audit.AUDIT_LABELS,
}


def _demo(fresh: bool) -> list[str]:
    """The register, then its loans and counts (which lend and count the register's tools)."""
    return demo.demo(fresh) + (demo_loans.seed_loans_and_counts(fresh) if fresh else [])


def stored_files() -> dict[str, set[str]]:
    """Verification certificate scans."""
    return {rules.SUB: set(db.session.scalars(select(Verification.scan_key).where(
        Verification.scan_key.is_not(None))))}


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
        workspace=desk.WORKSPACE_BLOCKS,
        notices=(NoticeRule("equipment_loan_overdue", "工具逾期未还", desk.overdue_loan_notices),),
        notice_kinds=labels_audit.NOTICE_KINDS,
        template_globals=routes_loans.TEMPLATE_GLOBALS,
        employee_panels=("equipment/_employee_tools.html",),
    ))

"""The register's CSV import, on the same machinery as the staff import (app/csvimport.py):
the file decoded, every row checked by the register's own rules (register._apply on a
copy that is never saved: the same messages as the form), a preview with every bad row
and why, and on confirmation the good rows created (or, for a known asset number,
updated) through register.create / register.update, each with its audit record."""
from sqlalchemy import func, select

from app.csvexport import looks_like_formula
from app.csvimport import ImportError_, Row, decode, parse_date, read_rows  # noqa: F401  (the route uses them)
from app.equipment import rules as register
from app.equipment.models import SCRAPPED, Equipment
from app.extensions import db
from app.staff.models import Employee

HEADERS = {
    "asset_no": ("资产编号", "编号", "asset_no"),
    "name": ("名称", "设备名称", "工具名称", "name"),
    "category": ("类别", "分类", "category"),
    "model": ("型号", "规格型号", "model"),
    "maker": ("生产厂家", "厂家", "制造商", "maker"),
    "serial_no": ("出厂编号", "序列号", "serial_no"),
    "location": ("位置", "存放位置", "工位", "location"),
    "quantity": ("数量", "件数", "quantity"),
    "responsible": ("负责人", "责任人", "responsible"),
    "purchased_on": ("购置日期", "购买日期", "purchased_on"),
    "verify_months": ("检定周期", "检定周期（月）", "检定周期(月)", "校准周期", "verify_months"),
    "notes": ("备注", "notes"),
}
EXAMPLE = "资产编号,名称,类别,型号,生产厂家,位置,数量,负责人,购置日期,检定周期（月）"
MAX_ROWS = 2000


def _people() -> tuple[dict, dict]:
    """Employees by number and, where the name is unique, by name."""
    by_no, by_name, twice = {}, {}, set()
    for e in db.session.scalars(select(Employee).where(Employee.active.is_(True))):
        by_no[e.employee_no] = e
        if e.name in by_name:
            twice.add(e.name)
        by_name[e.name] = e
    return by_no, {k: v for k, v in by_name.items() if k not in twice}


def _data(v: dict, row: Row, people) -> dict:
    """The row as the register's data dict; conversion errors go on the row."""
    data = {k: v[k] for k in ("asset_no", "name", "category", "model", "maker", "serial_no", "location", "notes")}
    data["quantity"] = 1
    if v["quantity"]:
        if v["quantity"].isdigit():
            data["quantity"] = int(v["quantity"])
        else:
            row.errors.append("数量应为整数")
    data["verify_months"] = None
    if v["verify_months"]:
        if v["verify_months"].isdigit():
            data["verify_months"] = int(v["verify_months"])
        else:
            row.errors.append("检定周期应为月数（整数），不需要检定请留空")
    data["needs_verification"] = bool(data["verify_months"])
    data["purchased_on"] = None
    if v["purchased_on"]:
        try:
            data["purchased_on"] = parse_date(v["purchased_on"])
        except ValueError:
            row.errors.append("购置日期格式不正确（应为 2024-03-01）")
    data["responsible_id"] = None
    if v["responsible"]:
        by_no, by_name = people
        person = by_no.get(v["responsible"]) or by_name.get(v["responsible"])
        if person is None:
            row.errors.append(f"负责人“{v['responsible']}”不是在职员工（可填工号或不重名的姓名）")
        else:
            data["responsible_id"] = person.id
    return data


def parse(text: str) -> list[Row]:
    """Every data row with its errors; raises ImportError_ for a file that is unusable."""
    rows = read_rows(text, HEADERS, ("asset_no", "name", "category"), EXAMPLE, MAX_ROWS, "设备")
    people = _people()
    existing = {row[1].lower(): row for row in db.session.execute(
        select(Equipment.id, Equipment.asset_no, Equipment.state, Equipment.location, Equipment.category,
               Equipment.quantity))}
    seen: dict[str, int] = {}
    for row in rows:
        v = row.values
        if any(looks_like_formula(v[k]) for k in ("asset_no", "name", "model", "notes")):
            row.errors.append("资产编号、名称、型号和备注不能以 = + - @ 开头")
        key = v["asset_no"].lower()
        if key and key in seen:
            row.errors.append(f"资产编号与第 {seen[key]} 行重复")
        elif key:
            seen[key] = row.line
        own = existing.get(key)
        if own is not None:
            row.action = "更新"
            if own[2] == SCRAPPED:
                row.errors.append("该设备已报废，信息不能再修改")
        data = _data(v, row, people)
        if not row.errors:
            try:  # the register's own checks, on a copy that is never added to the session
                register._apply(Equipment(id=own[0] if own else None), data)
            except register.Refused as exc:
                row.errors.append(str(exc).rstrip("。"))
        if own is not None and not row.errors:
            frozen = register.frozen_problem(own[3], own[4], own[5], data)
            if frozen:
                row.errors.append(frozen[1].rstrip("。"))
    return rows


def apply(rows: list[Row], user) -> tuple[int, int]:
    """Creates or updates the items of the good rows; returns (created, updated). A row the
    register refuses now although its preview passed (a count begun since) gets the reason
    on the row and is skipped, its changes undone."""
    people = _people()
    created = updated = 0
    for row in rows:
        if not row.ok:
            continue
        data = _data(row.values, row, people)
        item = db.session.scalar(select(Equipment).where(func.lower(Equipment.asset_no) == data["asset_no"].lower()))
        if item is None:
            register.create(data, user)
            created += 1
            continue
        try:
            with db.session.begin_nested():
                changed = register.update(item, data, user)
        except register.Refused as exc:
            row.errors.append(str(exc).rstrip("。"))
            continue
        updated += bool(changed)
    return created, updated

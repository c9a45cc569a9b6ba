"""Staff CSV import: decode (UTF-8 or GBK), parse, validate each row, then apply."""
import re

from sqlalchemy import select

from app.audit.log import record, record_changes
from app.csvimport import ImportError_, Row, decode, parse_date, read_rows  # noqa: F401  (importer's API)
from app.csvexport import looks_like_formula
from app.extensions import db
from app.org.models import Position
from app.parts import employee_left
from app.staff.rules import hire_date_ok
from app.staff.models import Employee, normalize_size

HEADERS = {
    "name": ("姓名", "名字", "name"),
    "employee_no": ("工号", "员工编号", "员工号", "编号", "employee_no"),
    "position": ("岗位", "职位", "岗位名称", "position"),
    "phone": ("电话", "手机", "手机号", "联系电话", "phone"),
    "hire_date": ("入职日期", "入职时间", "hire_date"),
    "active": ("在职", "状态", "在职状态", "active"),
    "clothing_size": ("服装尺码", "衣服尺码", "尺码", "clothing_size"),
    "shoe_size": ("鞋码", "鞋号", "shoe_size"),
}
OPTIONAL_KEEP = ("position", "clothing_size", "shoe_size")  # an empty cell keeps the current value
INACTIVE_WORDS = {"离职", "否", "0", "no", "false", "停用"}
ACTIVE_WORDS = {"在职", "是", "1", "yes", "true", "", "启用"}
PHONE_RE = re.compile(r"^[0-9+\-\s()]{5,30}$")
MAX_ROWS = 2000


def parse(text: str) -> list[Row]:
    """Every data row with its errors; raises ImportError_ for a file that is unusable."""
    rows = read_rows(text, HEADERS, ("name", "employee_no"), "姓名,工号,岗位,电话,入职日期", MAX_ROWS, "员工")
    positions = {p.title: p for p in db.session.scalars(select(Position))}
    existing = {e.employee_no: e for e in db.session.scalars(select(Employee))}
    seen: dict[str, int] = {}
    for row in rows:
        line_no, v = row.line, row.values
        if not v["name"]:
            row.errors.append("姓名为空")
        elif looks_like_formula(v["name"]) or looks_like_formula(v["employee_no"]):
            # would reach Excel as a formula in every export (OWASP CSV injection)
            row.errors.append("姓名和工号不能以 = + - @ 开头")
        elif len(v["name"]) > 40:
            row.errors.append("姓名过长（最多40字）")
        if not v["employee_no"]:
            row.errors.append("工号为空")
        elif len(v["employee_no"]) > 30:
            row.errors.append("工号过长（最多30字符）")
        elif v["employee_no"] in seen:
            row.errors.append(f"工号与第 {seen[v['employee_no']]} 行重复")
        else:
            seen[v["employee_no"]] = line_no
            if v["employee_no"] in existing:
                row.action = "更新"
        if v["position"] and v["position"] not in positions:
            row.errors.append(f"岗位“{v['position']}”不存在")
        if v["phone"] and not PHONE_RE.match(v["phone"]):
            row.errors.append("电话格式不正确")
        if v["hire_date"]:
            try:
                parsed = parse_date(v["hire_date"])
                if not hire_date_ok(parsed) or parsed.year < 1950:
                    row.errors.append("入职日期不合理（不能早于1950年，也不能晚于今天起90天）")
            except ValueError:
                row.errors.append("入职日期格式不正确（应为 2024-03-01）")
        for key, label in (("clothing_size", "服装尺码"), ("shoe_size", "鞋码")):
            if len(normalize_size(v[key])) > 10:
                row.errors.append(f"{label}过长（最多10个字符）")
        if v["active"].lower() not in INACTIVE_WORDS | ACTIVE_WORDS:
            row.errors.append("在职状态应为“在职”或“离职”")
    return rows


def apply(rows: list[Row], by=None) -> tuple[int, int]:
    """Create or update the employees of the valid rows; returns (created, updated)."""
    positions = {p.title: p for p in db.session.scalars(select(Position))}
    created = updated = 0
    for row in rows:
        if not row.ok:
            continue
        v = row.values
        fields = {
            "name": v["name"],
            "position": positions.get(v["position"]) if v["position"] else None,
            "phone": v["phone"] or None,
            "hire_date": parse_date(v["hire_date"]) if v["hire_date"] else None,
            "active": v["active"].lower() not in INACTIVE_WORDS,
            "clothing_size": normalize_size(v["clothing_size"]) or None,
            "shoe_size": normalize_size(v["shoe_size"]) or None,
        }
        employee = db.session.scalar(select(Employee).filter_by(employee_no=v["employee_no"]))
        if employee is None:
            employee = Employee(employee_no=v["employee_no"], **fields)
            db.session.add(employee)
            db.session.flush()
            record("employee_import", "employee", employee.id, summary=f"导入 {employee.name}",
                   after=employee.snapshot())
            created += 1
        else:
            before = employee.snapshot()
            for key, value in fields.items():
                if key in OPTIONAL_KEEP and not v[key]:
                    continue  # an empty cell keeps the current position or size
                setattr(employee, key, value)
            db.session.flush()
            if record_changes("employee_import", "employee", employee.id, before, employee.snapshot(),
                              summary=f"导入更新 {employee.name}"):
                updated += 1
            if before["employed"] and not employee.active:
                employee_left(employee, by)  # his account closed (audited), as from the form
    return created, updated



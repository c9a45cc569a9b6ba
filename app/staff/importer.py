"""Staff CSV import: decode (UTF-8 or GBK), parse, validate each row, then apply."""
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app.audit.log import record, record_changes
from app.csvexport import looks_like_formula
from app.extensions import db
from app.org.models import Position
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


class ImportError_(ValueError):
    pass


@dataclass
class Row:
    line: int
    values: dict
    errors: list[str] = field(default_factory=list)
    action: str = "新增"

    @property
    def ok(self) -> bool:
        return not self.errors


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GBK/GB18030 as Excel saves it in China."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportError_("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV 文件。")


def parse_date(value: str) -> date:
    value = value.strip()
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", value)
    if not m:
        raise ValueError
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def _map_header(header: list[str]) -> dict[str, int]:
    mapping = {}
    for idx, cell in enumerate(header):
        name = cell.strip().lower()
        for key, aliases in HEADERS.items():
            if name in (a.lower() for a in aliases) and key not in mapping:
                mapping[key] = idx
    missing = [HEADERS[k][0] for k in ("name", "employee_no") if k not in mapping]
    if missing:
        raise ImportError_("缺少必填列：" + "、".join(missing) + "。第一行应为表头，如：姓名,工号,岗位,电话,入职日期")
    return mapping


def parse(text: str) -> list[Row]:
    """Every data row with its errors; raises ImportError_ for a file that is unusable."""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        records = [r for r in csv.reader(io.StringIO(text, newline=""), dialect) if any(c.strip() for c in r)]
    except csv.Error:
        # a field over the csv module's limit (131,072 characters), a stray line break …
        raise ImportError_("无法读取此 CSV 文件：格式有误或某一格内容过长。请在 Excel 中检查后另存为 CSV。") from None
    if not records:
        raise ImportError_("文件是空的。")
    mapping = _map_header(records[0])
    if len(records) - 1 > MAX_ROWS:
        raise ImportError_(f"一次最多导入 {MAX_ROWS} 行。")
    if len(records) == 1:
        raise ImportError_("文件只有表头，没有员工数据。")

    positions = {p.title: p for p in db.session.scalars(select(Position))}
    existing = {e.employee_no: e for e in db.session.scalars(select(Employee))}
    seen: dict[str, int] = {}
    rows = []
    for line_no, record_ in enumerate(records[1:], start=2):
        cell = lambda key: (record_[mapping[key]].strip() if key in mapping and mapping[key] < len(record_) else "")  # noqa: E731
        row = Row(line=line_no, values={k: cell(k) for k in HEADERS})
        v = row.values
        if any(ch < " " for value in v.values() for ch in value):
            row.errors.append("含有换行或其他控制字符")
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
        rows.append(row)
    return rows


def apply(rows: list[Row]) -> tuple[int, int]:
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
    return created, updated



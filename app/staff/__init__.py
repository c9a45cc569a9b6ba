"""员工名录: employees, their positions over time, the CSV import."""
from flask import Flask

from app.parts import NavEntry, Part, add
from app.staff import routes

AUDIT_LABELS = {
    "employee_create": "新增员工",
    "employee_update": "修改员工",
    "employee_import": "导入员工",
}


def bench_pages() -> list[tuple[str, str]]:
    return [("staff", "/staff/")]


def register(app: Flask) -> None:
    add(app, Part("staff", blueprint=routes.bp, audit_labels=AUDIT_LABELS, object_labels={"employee": "员工"},
                  bench_pages=bench_pages,
                  nav=(NavEntry("员工", "staff.index", order=70, tile="在职员工"),)))

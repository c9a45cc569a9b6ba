"""Entering and changing an employee (the staff directory's form; the CSV import is
importer.py), with the audit record. Position tenures follow by themselves (tenure.py)."""
from app.audit.log import record, record_changes
from app.extensions import db
from app.org.models import Position
from app.parts import employee_left
from app.staff.models import Employee, normalize_size


def save_employee(employee: Employee | None, form, by=None) -> tuple[Employee, list[str]]:
    """Create (`employee` None) or change an employee from the checked EmployeeForm:
    text trimmed, an empty phone or size stored as none, sizes in one spelling. Returns
    the employee and, when he was just marked 离职, what the parts did about it (his
    account closed, what is still open: parts.employee_left)."""
    before = employee.snapshot() if employee is not None else None
    target = employee or Employee()
    target.name = form.name.data.strip()
    target.employee_no = form.employee_no.data.strip()
    target.position = db.session.get(Position, form.position_id.data) if form.position_id.data else None
    target.phone = (form.phone.data or "").strip() or None
    target.hire_date = form.hire_date.data
    target.clothing_size = normalize_size(form.clothing_size.data) or None
    target.shoe_size = normalize_size(form.shoe_size.data) or None
    target.active = form.active.data
    if employee is None:
        db.session.add(target)
        db.session.flush()
        record("employee_create", "employee", target.id, summary=target.name, after=target.snapshot())
    else:
        db.session.flush()
        record_changes("employee_update", "employee", target.id, before, target.snapshot(), summary=target.name)
        if before["employed"] and not target.active:
            return target, employee_left(target, by)
    return target, []

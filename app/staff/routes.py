from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager, selectinload

from app import params
from app.extensions import db
from app.org.models import Position, ordered_positions
from app.parts import employee_panels
from app.permissions import can_manage_staff, require

from app.staff.employees import save_employee
from app.staff.forms import EmployeeForm, ImportConfirmForm, ImportForm
from app.staff.importer import ImportError_, apply, decode, parse
from app.staff.models import Employee
from app.web import render

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.get("/")
@login_required
def index():
    q = request.args.get("q", "").strip()
    position_id = params.id_arg("position")
    show = request.args.get("show", "active")
    stmt = (select(Employee).outerjoin(Position).order_by(Employee.employee_no)
            .options(contains_eager(Employee.position), selectinload(Employee.account)))
    if q:
        like = f"%{q}%"
        by_phone = (Employee.phone.like(like),) if can_manage_staff(current_user) else ()  # nobody finds a number
        stmt = stmt.where(or_(Employee.name.like(like), Employee.employee_no.like(like), *by_phone))
    if position_id:
        stmt = stmt.where(Employee.position_id == position_id)
    if show == "active":
        stmt = stmt.where(Employee.active.is_(True))
    elif show == "inactive":
        stmt = stmt.where(Employee.active.is_(False))
    elif show == "no_account" and can_manage_staff(current_user):  # the workspace's 没有账号的员工
        stmt = stmt.where(Employee.active.is_(True), ~Employee.account.has())
    page = params.paginate(stmt)
    return render(
        "staff/index.html", "staff/_list.html",
        page=page, q=q, position_id=position_id, show=show, positions=ordered_positions(),
    )


@bp.get("/<int:employee_id>")
@login_required
def detail(employee_id: int):
    employee = db.get_or_404(Employee, employee_id)
    return render("staff/detail.html", employee=employee, panels=employee_panels())


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    require(can_manage_staff)
    form = EmployeeForm()
    if form.validate_on_submit():
        employee, _ = save_employee(None, form, current_user)
        db.session.commit()
        flash(f"已新增员工 {employee.name}。", "success")
        return redirect(url_for("staff.detail", employee_id=employee.id), code=303)
    return render("staff/form.html", form=form, employee=None, status=422 if form.errors else 200)


@bp.route("/<int:employee_id>/edit", methods=["GET", "POST"])
@login_required
def edit(employee_id: int):
    require(can_manage_staff)
    employee = db.get_or_404(Employee, employee_id)
    form = EmployeeForm(obj=employee, employee=employee)
    if request.method == "GET":
        form.fill_from(employee)
    if form.validate_on_submit():
        _, left = save_employee(employee, form, current_user)
        db.session.commit()
        flash("员工信息已保存。", "success")
        for line in left:
            flash(line, "info")
        return redirect(url_for("staff.detail", employee_id=employee.id), code=303)
    return render("staff/form.html", form=form, employee=employee, status=422 if form.errors else 200)


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_csv():
    require(can_manage_staff)
    form = ImportForm()
    if form.validate_on_submit():
        try:
            text = decode(form.file.data.read())
            rows = parse(text)
        except ImportError_ as exc:
            form.file.errors.append(str(exc))
            return render("staff/import.html", form=form, status=422)
        confirm = ImportConfirmForm(payload=text)
        return render("staff/import_preview.html", rows=rows, confirm=confirm,
                      good=sum(r.ok for r in rows), bad=sum(not r.ok for r in rows))
    return render("staff/import.html", form=form, status=422 if form.errors else 200)


@bp.post("/import/confirm")
@login_required
def import_confirm():
    require(can_manage_staff)
    confirm = ImportConfirmForm()
    if not confirm.validate_on_submit():
        flash("导入内容缺失，请重新上传文件。", "error")
        return redirect(url_for("staff.import_csv"), code=303)
    try:
        rows = parse(confirm.payload.data)
    except ImportError_ as exc:
        flash(str(exc), "error")
        return redirect(url_for("staff.import_csv"), code=303)
    created, updated = apply(rows, current_user)
    skipped = sum(not r.ok for r in rows)
    db.session.commit()
    msg = f"导入完成：新增 {created} 人，更新 {updated} 人"
    msg += f"，跳过有误的 {skipped} 行。" if skipped else "。"
    flash(msg, "success")
    return redirect(url_for("staff.index"), code=303)

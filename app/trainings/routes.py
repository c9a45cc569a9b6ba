from datetime import date

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app import clock, params
from app.audit.log import record
from app.extensions import db
from app.org.models import Position, ordered_positions
from app.permissions import can_record_trainings, may_restore_training_files, may_see_training_files, require
from app.printing import pdf_response, render_pdf
from app.staff.models import Employee, staff_rows

from app.trainings.forms import PlainForm, TrainingForm
from app.trainings.models import (DONE, PHOTO, SIGN_LABELS, STATUS_LABELS, Attendee, Training,
                                  TrainingCategory, TrainingFile)
from app.trainings.records import (TrainingError, add_employees, add_outside, file_path, hired_after, remove_attendee,
                                   restore, save_training, set_assessment, set_caption, set_status, sign_all,
                                   sign_in_open, soft_delete, totals, totals_for, upload, years)
from app.trainings.templating import employee_options
from app.uploads import send_stored
from app.web import is_htmx, render

bp = Blueprint("trainings", __name__, url_prefix="/trainings")


# A session with its attendees, each with employee and position: the pages and the record
# PDF ask of every attendee whether the viewer may see his result, and the files of the
# attendees' supervisors (permissions), which otherwise loads each employee on its own.
WITH_ATTENDEES = [selectinload(Training.attendees).selectinload(Attendee.employee).selectinload(Employee.position)]


def _helpers(**extra) -> dict:
    return {"sign_labels": SIGN_LABELS, "status_labels": STATUS_LABELS, "plain_form": PlainForm(),
            "sign_in_open": sign_in_open, **extra}


def _categories():
    return list(db.session.scalars(select(TrainingCategory).where(TrainingCategory.active.is_(True))
                                   .order_by(TrainingCategory.sort_order, TrainingCategory.id)))


@bp.get("/")
@login_required
def index():
    args = request.args
    stmt = select(Training).order_by(Training.held_on.desc(), Training.start_time.desc()).options(
        selectinload(Training.category), selectinload(Training.trainer_employee))
    # Date ranges, not extract(): the index on held_on answers them.
    year = params.optional_year_arg("year")
    month = request.args.get("month", type=params.bounded_int)
    if year and month and 1 <= month <= 12:
        stmt = stmt.where(Training.held_on.between(*clock.month_days(year, month)))
    elif year:
        stmt = stmt.where(Training.held_on.between(date(year, 1, 1), date(year, 12, 31)))
    category_id = params.id_arg("category")
    if category_id:
        stmt = stmt.where(Training.category_id == category_id)
    if args.get("trainer", "").strip():
        like = f"%{args['trainer'].strip()}%"
        stmt = stmt.outerjoin(Employee, Training.trainer_employee_id == Employee.id).where(
            or_(Training.trainer_name.like(like), Employee.name.like(like)))
    if args.get("attendee", "").strip():
        like = f"%{args['attendee'].strip()}%"
        stmt = stmt.where(Training.id.in_(select(Attendee.training_id).where(Attendee.name.like(like))))
    page = params.paginate(stmt, 20)
    # 到场/应到 per row from one grouped query, not by loading every attendee.
    return render("trainings/index.html", "trainings/_list.html", page=page,
                  row_totals=totals_for(t.id for t in page.items), args=args, categories=_categories(),
                  years=years(), **_helpers())


def _form(training: Training | None) -> TrainingForm:
    form = TrainingForm(obj=training)
    form.category_id.choices = [(c.id, c.name) for c in _categories()]
    form.trainer_employee_id.choices = [(0, "（外部讲师）")] + [
        (e.id, f"{e.name}（{e.title or '无岗位'}）")  # a trainer who has left stays on his sessions
        for e in staff_rows(training.trainer_employee_id if training is not None else None)]
    if request.method == "GET" and training is not None:
        form.fill_from(training)
    if request.method == "GET" and training is None:
        form.fill_new(clock.local_now().date(), current_user.name)
    return form


@bp.route("/new", methods=["GET", "POST"], defaults={"training_id": None})
@bp.route("/<int:training_id>/edit", methods=["GET", "POST"])
@login_required
def edit(training_id):
    require(can_record_trainings)
    training = db.get_or_404(Training, training_id) if training_id else None
    form = _form(training)
    if form.validate_on_submit():
        t = save_training(training, form, current_user)
        db.session.commit()
        flash("培训记录已保存。", "success")
        return redirect(url_for("trainings.detail", training_id=t.id), code=303)
    return render("trainings/form.html", form=form, training=training,
                  status=422 if request.method == "POST" else 200, **_helpers())


@bp.get("/<int:training_id>")
@login_required
def detail(training_id: int):
    # the trainer with the training: one statement whether or not they are on the page already
    t = db.get_or_404(Training, training_id, options=[joinedload(Training.trainer_employee), *WITH_ATTENDEES])
    show_deleted = may_restore_training_files(current_user) and request.args.get("deleted") == "1"
    headcount = dict(db.session.execute(select(Employee.position_id, func.count()).where(Employee.active.is_(True))
                                        .group_by(Employee.position_id)).all())
    return render("trainings/detail.html", training=t, totals=totals(t), positions=ordered_positions(),
                  headcount=headcount,
                  # The attendee picker, only for those who may add attendees.
                  employee_options=employee_options() if can_record_trainings(current_user) else "",
                  show_deleted=show_deleted, **_helpers())


def _for_change(model, object_id: int):
    """Load a training or file for a change: permission, then the row, then CSRF."""
    require(can_record_trainings)
    obj = db.get_or_404(model, object_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    return obj


def _training_for_change(training_id: int) -> Training:
    return _for_change(Training, training_id)


@bp.post("/<int:training_id>/attendees")
@login_required
def attendees_add(training_id: int):
    t = _training_for_change(training_id)
    try:
        if request.form.get("position_id", type=params.bounded_int):
            position = db.get_or_404(Position, request.form.get("position_id", type=params.bounded_int))
            staff = [e for e in position.employees if e.active]
            added = add_employees(t, staff)
            later = [e.name for e in staff if hired_after(t, e)]
            on_list = len(staff) - len(added) - len(later)  # on the list before
            if added:
                message = f"已加入{position.title} {len(added)} 人" + (f"，另 {on_list} 人已在名单中" if on_list else "") + "。"
            else:
                message = f"{position.title} {on_list} 人均已在名单中。" if on_list else f"{position.title} 没有可加入的在职人员。"
            message += (
                f"{'、'.join(later)} 在培训日期之后入职，未加入。" if later else "")
        elif request.form.get("employee_id", type=params.bounded_int):
            emp = db.get_or_404(Employee, request.form.get("employee_id", type=params.bounded_int))
            if hired_after(t, emp):
                raise TrainingError(f"{emp.name} 于 {emp.hire_date:%Y-%m-%d} 入职，晚于培训日期，不能加入。")
            added = add_employees(t, [emp])
            message = f"已加入 {emp.name}。" if added else f"{emp.name} 已在名单中。"
        else:
            a = add_outside(t, request.form.get("name", ""), request.form.get("organisation", ""))
            message = f"已加入 {a.name}。"
    except TrainingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("trainings.detail", training_id=t.id) + "#attendees", code=303)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("trainings.detail", training_id=t.id) + "#attendees", code=303)


def _attendee(training_id: int, attendee_id: int) -> tuple[Training, Attendee]:
    t = _training_for_change(training_id)
    a = db.get_or_404(Attendee, attendee_id)
    if a.training_id != t.id:
        abort(404)
    return t, a


def _attendee_response(t: Training, a: Attendee, error: str | None = None):
    if is_htmx():
        # On a refusal the row shows what was typed, with the message, not the old value.
        return render("trainings/_attendee_row.html", training=t, a=a, totals=totals(t), oob=True, error=error,
                      typed=request.form if error else None, status=422 if error else 200, **_helpers())
    if error:
        flash(error, "error")
    return redirect(url_for("trainings.detail", training_id=t.id) + f"#att-{a.id}", code=303)


def _change_attendee(training_id: int, attendee_id: int, change):
    """Apply `change(attendee)`; answer with the row and totals (HTMX) or a redirect."""
    t, a = _attendee(training_id, attendee_id)
    try:
        change(a)
    except TrainingError as exc:
        db.session.rollback()
        return _attendee_response(t, a, str(exc))
    db.session.commit()
    return _attendee_response(t, a)


@bp.post("/<int:training_id>/attendees/<int:attendee_id>/status")
@login_required
def attendee_status(training_id: int, attendee_id: int):
    return _change_attendee(training_id, attendee_id, lambda a: set_status(a, request.form.get("status", "")))


@bp.post("/<int:training_id>/attendees/<int:attendee_id>/assess")
@login_required
def attendee_assess(training_id: int, attendee_id: int):
    return _change_attendee(training_id, attendee_id, lambda a: set_assessment(
        a, request.form.get("score", ""), request.form.get("feedback", "")))


@bp.post("/<int:training_id>/attendees/sign-all")
@login_required
def attendees_sign_all(training_id: int):
    t = _training_for_change(training_id)
    try:
        n = sign_all(t)
    except TrainingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("trainings.detail", training_id=t.id) + "#attendees", code=303)
    db.session.commit()
    flash(f"已为 {n} 人签到。" if n else "没有未签到的人员。", "success" if n else "info")
    return redirect(url_for("trainings.detail", training_id=t.id) + "#attendees", code=303)


@bp.post("/<int:training_id>/attendees/<int:attendee_id>/remove")
@login_required
def attendee_remove(training_id: int, attendee_id: int):
    t, a = _attendee(training_id, attendee_id)
    try:
        remove_attendee(a)
    except TrainingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash("已移除。", "success")
    return redirect(url_for("trainings.detail", training_id=t.id) + "#attendees", code=303)


@bp.post("/<int:training_id>/files")
@login_required
def files_upload(training_id: int):
    t = _training_for_change(training_id)
    kind = request.form.get("kind", PHOTO)
    files = [f for f in request.files.getlist("files") if f and (f.filename or f.content_length)]
    error = None
    if not files:
        results, status, error = [], 422, "请选择要上传的文件。"
        if not is_htmx():
            flash(error, "error")
    else:
        try:
            results = upload(t, files, kind, current_user)
        except TrainingError:
            abort(400)
        db.session.commit()
        status = 200 if any(r.ok for r in results) else 422
    if is_htmx():
        db.session.refresh(t)
        return render("trainings/_files.html", training=t, kind=kind, results=results, error=error, status=status,
                      **_helpers())
    for r in results:
        flash(f"{r.name}：{'已上传' if r.ok else r.message}", "success" if r.ok else "error")
    return redirect(url_for("trainings.detail", training_id=t.id) + f"#files-{kind}", code=303)


def _file_for_change(file_id: int) -> TrainingFile:
    return _for_change(TrainingFile, file_id)


@bp.post("/files/<int:file_id>/caption")
@login_required
def file_caption(file_id: int):
    f = _file_for_change(file_id)
    try:
        set_caption(f, request.form.get("caption", ""), request.form.get("sort_order", type=params.bounded_int))
    except TrainingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("trainings.detail", training_id=f.training_id) + f"#files-{f.kind}", code=303)
    db.session.commit()
    return redirect(url_for("trainings.detail", training_id=f.training_id) + f"#files-{f.kind}", code=303)


@bp.post("/files/<int:file_id>/delete")
@login_required
def file_delete(file_id: int):
    f = _file_for_change(file_id)
    soft_delete(f, current_user)
    db.session.commit()
    flash(f"已删除 {f.display_name}（管理员可恢复）。", "success")
    return redirect(url_for("trainings.detail", training_id=f.training_id) + f"#files-{f.kind}", code=303)


@bp.post("/files/<int:file_id>/restore")
@login_required
def file_restore(file_id: int):
    require(may_restore_training_files)
    f = db.get_or_404(TrainingFile, file_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    restore(f)
    db.session.commit()
    flash(f"已恢复 {f.display_name}。", "success")
    return redirect(url_for("trainings.detail", training_id=f.training_id, deleted=1) + f"#files-{f.kind}", code=303)


@bp.get("/files/<int:file_id>/<size>")
@login_required
def file_get(file_id: int, size: str):
    """Photos and scans as JPEG (full/print/thumb); materials as downloads with the
    original name. Never rendered inline as HTML."""
    f = db.get_or_404(TrainingFile, file_id)
    if f.deleted_at is not None and not may_restore_training_files(current_user):
        abort(404)
    require(may_see_training_files, db.session.get(Training, f.training_id, options=WITH_ATTENDEES), f.kind)
    if f.stored_as_file:
        return send_stored(file_path(f), f.mime, f.display_name)
    if size not in ("full", "print", "thumb"):
        abort(404)
    return send_stored(file_path(f, size), "image/jpeg")


# --- print-outs ----------------------------------------------------------------------

SPARE_ROWS = 5


@bp.get("/<int:training_id>/signin.pdf")
@login_required
def signin_pdf(training_id: int):
    t = db.get_or_404(Training, training_id)
    pdf = render_pdf("print/training_signin.html", training=t, spare=SPARE_ROWS, **_helpers())
    return pdf_response(pdf, f"签到表-{t.held_on}-{t.topic}.pdf")


@bp.get("/<int:training_id>/record.pdf")
@login_required
def record_pdf(training_id: int):
    t = db.get_or_404(Training, training_id, options=WITH_ATTENDEES)
    pdf = render_pdf("print/training_record.html", training=t, totals=totals(t), **_helpers())
    return pdf_response(pdf, f"培训记录-{t.held_on}-{t.topic}.pdf")


def _ledger_context(year: int) -> dict:
    """The year's sessions for the training ledger PDF, with subtotals per month."""
    rows = db.session.scalars(select(Training).where(Training.held_on.between(date(year, 1, 1), date(year, 12, 31)))
                              .order_by(Training.held_on, Training.start_time)
                              .options(selectinload(Training.category), selectinload(Training.trainer_employee))).all()
    row_totals = totals_for(t.id for t in rows)
    # Subtotals and totals count the sessions held; planned ones are listed apart.
    planned = [t for t in rows if t.status != DONE]
    rows = [t for t in rows if t.status == DONE]
    months: dict[int, dict] = {}
    for t in rows:
        m = months.setdefault(t.held_on.month, {"count": 0, "hours": 0.0, "present": 0, "expected": 0})
        tt = row_totals[t.id]
        m["count"] += 1
        m["hours"] += t.hours
        m["present"] += tt.signed
        m["expected"] += tt.expected
    return {"rows": rows, "planned": planned, "year": year, "months": months, "row_totals": row_totals,
            **_helpers()}


@bp.get("/ledger.pdf")
@login_required
def ledger_pdf():
    year = params.year_arg()
    pdf = render_pdf("print/training_ledger.html", **_ledger_context(year))
    return pdf_response(pdf, f"培训台账-{year}年.pdf")


@bp.route("/categories", methods=["GET", "POST"])
@login_required
def categories():
    require(can_record_trainings)
    if request.method == "POST":
        if not PlainForm().validate_on_submit():
            abort(400)
        name = request.form.get("name", "").strip()
        if not name or len(name) > 40:
            flash("类别名称应为1到40字。", "error")
        elif db.session.scalar(select(TrainingCategory).filter_by(name=name)):
            flash(f"类别“{name}”已存在。", "error")
        else:
            order = (db.session.scalar(select(db.func.max(TrainingCategory.sort_order))) or 0) + 1
            db.session.add(TrainingCategory(name=name, sort_order=order))
            record("training_category", "training_category", None, summary=f"新增培训类别 {name}")
            db.session.commit()
            flash(f"已新增类别“{name}”。", "success")
        return redirect(url_for("trainings.categories"), code=303)
    return render("trainings/categories.html", categories=_categories(), **_helpers())

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app import clock, params, uploads
from app.coverage import rules
from app.coverage.changes import (SUB, Refused, SignOffRefused, add_certificate, add_requirement, add_step, discard,
                                  gap_attendees, gap_training, mark_step, set_requirement_active, set_step_active,
                                  sign_off, start_onboarding, withdraw_sign_off)
from app.coverage.forms import CertificateForm, RequirementForm, StepForm
from app.coverage.matrix_html import rows_of
from app.coverage.models import Certificate, OnboardingStep, Requirement
from app.extensions import db
from app.trainings.forms import PlainForm
from app.org.models import Position
from app.permissions import (can_edit_org, can_record_trainings, may_mark_onboarding_step, may_sign_off_onboarding,
                             may_view_coverage, may_view_employee, require)
from app.printing import pdf_response, render_pdf
from app.safe_html import select_options
from app.staff.models import Employee
from app.trainings.models import TrainingCategory
from app.web import render
from app.xlsxexport import Table, requested_format, table_response

bp = Blueprint("coverage", __name__, url_prefix="/coverage")


def _categories():
    return list(db.session.scalars(select(TrainingCategory).where(TrainingCategory.active.is_(True))
                                   .order_by(TrainingCategory.sort_order)))


@bp.get("/")
@login_required
def matrix():
    require(may_view_coverage)
    position_id = params.id_arg("position")
    today, warn, may_gap = clock.local_now().date(), rules.warn_days(), can_record_trainings(current_user)
    m = rules.matrix(position_id, today, warn)
    # the filter's positions: unfiltered, the matrix's own are those with a requirement
    positions = m.positions if position_id is None else rules.positions_with_requirements()
    return render("coverage/matrix.html", m=m, may_gap=may_gap, matrix_rows=rows_of(m, may_gap),
                  position_id=position_id,
                  all_positions=positions, has_columns=bool(positions), labels=rules.LABELS, warn=warn)


@bp.get("/matrix.pdf")
@login_required
def matrix_pdf():
    require(may_view_coverage)
    position_id = params.id_arg("position")
    today, warn = clock.local_now().date(), rules.warn_days()
    pdf = render_pdf("print/coverage_matrix.html", m=rules.matrix(position_id, today, warn), labels=rules.LABELS)
    return pdf_response(pdf, f"培训覆盖矩阵-{clock.local_now().date():%Y%m%d}.pdf")


@bp.get("/matrix.csv")
@bp.get("/matrix.xlsx", endpoint="matrix_xlsx")
@login_required
def matrix_csv():
    require(may_view_coverage)
    position_id = params.id_arg("position")
    today, warn = clock.local_now().date(), rules.warn_days()
    table = _matrix_table(rules.matrix(position_id, today, warn))
    return table_response(table, requested_format(), f"培训覆盖矩阵-{today:%Y%m%d}")


def _matrix_table(m) -> Table:
    """The matrix as a table: per requirement its status, the date it was fulfilled and
    the date it runs out, each in a column of its own."""
    header = ["工号", "姓名", "岗位"]
    for r in m.columns:
        name = f"{r.position.title}·{r.name}"
        header += [name, f"{name}·完成日期", f"{name}·有效期至"]
    rows = []
    for g in m.groups:
        for row in g["rows"]:
            e = row["employee"]
            cells = [e.employee_no, e.name, g["position"].title]
            for c in row["cells"]:
                cells += [c.label, c.evidence.on if c.evidence and c.state != rules.NA else None, c.expires]
            rows.append(cells)
    return Table("培训覆盖矩阵", header, rows)


@bp.get("/expiring")
@login_required
def expiring():
    require(may_view_coverage)
    return render("coverage/expiring.html", lists=rules.expiring(), warn=rules.warn_days())


@bp.post("/gap")
@login_required
def gap():
    """From a gap to a session: the selected employees missing a requirement become the
    attendees of a new planned training."""
    require(can_record_trainings)
    if not PlainForm().validate_on_submit():
        abort(400)
    requirement = db.get_or_404(Requirement, params.to_id(request.form.get("requirement")) or 0)
    ids = [i for i in (params.to_id(v) for v in request.form.getlist(f"employee-{requirement.id}")) if i]
    try:
        employees = gap_attendees(requirement, ids)
    except Refused as exc:
        abort(exc.status, description=str(exc))
    try:
        t = gap_training(requirement, employees, current_user)
    except Refused as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("coverage.matrix", position=requirement.position_id), code=303)
    db.session.commit()
    flash(f"已为 {len(employees)} 人新建培训「{t.topic}」（计划中，{t.held_on:%m月%d日}），请确认时间和地点。", "success")
    return redirect(url_for("trainings.edit", training_id=t.id), code=303)


# --- requirements and onboarding steps per position (admin) --------------------------

@bp.route("/positions/<int:position_id>", methods=["GET", "POST"])
@login_required
def position_requirements(position_id: int):
    require(can_edit_org)
    position = db.get_or_404(Position, position_id)
    form, step_form = RequirementForm(prefix="r"), StepForm(prefix="s")
    form.category_id.choices = [(0, "（不限类别）")] + [(c.id, c.name) for c in _categories()]
    status = 200
    if request.method == "POST":
        which = request.form.get("which")
        target = form if which == "requirement" else step_form
        if target.validate_on_submit():
            try:
                (add_requirement if which == "requirement" else add_step)(position, target)
                db.session.commit()
                flash("已保存。", "success")
                return redirect(url_for("coverage.position_requirements", position_id=position.id), code=303)
            except Refused as exc:
                db.session.rollback()
                flash(str(exc), "error")
                status = exc.status
        else:
            status = 422
    reqs, steps = rules.position_setup(position)
    return render("coverage/position.html", position=position, form=form, step_form=step_form, reqs=reqs,
                  steps=steps, status=status)


def _set_active(model, object_id: int, setter, anchor: str = "", message=None):
    """停用 / 恢复 of a requirement or an onboarding step, back to the position's page."""
    require(can_edit_org)
    obj = db.get_or_404(model, object_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    setter(obj, request.form.get("active") == "1")
    db.session.commit()
    if message:
        flash(message(obj), "success")
    return redirect(url_for("coverage.position_requirements", position_id=obj.position_id) + anchor, code=303)


@bp.post("/requirements/<int:requirement_id>/active")
@login_required
def requirement_active(requirement_id: int):
    return _set_active(Requirement, requirement_id, set_requirement_active)


@bp.post("/onboarding-steps/<int:step_id>/active")
@login_required
def step_active(step_id: int):
    return _set_active(OnboardingStep, step_id, set_step_active, "#steps",
                       lambda step: f"入职步骤「{step.title}」已{'恢复' if step.active else '停用'}。")


# --- one employee: requirements, certificates, onboarding ----------------------------

def _employee(employee_id: int) -> Employee:
    employee = db.get_or_404(Employee, employee_id)
    require(may_view_employee, employee)
    return employee


def _cert_form(employee: Employee) -> CertificateForm:
    form = CertificateForm()
    reqs = rules.requirements_of([employee.position_id]) if employee.position_id else []
    form.requirement_id.choices = [(0, "（不对应岗位要求）")] + [(r.id, r.name) for r in reqs if r.certificate]
    return form


@bp.get("/employees/<int:employee_id>")
@login_required
def employee(employee_id: int):
    e = _employee(employee_id)
    return _employee_page(e, _cert_form(e))


def _employee_page(e: Employee, cert_form, status: int = 200, signoff: dict | None = None,
                   withdraw: dict | None = None):
    """`signoff`: a refused 上岗确认 (its problems, the unfinished steps to acknowledge,
    the note typed); `withdraw`: a refused 撤销 (its problem, the reason typed)."""
    today = clock.local_now().date()
    onboarding = rules.onboarding_for(e)
    mentors = select_options(((m.id, f"{m.name}（{m.title or ''}）") for m in rules.mentor_rows(e, onboarding and onboarding.mentor_id)),
                             onboarding and onboarding.mentor_id) if can_record_trainings(current_user) else ""
    own = rules.own_evidence(e, today)
    return render("coverage/employee.html", employee=e, reqs=rules.employee_requirements(e, today, own),
                  certs=rules.certificates_of(e),
                  cert_form=cert_form, steps=rules.plan(e, today, own), onboarding=onboarding,
                  new_hire=rules.is_new_hire(e, today), today=today, mentors=mentors,
                  may_edit=can_record_trainings(current_user),
                  may_sign=may_sign_off_onboarding(current_user, e), signoff=signoff or {},
                  withdraw=withdraw or {}, status=status)


@bp.post("/employees/<int:employee_id>/certificates")
@login_required
def certificate_add(employee_id: int):
    require(can_record_trainings)
    e = db.get_or_404(Employee, employee_id)
    form = _cert_form(e)
    if not form.validate_on_submit():
        return _employee_page(e, form, 422)
    stored: list = []
    try:
        add_certificate(e, form, current_user, stored)
        db.session.commit()
    except uploads.UploadError as exc:
        db.session.rollback()
        discard(stored)
        form.scan.errors = [str(exc)]
        return _employee_page(e, form, 422)
    except BaseException:
        db.session.rollback()
        discard(stored)
        raise
    flash(f"已添加证书「{form.name.data.strip()}」。", "success")
    return redirect(url_for("coverage.employee", employee_id=e.id) + "#certificates", code=303)


@bp.get("/certificates/<int:certificate_id>/scan")
@login_required
def certificate_scan(certificate_id: int):
    c = db.get_or_404(Certificate, certificate_id)
    if not may_view_employee(current_user, c.employee) or not c.scan_key:
        abort(404)
    if c.scan_kind == "image":
        return uploads.send_stored(uploads.path_for(SUB, f"{c.scan_key}-full.jpg"), "image/jpeg")
    return uploads.send_stored(uploads.path_for(SUB, f"{c.scan_key}.bin"), "application/pdf", c.scan_name)


@bp.post("/employees/<int:employee_id>/onboarding")
@login_required
def onboarding_start(employee_id: int):
    """Start (or change the mentor of) an employee's onboarding plan."""
    require(can_record_trainings)
    e = db.get_or_404(Employee, employee_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    try:
        start_onboarding(e, params.to_id(request.form.get("mentor")) or None)
    except Refused as exc:
        db.session.rollback()
        abort(exc.status, description=str(exc))
    db.session.commit()
    flash("入职计划已保存。", "success")
    return redirect(url_for("coverage.employee", employee_id=e.id) + "#onboarding", code=303)


@bp.post("/employees/<int:employee_id>/onboarding/steps/<int:step_id>")
@login_required
def onboarding_step(employee_id: int, step_id: int):
    """A step the app cannot tell by itself (师傅带教, 安全告知): marked done by the clerk
    or a supervisor of the position."""
    e = db.get_or_404(Employee, employee_id)
    require(may_mark_onboarding_step, e)
    step = db.get_or_404(OnboardingStep, step_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    try:
        mark_step(e, step, current_user, request.form.get("note", ""))
    except Refused as exc:
        db.session.rollback()
        abort(exc.status, description=str(exc))
    db.session.commit()
    return redirect(url_for("coverage.employee", employee_id=e.id) + "#onboarding", code=303)


def _signer_of(employee_id: int) -> Employee:
    """The new hire, for a POST (CSRF checked) by someone who may sign his onboarding off."""
    e = db.get_or_404(Employee, employee_id)
    require(may_sign_off_onboarding, e)
    if not PlainForm().validate_on_submit():
        abort(400)
    return e


@bp.post("/employees/<int:employee_id>/onboarding/signoff")
@login_required
def onboarding_signoff(employee_id: int):
    """上岗确认: the supervisor of the position signs the onboarding off with a note; with
    steps unfinished, only once he ticks that he knows (the page lists them)."""
    e = _signer_of(employee_id)
    note = request.form.get("note", "")
    try:
        sign_off(e, current_user, note, acknowledged=request.form.get("unfinished_ok") == "1")
    except SignOffRefused as exc:
        db.session.rollback()
        return _employee_page(e, _cert_form(e), exc.status,
                              signoff={"problems": exc.problems, "unfinished": exc.unfinished, "note": note})
    except Refused as exc:
        db.session.rollback()
        abort(exc.status, description=str(exc))
    db.session.commit()
    flash(f"{e.name} 已上岗确认。", "success")
    return redirect(url_for("coverage.employee", employee_id=e.id) + "#onboarding", code=303)


@bp.post("/employees/<int:employee_id>/onboarding/signoff/withdraw")
@login_required
def onboarding_signoff_withdraw(employee_id: int):
    """撤销上岗确认, with a reason: by whoever may sign off; the plan is open again."""
    e = _signer_of(employee_id)
    reason = request.form.get("reason", "")
    try:
        withdraw_sign_off(e, current_user, reason)
    except Refused as exc:
        db.session.rollback()
        if exc.status == 409:
            abort(exc.status, description=str(exc))
        return _employee_page(e, _cert_form(e), exc.status, withdraw={"problem": str(exc), "reason": reason})
    db.session.commit()
    flash(f"已撤销 {e.name} 的上岗确认，入职计划恢复为进行中。", "success")
    return redirect(url_for("coverage.employee", employee_id=e.id) + "#onboarding", code=303)


@bp.get("/employees/<int:employee_id>/onboarding.pdf")
@login_required
def onboarding_pdf(employee_id: int):
    e = _employee(employee_id)
    today = clock.local_now().date()
    pdf = render_pdf("print/onboarding.html", employee=e, steps=rules.plan(e, today), today=today,
                     onboarding=rules.onboarding_for(e))
    return pdf_response(pdf, f"新员工入职培训记录-{e.name}.pdf")


@bp.get("/onboarding")
@login_required
def onboarding_list():
    """New hires and their onboarding progress."""
    require(may_view_coverage)
    today = clock.local_now().date()
    return render("coverage/onboarding.html", hires=rules.onboarding_progress(today), today=today)

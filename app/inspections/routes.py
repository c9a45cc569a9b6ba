"""The inspection pages: thin (parse → authorise → call a rule → render); the rules are in
templates.py, inspecting.py, scoring.py, actions.py and reports.py."""
import re

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock, params, uploads
from app.extensions import db
from app.inspections import actions as action_rules
from app.inspections import inspecting, reports, schedules, scoring
from app.inspections import templates as tpl
from app.inspections.errors import Refused
from app.inspections.forms import AssignForm, DoneForm, NoteForm, ReassignForm, ReasonForm
from app.inspections.models import (ACTION_STATES, CANCELLED, CLOSED, DONE, EVENT_LABELS, OPEN, SUBMITTED,
                                    CorrectiveAction, Inspection, InspectionPhoto, InspectionTemplate)
from app.permissions import (is_action_assignee, may_inspect, may_assign_action, may_delete_inspection,
                             may_edit_inspection, may_inspect_area,
                             may_manage_inspection_templates, may_reopen_inspection, may_update_action,
                             may_verify_action, may_view_action, may_view_area_inspections, may_view_inspection,
                             require)
from app.printing import pdf_response
from app.staff.models import staff_rows
from app.web import is_htmx, render
from app.xlsxexport import requested_format, table_response

bp = Blueprint("inspections", __name__, url_prefix="/inspections")

ITEM_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
LIST_PAGE = 20  # inspections per page of the list: a phone's few screens


@bp.context_processor
def words():
    return {"value_labels": scoring.VALUE_LABELS, "action_states": ACTION_STATES, "event_labels": EVENT_LABELS,
            "answer_label": scoring.label,
            "answer_failed": lambda item, value: scoring.evaluate(item, value)[1], "target_text": scoring.target_text, "type_labels": tpl.TYPES}


def _refuse(exc: Refused):
    db.session.rollback()
    abort(exc.status, description=str(exc))


def _visible_areas(user) -> list:
    return [a for a in tpl.areas().values() if may_view_area_inspections(user, a)]


def _inspection(insp_id: int) -> tuple[Inspection, object]:
    insp = db.session.scalar(select(Inspection).where(Inspection.id == insp_id).options(
        selectinload(Inspection.answers), selectinload(Inspection.photos), selectinload(Inspection.version),
        selectinload(Inspection.inspector)))
    if insp is None:
        abort(404)
    return insp, tpl.area(insp.area_key)


def _draft(insp_id: int, may, submitted: str) -> tuple[Inspection, object]:
    """The inspection a draft's change is made to, once the user may inspect and see it, it
    is not submitted (409 with `submitted`) and `may(user, inspection)` allows the change."""
    require(may_inspect)
    insp, area = _inspection(insp_id)
    require(may_view_inspection, insp, area)
    if insp.state == SUBMITTED:
        abort(409, description=submitted)
    require(may, insp)
    return insp, area


def _item_key(key: str) -> str:
    if not ITEM_KEY.match(key):
        abort(404)
    return key


# --- the list and starting one ----------------------------------------------------------------

@bp.get("/")
@login_required
def index():
    visible = _visible_areas(current_user)
    inspectable = [a for a in visible if may_inspect_area(current_user, a)]
    area = request.args.get("area", "")
    f = {"area": area if any(a.key == area for a in visible) else "",
         "result": request.args.get("result", "") if request.args.get("result") in inspecting.LIST_RESULTS else ""}
    stmt = inspecting.list_query(current_user.id, [a.key for a in visible], [a.key for a in inspectable], **f)
    page = params.paginate(stmt, size=LIST_PAGE)
    starts = []
    if inspectable:
        for t in tpl.active_templates():
            fits = [a for a in tpl.template_areas(t.current) if a in inspectable]
            if fits:
                starts.append((t, fits))
    mine = action_rules.open_actions(assignee_id=current_user.employee_id, states=(OPEN,)) \
        if current_user.employee_id else []
    return render("inspections/index.html", page=page, starts=starts, mine=mine, visible=visible, f=f,
                  results=inspecting.LIST_RESULTS, today=clock.local_now().date())


@bp.post("/start")
@login_required
def start():
    require(may_inspect)
    template = db.session.get(InspectionTemplate, params.to_id(request.form.get("template")) or 0)
    area = tpl.area(request.form.get("area", ""))
    if template is None or area is None:
        abort(400, description="请选择检查模板和区域。")
    require(may_inspect_area, area)
    try:
        insp, resumed = inspecting.resume_or_start(template, area, current_user)
    except Refused as exc:
        _refuse(exc)
    db.session.commit()
    if resumed:
        flash(f"已打开您未提交的草稿（{clock.to_local(insp.started_at):%Y-%m-%d %H:%M} 开始，已答 "
              f"{len(insp.answers)}/{len(insp.version.items())} 项），继续作答即可；如需重新开始，可在页面底部删除该草稿。",
              "info")
    else:
        others = inspecting.others_drafts(template, area, current_user)
        if others:  # two people inspecting the same area: said, not refused (each may have his reasons)
            who = "、".join(f"{d.inspector.name if d.inspector else '—'}（{clock.to_local(d.started_at):%m-%d %H:%M} 开始）"
                           for d in others[:3])
            flash(f"注意：{who} 已开始{area.name}的{template.name}，尚未提交。如为同一次检查，请与其确认，避免重复。",
                  "warning")
    return redirect(url_for("inspections.inspection", insp_id=insp.id), code=303)


# --- doing one -------------------------------------------------------------------------------

def _prefix(item_key: str) -> str:
    """Each finding's form has its own field names and ids (several on one page)."""
    return "f-" + item_key


def _page(insp: Inspection, area, status: int = 200, problems=None, forms=None, item_errors=None):
    answers = inspecting.answers_of(insp)
    photos = inspecting.photos_by_item(insp)
    acts = list(db.session.scalars(select(CorrectiveAction).filter_by(inspection_id=insp.id)
                                   .options(selectinload(CorrectiveAction.assignee))
                                   .order_by(CorrectiveAction.id))) if insp.state == SUBMITTED else []
    findings = inspecting.findings(insp, acts) if insp.state == SUBMITTED else []
    people = staff_rows()
    forms = forms or {}
    assign_forms = {f.item["key"]: forms.get(f.item["key"]) or AssignForm(formdata=None, people=people,
                                                                          prefix=_prefix(f.item["key"]))
                    for f in findings}
    bad = {k for k, _ in (problems or [])}
    return render("inspections/inspection.html", insp=insp, area=area, answers=answers, photos=photos,
                  score=inspecting.current_score(insp), findings=findings, editable=may_edit_inspection(current_user, insp),
                  problems=problems or [], bad=bad, assign_forms=assign_forms, item_errors=item_errors or {},
                  may_assign=may_assign_action(current_user, insp, area),
                  may_reopen=may_reopen_inspection(current_user, insp),
                  may_delete=may_delete_inspection(current_user, insp) and not inspecting.ever_submitted([insp.id]),
                  today=clock.local_now().date(),
                  status=status)


@bp.get("/<int:insp_id>")
@login_required
def inspection(insp_id: int):
    insp, area = _inspection(insp_id)
    require(may_view_inspection, insp, area)
    return _page(insp, area)


def _item_response(insp: Inspection, key: str, error: str | None = None, status: int = 200):
    """The item's card (HTMX) with the score box swapped out of band; without JavaScript
    back to the page at the item."""
    if not is_htmx():
        if error:  # the page again, the message beside the item
            return _page(insp, tpl.area(insp.area_key), status, item_errors={key: error})
        return redirect(url_for("inspections.inspection", insp_id=insp.id) + f"#item-{key}", code=303)
    item = insp.version.item(key)
    return render("inspections/_item.html", insp=insp, item=item, answers=inspecting.answers_of(insp),
                  photos=inspecting.photos_by_item(insp), score=inspecting.current_score(insp), editable=True,
                  error=error, bad=set(), oob=True, status=status)


def _editable_item(insp_id: int, item_key: str):
    """The draft inspection and the item an answer or a photo is for: 403 for someone who
    may not inspect or see it, 409 once submitted (nothing changes after the signature)."""
    require(may_inspect)
    insp, area = _inspection(insp_id)
    key = _item_key(item_key)
    require(may_view_inspection, insp, area)
    if not may_edit_inspection(current_user, insp):
        abort(409 if insp.state == SUBMITTED else 403,
              description="该检查已提交，不能再修改。" if insp.state == SUBMITTED else None)
    return insp, key


@bp.post("/<int:insp_id>/items/<item_key>")
@login_required
def answer(insp_id: int, item_key: str):
    insp, key = _editable_item(insp_id, item_key)
    try:
        inspecting.answer(insp, key, request.form.get("value"), request.form.get("note"), current_user)
    except Refused as exc:
        db.session.rollback()
        if exc.status in (404, 409):
            abort(exc.status, description=str(exc))
        insp, area = _inspection(insp_id)
        return _item_response(insp, key, str(exc), 422)
    db.session.commit()
    return _item_response(insp, key)


@bp.post("/<int:insp_id>/items/<item_key>/photos")
@login_required
def add_photo(insp_id: int, item_key: str):
    insp, key = _editable_item(insp_id, item_key)
    stored: list = []
    try:
        inspecting.add_photo(insp, key, request.files.get("photo"), current_user, stored)
        db.session.commit()
    except Refused as exc:
        db.session.rollback()
        inspecting.discard(stored)
        if exc.status in (404, 409):
            abort(exc.status, description=str(exc))
        insp, area = _inspection(insp_id)
        return _item_response(insp, key, str(exc), 422)
    except BaseException:
        db.session.rollback()
        inspecting.discard(stored)
        raise
    return _item_response(insp, key)


@bp.post("/<int:insp_id>/photos/<int:photo_id>/delete")
@login_required
def delete_photo(insp_id: int, photo_id: int):
    require(may_inspect)  # before anything is looked up: 403, not 404, for who may not
    photo = db.session.get(InspectionPhoto, photo_id)
    if photo is None or photo.inspection_id != insp_id:
        abort(404)
    insp, key = _editable_item(insp_id, photo.item_key)
    try:
        removed = inspecting.remove_photo(insp, photo, current_user)
        db.session.commit()
    except Refused as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404, description=str(exc))
        insp, area = _inspection(insp_id)
        return _item_response(insp, key, str(exc), exc.status if not is_htmx() else 422)
    inspecting.discard(removed)  # the files, once the row is gone for good
    return _item_response(insp, key)


@bp.post("/<int:insp_id>/submit")
@login_required
def submit(insp_id: int):
    insp, area = _draft(insp_id, may_edit_inspection, "该检查已提交，不能再修改。")
    problems = inspecting.problems(insp)
    try:
        result = inspecting.submit(insp, current_user)
    except Refused:
        db.session.rollback()
        insp, area = _inspection(insp_id)
        return _page(insp, area, 422, problems=problems)
    db.session.commit()
    flash(f"检查已提交：得分 {result.percent if result.percent is not None else '—'}，"
          f"{'合格' if result.passed else '不合格'}；发现问题 {len(result.failed)} 项。", "success")
    return redirect(url_for("inspections.inspection", insp_id=insp.id), code=303)


@bp.post("/<int:insp_id>/reopen")
@login_required
def reopen(insp_id: int):
    require(may_inspect)
    insp, area = _inspection(insp_id)
    require(may_view_inspection, insp, area)
    require(may_reopen_inspection, insp)
    try:
        inspecting.reopen(insp, request.form.get("reason", ""), current_user)
    except Refused as exc:
        _refuse(exc)
    db.session.commit()
    flash("检查已退回为草稿，修改后请重新提交。", "success")
    return redirect(url_for("inspections.inspection", insp_id=insp.id), code=303)


@bp.post("/<int:insp_id>/delete")
@login_required
def delete(insp_id: int):
    """删除草稿: the inspector's (or admin's) draft, with its answers and photos."""
    insp, area = _draft(insp_id, may_delete_inspection,
                        "已提交的检查不能删除。如需更正，请由检查人填写原因后退回为草稿，修改后重新提交。")
    try:
        removed = inspecting.delete_draft(insp, current_user)
    except Refused as exc:
        _refuse(exc)
    db.session.commit()
    inspecting.discard(removed)  # the files, once the rows are gone for good
    flash("草稿已删除。", "success")
    return redirect(url_for("inspections.index"), code=303)


@bp.get("/photos/<int:photo_id>/<size>")
@login_required
def photo(photo_id: int, size: str):
    if size not in uploads.SIZES:
        abort(404)
    p = db.get_or_404(InspectionPhoto, photo_id)
    insp, area = _inspection(p.inspection_id)
    assignee = current_user.employee_id is not None and db.session.scalar(
        select(CorrectiveAction.id).filter_by(inspection_id=insp.id, assignee_id=current_user.employee_id).limit(1))
    if not (assignee or may_view_inspection(current_user, insp, area)):
        abort(403)
    return uploads.send_stored(uploads.path_for(inspecting.SUB, f"{p.key}-{size}.jpg"), "image/jpeg")


@bp.get("/<int:insp_id>/report.pdf")
@login_required
def report_pdf(insp_id: int):
    insp, area = _inspection(insp_id)
    require(may_view_inspection, insp, area)
    return pdf_response(reports.inspection_pdf(insp), reports.inspection_filename(insp))


# --- corrective actions ---------------------------------------------------------------------

@bp.post("/<int:insp_id>/items/<item_key>/action")
@login_required
def assign(insp_id: int, item_key: str):
    require(may_inspect)
    insp, area = _inspection(insp_id)
    key = _item_key(item_key)
    require(may_assign_action, insp, area)
    people = staff_rows()
    form = AssignForm(people=people, prefix=_prefix(key))
    if form.validate_on_submit():
        try:
            action_rules.assign(insp, key, form.assignee.data or None, form.due_on.data, form.what.data, current_user)
        except Refused as exc:
            db.session.rollback()
            if exc.status in (404, 409):
                abort(exc.status, description=str(exc))
            target = getattr(form, exc.field, None) if exc.field else None
            if target is not None:
                target.errors = list(target.errors) + [str(exc)]
            insp, area = _inspection(insp_id)
            return _page(insp, area, exc.status, forms={key: form})
        db.session.commit()
        flash("已下达整改，责任人会收到通知。", "success")
        return redirect(url_for("inspections.inspection", insp_id=insp.id) + "#findings", code=303)
    return _page(insp, area, 422, forms={key: form})


def _action(action_id: int) -> tuple[CorrectiveAction, object]:
    action = db.session.scalar(select(CorrectiveAction).where(CorrectiveAction.id == action_id).options(
        selectinload(CorrectiveAction.assignee), selectinload(CorrectiveAction.inspection),
        selectinload(CorrectiveAction.events), selectinload(CorrectiveAction.after_photos)))
    if action is None:
        abort(404)
    return action, tpl.area(action.inspection.area_key)


def _action_page(action: CorrectiveAction, area, status: int = 200, done_form=None, reason_form=None,
                 failed: str | None = None, reassign_form=None):
    # failed: the step (reopen, cancel) whose reason was refused: its field says why
    before = [p for p in inspecting.photos_by_item(action.inspection).get(action.item_key, [])]
    return render("inspections/action.html", action=action, area=area, before=before,
                  done_form=done_form or DoneForm(formdata=None), reason_form=reason_form or ReasonForm(formdata=None),
                  note_form=NoteForm(formdata=None), may_update=may_update_action(current_user, action),
                  may_verify=may_verify_action(current_user, action, area), today=clock.local_now().date(),
                  reassign_form=reassign_form or ReassignForm(formdata=None, people=staff_rows(), prefix="ra"),
                  failed=failed, status=status)


@bp.get("/actions/<int:action_id>")
@login_required
def action(action_id: int):
    action, area = _action(action_id)
    require(may_view_action, action, area)
    return _action_page(action, area)


@bp.post("/actions/<int:action_id>/done")
@login_required
def action_done(action_id: int):
    # a missing action is one nobody may update: 403, as for someone else's
    if db.session.get(CorrectiveAction, action_id) is None:
        abort(403)
    action, area = _action(action_id)
    require(may_update_action, action)
    form = DoneForm()
    if not form.validate_on_submit():
        return _action_page(action, area, 422, done_form=form)
    stored: list = []
    try:
        action_rules.record_done(action, form.note.data, request.files.get("photo"), current_user, stored)
        db.session.commit()
    except Refused as exc:
        db.session.rollback()
        inspecting.discard(stored)
        if exc.status == 409:
            abort(409, description=str(exc))
        target = getattr(form, exc.field, None) if exc.field else None
        if target is not None:
            target.errors = list(target.errors) + [str(exc)]
        action, area = _action(action_id)
        return _action_page(action, area, exc.status, done_form=form)
    except BaseException:
        db.session.rollback()
        inspecting.discard(stored)
        raise
    flash("已登记整改完成，等待检查人验证。", "success")
    return redirect(url_for("inspections.action", action_id=action.id), code=303)


def _action_to_verify(action_id: int):
    """(action, area) for one of the area's inspectors: who verifies, returns, cancels or
    gives the action to someone else."""
    require(may_inspect)
    action, area = _action(action_id)
    require(may_verify_action, action, area)
    return action, area


def _action_step(action_id: int, step: str):
    action, area = _action_to_verify(action_id)
    form = NoteForm() if step == "close" else ReasonForm()
    if not form.validate_on_submit():
        return _action_page(action, area, 422, reason_form=form if step != "close" else None, failed=step)
    try:
        if step == "close":
            action_rules.close(action, form.note.data, current_user)
        elif step == "reopen":
            action_rules.reopen(action, form.reason.data, current_user)
        else:
            action_rules.cancel(action, form.reason.data, current_user)
    except Refused as exc:
        _refuse(exc)
    db.session.commit()
    flash({"close": "整改已验证关闭。", "reopen": "整改已退回，责任人会收到通知。", "cancel": "整改已取消（原因已记录）。"}[step],
          "success")
    return redirect(url_for("inspections.action", action_id=action.id), code=303)


@bp.post("/actions/<int:action_id>/close")
@login_required
def action_close(action_id: int):
    return _action_step(action_id, "close")


@bp.post("/actions/<int:action_id>/reopen")
@login_required
def action_reopen(action_id: int):
    return _action_step(action_id, "reopen")


@bp.post("/actions/<int:action_id>/reassign")
@login_required
def action_reassign(action_id: int):
    """改派: by whoever may verify the action (the area's inspectors), with a reason."""
    action, area = _action_to_verify(action_id)
    form = ReassignForm(people=staff_rows(), prefix="ra")
    if form.validate_on_submit():
        try:
            action_rules.reassign(action, form.assignee.data or None, form.reason.data, current_user)
        except Refused as exc:
            if exc.status == 409:  # no longer 待整改
                _refuse(exc)
            db.session.rollback()
            target = form.reason if exc.field == "reason" else form.assignee
            target.errors = list(target.errors) + [str(exc)]
            return _action_page(action, area, 422, reassign_form=form, failed="reassign")
        db.session.commit()
        flash(f"整改已改派给 {action.assignee.name}，其会收到通知。", "success")
        return redirect(url_for("inspections.action", action_id=action.id), code=303)
    if not form.assignee.data:  # said together with the reason's problem
        form.assignee.errors = list(form.assignee.errors) + ["请选择新的整改责任人。"]
    return _action_page(action, area, 422, reassign_form=form, failed="reassign")


@bp.post("/actions/<int:action_id>/cancel")
@login_required
def action_cancel(action_id: int):
    return _action_step(action_id, "cancel")


def _action_filter() -> tuple[str, list[CorrectiveAction]]:
    show = request.args.get("show", "open")
    states = {"open": (OPEN, DONE), "overdue": (OPEN,), "closed": (CLOSED,), "cancelled": (CANCELLED,),
              "all": (OPEN, DONE, CLOSED, CANCELLED)}
    if show not in states:
        show = "open"
    visible = [a.key for a in _visible_areas(current_user)]
    rows = action_rules.open_actions(states=states[show], area_keys=None)
    today = clock.local_now().date()
    rows = [a for a in rows if a.inspection.area_key in visible or is_action_assignee(current_user, a)]
    if show == "overdue":
        rows = [a for a in rows if a.overdue(today)]
    return show, rows


@bp.get("/actions")
@login_required
def actions():
    show, rows = _action_filter()
    return render("inspections/actions.html", rows=rows, show=show, today=clock.local_now().date())


@bp.get("/actions.pdf")
@login_required
def actions_pdf():
    show, rows = _action_filter()
    return pdf_response(reports.actions_pdf(rows, show), f"整改清单-{clock.local_now():%Y%m%d}.pdf")


@bp.get("/actions.csv")
@bp.get("/actions.xlsx", endpoint="actions_xlsx")
@login_required
def actions_csv():
    show, rows = _action_filter()
    return table_response(reports.actions_table(rows), requested_format(), f"整改清单-{clock.local_now():%Y%m%d}")


# --- the trend ---------------------------------------------------------------------------------

@bp.get("/trend")
@login_required
def trend():
    visible = _visible_areas(current_user)
    if not visible:
        abort(403)
    key = request.args.get("area") or visible[0].key
    area = next((a for a in visible if a.key == key), None)
    if area is None:
        abort(404, description="没有该区域，或您无权查看。")
    series = reports.trend(area.key, clock.local_now().date())
    return render("inspections/trend.html", area=area, areas=visible, series=series, chart=reports.trend_chart(series))


# --- templates ---------------------------------------------------------------------------------

@bp.get("/templates")
@login_required
def templates():
    require(may_manage_inspection_templates)
    rows = list(db.session.scalars(select(InspectionTemplate).options(selectinload(InspectionTemplate.versions))
                                   .order_by(InspectionTemplate.id)))
    have = {t.key for t in rows}
    missing = [t["name"] for t in tpl.shipped()["templates"] if t["key"] not in have]
    return render("inspections/templates.html", rows=rows, missing=missing, unplanned=schedules.not_loaded(),
                  kinds=tpl.KINDS)


@bp.post("/templates/load")
@login_required
def load_templates():
    require(may_manage_inspection_templates)
    made = tpl.load_shipped(current_user)
    planned = schedules.load(current_user)
    db.session.commit()
    flash(f"已载入 {len(made)} 个示例模板、{planned} 项检查计划。" if made or planned else "示例模板都已载入。", "success")
    return redirect(url_for("inspections.templates"), code=303)


def _edits_from_form(template: InspectionTemplate) -> dict:
    form = request.form
    mark = form.get("pass_mark", "").strip()
    edits = {"name": form.get("name", ""), "note": form.get("note", ""),
             "pass_mark": int(mark) if mark.isascii() and mark.isdigit() and len(mark) <= 3 else None, "items": {}}
    edits["remove"] = set()
    for item in template.current.items():
        k = item["key"]
        if form.get(f"remove-{k}"):
            edits["remove"].add(k)
        if f"question-{k}" not in form:
            continue  # not on the form: kept as it is
        edits["items"][k] = {"question": form.get(f"question-{k}", ""), "weight": _number(form.get(f"weight-{k}")),
                             "photo_on_fail": bool(form.get(f"photo-{k}")), "note_on_fail": bool(form.get(f"note-{k}")),
                             "guidance": form.get(f"guidance-{k}", "")}
    if (form.get("new_question") or "").strip():
        section = form.get("new_section_index", "")
        edits["add"] = {"question": form.get("new_question", ""), "type": form.get("new_type", ""),
                        "weight": _number(form.get("new_weight")), "section": params.to_id(section) - 1
                        if params.to_id(section) else None, "new_section": form.get("new_section_title", ""),
                        "target": _number(form.get("new_target")), "target_dir": form.get("new_target_dir", ""),
                        "unit": form.get("new_unit", ""), "photo_on_fail": bool(form.get("new_photo")),
                        "note_on_fail": bool(form.get("new_note")), "guidance": form.get("new_guidance", "")}
    return edits


def _number(text: str | None) -> int | float | None:
    """A weight or a target typed in a form: an int when whole, None when not a number."""
    try:
        value = float((text or "").strip()[:20])
    except (ValueError, OverflowError):
        return None
    if value != value or abs(value) > 1e9:
        return None
    return int(value) if value == int(value) else value


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
@login_required
def edit_template(template_id: int):
    require(may_manage_inspection_templates)
    template = db.get_or_404(InspectionTemplate, template_id)
    error, status, items_bad = None, 200, set()
    if request.method == "POST":
        try:
            version = tpl.new_version(template, _edits_from_form(template), current_user)
            db.session.commit()
            flash(f"已保存为第 {version.number} 版；已开始或完成的检查仍按原版本。", "success")
            return redirect(url_for("inspections.edit_template", template_id=template.id), code=303)
        except Refused as exc:
            db.session.rollback()
            error, status, items_bad = str(exc), exc.status, set(exc.items)
            template = db.get_or_404(InspectionTemplate, template_id)
    return render("inspections/template_edit.html", tmpl=template, version=template.current, error=error,
                  items_bad=items_bad, form=request.form if request.method == "POST" else None, status=status,
                  new_types=tpl.NEW_TYPES, target_dirs=tpl.TARGET_DIRS)


@bp.post("/templates/<int:template_id>/active")
@login_required
def template_active(template_id: int):
    require(may_manage_inspection_templates)
    template = db.get_or_404(InspectionTemplate, template_id)
    try:
        tpl.set_active(template, request.form.get("active") == "1", current_user)
    except Refused as exc:
        _refuse(exc)
    db.session.commit()
    flash(f"模板「{template.name}」已{'恢复使用' if template.active else '停用'}。", "success")
    return redirect(url_for("inspections.templates"), code=303)

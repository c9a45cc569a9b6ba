"""The register's pages: thin, the rules are in rules.py."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import clock, params, uploads
from app.equipment import labels, rules as register
import app.equipment.due as due_rules  # issue 25b
import app.equipment.itempage as itempage  # issue 25b
from app.equipment.forms import EquipmentForm, StateForm, VerificationForm
from app.equipment.models import CATEGORIES, STATES, Equipment, Loan, Verification
from app.extensions import db
from app.permissions import can_manage_equipment, may_view_equipment, require
from app.printing import pdf_response
from app.staff.models import staff_rows
from app.web import render

bp = Blueprint("equipment", __name__, url_prefix="/equipment")

DUE_WINDOWS = (30, 60, 90)


@bp.context_processor
def verification_words():
    """The verification badges' words and colours, for the register's pages and prints."""
    return {"verify_labels": register.VERIFY_LABELS, "verify_classes": register.VERIFY_CLASSES}


def _people(item: Equipment | None = None) -> list:
    """Who may be responsible: the active employees (and the current one, if he left)."""
    return staff_rows(item.responsible_id if item is not None else None)


def _filters() -> dict:
    """The list's filters from the URL; unknown values are ignored (no filter)."""
    category = request.args.get("category", "")
    state = request.args.get("state", "")
    return {"category": category if category in CATEGORIES else "",
            "state": state if state in STATES or state in ("active", "fault") else "",
            "location": (request.args.get("location") or "").strip()[:60],
            "q": (request.args.get("q") or "").strip()[:60]}


def _filtered(f: dict):
    stmt = select(Equipment)
    if f["category"]:
        stmt = stmt.where(Equipment.category == f["category"])
    if f["state"] == "active":
        stmt = stmt.where(Equipment.state != "scrapped")
    elif f["state"] == "fault":  # an open fault report, whatever the state (the workspace's link)
        stmt = stmt.where(Equipment.open_faults > 0)
    elif f["state"]:
        stmt = stmt.where(Equipment.state == f["state"])
    if f["location"]:
        stmt = stmt.where(Equipment.location == f["location"])
    if f["q"]:
        like = "%" + f["q"].lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(*(func.lower(c).like(like, escape="\\") for c in (
            Equipment.asset_no, Equipment.name, Equipment.model, Equipment.maker, Equipment.serial_no))))
    order = case({c: i for i, c in enumerate(CATEGORIES)}, value=Equipment.category, else_=len(CATEGORIES))
    return stmt.options(selectinload(Equipment.responsible),
                        selectinload(Equipment.open_loans).selectinload(Loan.borrower)  # 借出 to whom
                        ).order_by(order, Equipment.asset_no, Equipment.id)


@bp.get("/")
@login_required
def index():
    require(may_view_equipment)
    f = _filters()
    page = params.paginate(_filtered(f))
    locations = [loc for loc in db.session.scalars(select(Equipment.location).where(Equipment.location != "")
                                                   .distinct().order_by(Equipment.location).limit(200))]
    return render("equipment/index.html", page=page, f=f, categories=CATEGORIES, states=STATES, locations=locations,
                  today=clock.local_now().date(), vstate=register.verification_state)


@bp.get("/due")
@login_required
def due():
    require(may_view_equipment)
    within = request.args.get("days", "30")
    within = int(within) if within in {str(d) for d in DUE_WINDOWS} else 30
    today = clock.local_now().date()
    # issue 25b: filters (expired only / not yet expired, category, mine)
    only = request.args.get("only") if request.args.get("only") in ("expired", "soon") else ""
    category = request.args.get("category") if request.args.get("category") in CATEGORIES else ""
    mine = request.args.get("mine") == "1" and current_user.employee_id is not None
    rows = due_rules.filtered(today, within, only, category, current_user.employee_id if mine else None)
    return render("equipment/due.html", rows=rows, within=within, windows=DUE_WINDOWS, today=today,
                  f={"only": only, "category": category, "mine": mine, "days": within}, categories=CATEGORIES)


def _form_data(form: EquipmentForm) -> dict:
    return {"asset_no": form.asset_no.data, "name": form.name.data, "category": form.category.data,
            "model": form.model.data, "maker": form.maker.data, "serial_no": form.serial_no.data,
            "location": form.location.data, "quantity": form.quantity.data,
            "responsible_id": form.responsible_id.data or None, "purchased_on": form.purchased_on.data,
            "needs_verification": form.needs_verification.data, "verify_months": form.verify_months.data,
            "notes": form.notes.data}


def _refused_on(form, exc: register.Refused) -> None:
    """The rule's message beside its field (or on top of the form)."""
    target = getattr(form, exc.field, None) if exc.field else None
    if target is not None:
        target.errors = list(target.errors) + [str(exc)]
    else:
        form.form_errors.append(str(exc))


def _problems_on(form, problems: dict[str, str]) -> None:
    """A rule's problems (field → message) beside the fields the form itself found nothing
    wrong with: every problem of a submit at once, not one per submit."""
    for field, message in problems.items():
        if not (field and getattr(form, field, None) is not None and getattr(form, field).errors):
            _refused_on(form, register.Refused(message, field))


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit(item_id: int | None = None):
    require(can_manage_equipment)
    item = db.get_or_404(Equipment, item_id) if item_id else None
    if item is not None and item.state == "scrapped":
        abort(409, description="该设备已报废，信息不能再修改。")
    form = EquipmentForm(obj=item, people=_people(item))
    if item is not None and request.method == "GET":
        form.responsible_id.data = item.responsible_id or 0
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                if item is None:
                    item = register.create(_form_data(form), current_user)
                    message = f"已登记 {item.asset_no} {item.name}。"
                else:
                    changed = register.update(item, _form_data(form), current_user)
                    message = "已保存。" if changed else "没有改动。"
                db.session.commit()
                flash(message, "success")
                return redirect(url_for("equipment.item", item_id=item.id), code=303)
            except register.Refused as exc:
                db.session.rollback()
                _refused_on(form, exc)
                status = exc.status
                item = db.session.get(Equipment, item_id) if item_id else None
            except IntegrityError:
                # two clerks saving the same asset number at once: the unique index keeps one
                db.session.rollback()
                _refused_on(form, register.Refused(f"资产编号 {form.asset_no.data.strip()} 已被其他设备使用（不区分大小写）。",
                                                   "asset_no"))
                status = 409
                item = db.session.get(Equipment, item_id) if item_id else None
        else:
            status = 422
    counting = register.counting_for(item) if item is not None else []
    return render("equipment/form.html", form=form, item=item, status=status, counting=counting)


def _item_page(item: Equipment, state_form=None, verify_form=None, status: int = 200, **extra):
    today = clock.local_now().date()
    verifications = list(db.session.scalars(select(Verification).filter_by(equipment_id=item.id)
                                            .order_by(Verification.verified_on.desc(), Verification.id.desc())
                                            .limit(200)))
    manage = can_manage_equipment(current_user)
    if state_form is None:
        state_form = StateForm(formdata=None, on=today)
        # the states it can change to (the rule refuses the one it is in)
        state_form.state.choices = [(k, v) for k, v in STATES.items() if k != item.state]
    if verify_form is None:
        verify_form = VerificationForm(formdata=None, verified_on=today)
    return render("equipment/item.html", item=item, verifications=verifications, today=today,
                  manage=manage, state_form=state_form, verify_form=verify_form, states=STATES,
                  vstate=register.verification_state(item, today), status=status,
                  **itempage.item_context(item, **extra))  # issue 25b: photo, faults, checks, history


@bp.get("/<int:item_id>")
@login_required
def item(item_id: int):
    require(may_view_equipment)
    return _item_page(db.get_or_404(Equipment, item_id), history_of=request.args.get("history", ""),
                      history_all=request.args.get("all") == "1")


@bp.post("/<int:item_id>/state")
@login_required
def change_state(item_id: int):
    require(can_manage_equipment)
    item = db.get_or_404(Equipment, item_id)
    form = StateForm()
    if not form.validate_on_submit():
        return _item_page(item, state_form=form, status=422)
    try:
        register.change_state(item, form.state.data, form.on.data, form.reason.data, current_user)
    except register.Refused as exc:
        db.session.rollback()
        _refused_on(form, exc)
        return _item_page(db.get_or_404(Equipment, item_id), state_form=form, status=exc.status)
    db.session.commit()
    flash(f"{item.asset_no} 已改为“{item.state_label}”。", "success")
    return redirect(url_for("equipment.item", item_id=item.id), code=303)


@bp.post("/<int:item_id>/verifications")
@login_required
def add_verification(item_id: int):
    require(can_manage_equipment)
    item = db.get_or_404(Equipment, item_id)
    form = VerificationForm()
    if not form.validate_on_submit():
        return _item_page(item, verify_form=form, status=422)
    stored: list = []
    data = {"verified_on": form.verified_on.data, "body": form.body.data, "cert_no": form.cert_no.data,
            "result": form.result.data}
    try:
        register.record_verification(item, data, current_user, form.scan.data, stored)
        db.session.commit()
    except (register.Refused, uploads.UploadError) as exc:
        db.session.rollback()
        register.discard(stored)
        if isinstance(exc, register.Refused):
            _refused_on(form, exc)
            status = exc.status
        else:
            form.scan.errors = [str(exc)]
            status = 507 if isinstance(exc, uploads.StorageFull) else 422
        return _item_page(db.get_or_404(Equipment, item_id), verify_form=form, status=status)
    except BaseException:
        db.session.rollback()
        register.discard(stored)
        raise
    if item.last_result == "fail":
        flash(f"已登记 {item.asset_no} 的检定/校准：结论不合格，设备不能作为合格计量器具使用。", "warning")
    else:
        flash(f"已登记 {item.asset_no} 的检定/校准，下次到期 {item.verification_due:%Y-%m-%d}。", "success")
    return redirect(url_for("equipment.item", item_id=item.id) + "#verifications", code=303)


@bp.get("/verifications/<int:verification_id>/scan")
@login_required
def verification_scan(verification_id: int):
    require(may_view_equipment)
    v = db.get_or_404(Verification, verification_id)
    if not v.scan_key:
        abort(404)
    if v.scan_kind == "image":
        return uploads.send_stored(uploads.path_for(register.SUB, f"{v.scan_key}-full.jpg"), "image/jpeg")
    return uploads.send_stored(uploads.path_for(register.SUB, f"{v.scan_key}.bin"), "application/pdf", v.scan_name)


LABELS_MAX = 1000  # one print run; a bigger register prints by category or location


@bp.get("/labels.pdf")
@login_required
def labels_pdf():
    """Labels of the items the list shows (its filters), scrapped items left out."""
    require(may_view_equipment)
    f = _filters()
    stmt = _filtered(f)
    if not f["state"]:
        stmt = stmt.where(Equipment.state != "scrapped")
    items = list(db.session.scalars(stmt.limit(LABELS_MAX)))
    if not items:
        abort(404, description="没有符合条件的设备，无法打印标签。")
    return pdf_response(labels.labels_pdf(items), f"设备二维码标签-{clock.local_now().date():%Y%m%d}.pdf")


@bp.get("/<int:item_id>/label.pdf")
@login_required
def label_pdf(item_id: int):
    require(may_view_equipment)
    item = db.get_or_404(Equipment, item_id)
    return pdf_response(labels.labels_pdf([item]), f"设备标签-{item.asset_no}.pdf")

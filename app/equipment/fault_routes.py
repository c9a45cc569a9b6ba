"""Pages of issue 25b: fault reports (故障报修) and repairs, the item's photo, and what the
item's page adds (its checks, faults and whole history). Thin: the rules are in
faults.py, checks.py and history.py."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

import app.equipment.faults as faults
from app import params, uploads
from app.checklists.fields import fault_points, values_for
from app.checklists.models import ChecklistItem
from app.equipment.forms import FaultForm, PhotoForm, RepairForm
from app.equipment.models import Equipment, Fault, FaultPhoto
from app.equipment.routes import _item_page, _refused_on, bp
from app.equipment.rules import Refused
from app.extensions import db
from app.permissions import may_record_repair, may_report_fault, may_set_equipment_photo, may_view_equipment, require
from app.web import render


def _check_args() -> tuple[int | None, str]:
    """The failed check a report comes from (?check=<item id>&period=<key>), if any."""
    try:
        check = params.parse_id(request.values.get("check")) if request.values.get("check") else None
    except params.BadParam:
        abort(400, description="点检参数无效。")
    period = (request.values.get("period") or "")[:12]
    return check, period if check else ""


def _prefill(item: Equipment, check: int | None, period: str) -> str:
    """A report opened from a failed check starts with what failed."""
    if not check:
        return ""

    ck = db.session.get(ChecklistItem, check)
    if ck is None:
        return ""
    points = fault_points(ck, values_for([(ck.id, period, item.id)]).get((ck.id, period, item.id), ()))
    text = f"「{ck.title}」（{period}）点检异常"
    return text + (f"：{'、'.join(points)} 为“否”。" if points else "。")


@bp.route("/<int:item_id>/faults/new", methods=["GET", "POST"])
@login_required
def fault_new(item_id: int):
    """报修: the form (pre-filled when it comes from a failed check), and the report."""
    item = db.get_or_404(Equipment, item_id)
    require(may_view_equipment)
    if not may_report_fault(current_user, item):
        abort(409, description="该设备已报废，不能再报修。")
    check, period = _check_args()
    form = FaultForm()
    if request.method == "GET":
        form.description.data = _prefill(item, check, period)
        return _fault_form(item, form, check, period)
    status = 422
    if form.validate_on_submit():
        stored: list = []
        try:
            fault = faults.report(item, form.description.data, current_user, request.files.getlist("photos"), stored,
                                  check, period)
            db.session.commit()
        except (Refused, uploads.UploadError) as exc:
            db.session.rollback()
            faults.discard(stored)
            if isinstance(exc, Refused):
                _refused_on(form, exc)
                status = exc.status
            else:
                form.photos.errors = [str(exc)]
                status = 507 if isinstance(exc, uploads.StorageFull) else 422
            item = db.get_or_404(Equipment, item_id)
        except BaseException:
            db.session.rollback()
            faults.discard(stored)
            raise
        else:
            flash(f"已报修 {item.asset_no} {item.name}（#{fault.id}），设备状态为“维修中”，已通知负责人。"
                  if item.state == "repair" else f"已报修 {item.asset_no} {item.name}（#{fault.id}）。", "success")
            db.session.commit()
            return redirect(url_for("equipment.item", item_id=item.id) + "#faults", code=303)
    return _fault_form(item, form, check, period, status)


def _fault_form(item: Equipment, form, check: int | None, period: str, status: int = 200):
    """The report form, with what it may duplicate above it: the item's open faults, and
    one already reported from this same check (a second, different fault is still allowed)."""
    earlier = faults.earlier_reports(item, check, period)
    same_check = [f for f in earlier if check and f.check_item_id == check and f.check_period == period]
    return render("equipment/fault_form.html", item=item, form=form, check=check, period=period, status=status,
                  earlier=earlier, same_check=same_check,
                  check_title=db.session.get(ChecklistItem, check).title if same_check else "")


@bp.post("/faults/<int:fault_id>/repair")
@login_required
def fault_repair(fault_id: int):
    fault = db.get_or_404(Fault, fault_id)
    item = fault.equipment
    require(may_record_repair, item)
    form = RepairForm(prefix=f"r{fault.id}")
    if not form.validate_on_submit():
        return _item(item, repair_forms={fault.id: form}, status=422)
    data = {"repaired_by": form.repaired_by.data, "repaired_on": form.repaired_on.data, "cost": form.cost.data,
            "parts": form.parts.data, "result": form.result.data, "outcome": form.outcome.data}
    try:
        faults.repair(fault, data, current_user)
    except Refused as exc:
        db.session.rollback()
        _refused_on(form, exc)
        return _item(db.get_or_404(Equipment, item.id), repair_forms={fault_id: form}, status=exc.status)
    db.session.commit()
    flash(f"已记录 {item.asset_no} 的维修，设备现为“{item.state_label}”。", "success")
    return redirect(url_for("equipment.item", item_id=item.id) + "#faults", code=303)


def _item(item: Equipment, status: int, **extra):
    return _item_page(item, status=status, **extra)


@bp.get("/fault-photos/<int:photo_id>/<size>")
@login_required
def fault_photo(photo_id: int, size: str):
    require(may_view_equipment)
    photo = db.get_or_404(FaultPhoto, photo_id)
    if size not in ("full", "print", "thumb"):
        abort(404)
    return uploads.send_stored(uploads.path_for(faults.SUB, f"{photo.file_key}-{size}.jpg"), "image/jpeg")


@bp.post("/<int:item_id>/photo")
@login_required
def set_photo(item_id: int):
    item = db.get_or_404(Equipment, item_id)
    require(may_set_equipment_photo, item)
    form = PhotoForm()
    if not form.validate_on_submit():
        return _item(item, photo_form=form, status=422)
    stored: list = []
    try:
        faults.set_photo(item, request.files.get("photo"), current_user, stored)
        db.session.commit()
    except Refused as exc:
        db.session.rollback()
        faults.discard(stored)
        _refused_on(form, exc)
        return _item(db.get_or_404(Equipment, item_id), photo_form=form, status=exc.status)
    except BaseException:
        db.session.rollback()
        faults.discard(stored)
        raise
    flash("照片已保存。", "success")
    return redirect(url_for("equipment.item", item_id=item.id), code=303)


@bp.get("/<int:item_id>/photo/<size>")
@login_required
def item_photo(item_id: int, size: str):
    require(may_view_equipment)
    item = db.get_or_404(Equipment, item_id)
    if not item.photo_key or size not in ("full", "print", "thumb"):
        abort(404)
    return uploads.send_stored(uploads.path_for(faults.SUB, f"{item.photo_key}-{size}.jpg"), "image/jpeg")



"""Count pages (盘点) and the register's CSV import: thin, the rules are in counts.py and
importing.py."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from app import clock, params
from app.equipment import counts, importing
from app.equipment.forms_loans import CloseForm, CountStartForm, ExtraForm, ScanForm
from app.equipment.models import CATEGORIES, COUNT_RESULTS, CountLine
from app.equipment.rules import Refused
from app.equipment.routes import _refused_on, bp
from app.extensions import db
from app.permissions import may_count_equipment, may_import_equipment, may_view_equipment, require
from app.printing import pdf_response, render_pdf
from app.staff.forms import ImportConfirmForm, ImportForm
from app.web import is_htmx, render
from app.xlsxexport import requested_format, table_response


def _load(count_id: int):
    count = counts.load(count_id)
    if count is None:
        abort(404)
    return count


@bp.route("/counts", methods=["GET", "POST"])
@login_required
def count_list():
    """Every count, grouped per location or category (open ones first), and the form that
    starts one."""
    if request.method == "POST":
        require(may_count_equipment)
    else:
        require(may_view_equipment)
    form = CountStartForm(locations=counts.locations())
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            value = form.location.data if form.scope.data == "location" else form.category.data
            try:
                count = counts.start(form.scope.data, value, current_user)
                db.session.commit()
                flash(f"已开始盘点 #{count.id}（{count.scope_label}），应盘 {len(count.lines)} 项。", "success")
                return redirect(url_for("equipment.count", count_id=count.id), code=303)
            except Refused as exc:
                db.session.rollback()
                target = form.location if form.scope.data == "location" else form.category
                if exc.field in ("scope_value", None):
                    target.errors = list(target.errors) + [str(exc)]
                else:
                    _refused_on(form, exc)
                status = exc.status
        else:
            status = 422
    return render("equipment/counts.html", form=form, groups=counts.counts_by_scope(), status=status,
                  categories=CATEGORIES)


def _count_page(count, status: int = 200, scan_form=None, extra_form=None, flash_line=None, refused=False,
                focus: int | None = None):
    """The count, its card showing the line `focus` (a scanned set to count, a line to
    correct) or else the next line to count."""
    s = counts.summary(count)
    current = next((ln for ln in count.lines if ln.id == focus and ln.expected), None) if focus else None
    # after a scan the field takes the next one (a handheld scanner types into it); after a
    # scanned set, its piece count does (what is typed next is how many are there)
    scanning = request.endpoint == "equipment.count_scan" and current is None
    ctx = dict(count=count, s=s, current=current or counts.next_pending(count), results=COUNT_RESULTS, refused=refused,
               focused=current is not None,
               scanning=scanning, moves=counts.loan_events(count),
               scan_form=scan_form or ScanForm(formdata=None), extra_form=extra_form or ExtraForm(formdata=None),
               manage=may_count_equipment(current_user) and count.is_open, flash_line=flash_line)
    return render("equipment/count.html", "equipment/_count_work.html", status=status, **ctx)


@bp.get("/counts/<int:count_id>")
@login_required
def count(count_id: int):
    """?line=ID shows that line in the card (重盘: to count or correct it again)."""
    require(may_view_equipment)
    return _count_page(_load(count_id), focus=params.id_arg("line"))


def _after_write(count_id: int, message: str, focus: int | None = None):
    """The work area again (HTMX) or a redirect to the count (a plain form post); `focus`:
    the line the card shows next (a scanned set to count)."""
    if is_htmx():
        return _count_page(_load(count_id), flash_line=message, focus=focus)
    flash(message, "success")
    if focus:
        return redirect(url_for("equipment.count", count_id=count_id, line=focus) + "#current", code=303)
    return redirect(url_for("equipment.count", count_id=count_id) + "#work", code=303)


def _refused_page(count_id: int, exc: Refused, scan_form=None, extra_form=None):
    """The count again with the message; to HTMX as 422, the one error status it swaps in
    (the message belongs in the work area, not in a toast)."""
    db.session.rollback()
    count = _load(count_id)
    status = 422 if is_htmx() else exc.status
    if scan_form is None and extra_form is None:
        return _count_page(count, status=status, flash_line=str(exc), refused=True)
    _refused_on(scan_form or extra_form, exc)
    return _count_page(count, status=status, scan_form=scan_form, extra_form=extra_form)


def _line_to_change(count_id: int, line_id: int) -> CountLine:
    """A line of this count, for someone who counts (404 for a line of another count)."""
    require(may_count_equipment)
    line = db.session.get(CountLine, line_id)
    if line is None or line.count_id != count_id:
        abort(404)
    return line


@bp.post("/counts/<int:count_id>/lines/<int:line_id>")
@login_required
def count_mark(count_id: int, line_id: int):
    line = _line_to_change(count_id, line_id)
    result = request.form.get("result", "")
    qty_text = (request.form.get("counted_qty") or "").strip()
    try:
        counted = params.bounded_int(qty_text) if qty_text else None
    except Exception:
        return _refused_page(count_id, Refused("实盘件数应为整数。", "counted_qty"))
    # the pieces expected as the page showed them (a loan or a return since then: look again)
    seen = request.form.get("seen", type=params.bounded_int)
    try:
        counts.mark(line, result, current_user, counted, request.form.get("found_location", ""), seen_qty=seen)
        db.session.commit()
    except Refused as exc:
        return _refused_page(count_id, exc)
    return _after_write(count_id, f"{line.asset_no} {line.name}：{line.result_label}")


@bp.post("/counts/<int:count_id>/scan")
@login_required
def count_scan(count_id: int):
    require(may_count_equipment)
    count = _load(count_id)
    form = ScanForm()
    if not form.validate_on_submit():
        return _count_page(count, status=422, scan_form=form)
    try:
        line, what = counts.scan(count, form.asset_no.data, current_user)
        db.session.commit()
    except Refused as exc:
        return _refused_page(count_id, exc, scan_form=form)
    name = f"{line.asset_no} {line.name}"
    if what == counts.SCANNED_PIECES:  # a set: its pieces are counted on the card that shows it
        return _after_write(count_id, f"{name}：应有 {line.expected_qty} 件，请点数后填写实盘件数再记入。", focus=line.id)
    if what == counts.SCANNED_AGAIN:
        message = f"{name} 已记过（{line.result_label}）"
        if is_htmx():
            return _count_page(_load(count_id), flash_line=message)
        flash(message, "info")
        return redirect(url_for("equipment.count", count_id=count_id) + "#work", code=303)
    return _after_write(count_id, f"{name}：{'清单外发现' if what == counts.SCANNED_EXTRA else '在'}")


@bp.post("/counts/<int:count_id>/lines/<int:line_id>/remove")
@login_required
def count_remove_extra(count_id: int, line_id: int):
    """撤销 a line found outside the list (a wrong scan, a typo) before the close."""
    line = _line_to_change(count_id, line_id)
    try:
        what = counts.remove_extra(line, current_user)
        db.session.commit()
    except Refused as exc:
        return _refused_page(count_id, exc)
    return _after_write(count_id, f"已撤销清单外登记：{what}")


@bp.post("/counts/<int:count_id>/extras")
@login_required
def count_extra(count_id: int):
    require(may_count_equipment)
    count = _load(count_id)
    form = ExtraForm()
    if not form.validate_on_submit():
        return _count_page(count, status=422, extra_form=form)
    try:
        line = counts.add_extra(count, form.label.data, current_user, form.extra_qty.data)
        db.session.commit()
    except Refused as exc:
        return _refused_page(count_id, exc, extra_form=form)
    return _after_write(count_id, f"已登记清单外物品：{line.label} {line.counted_qty} 件")


@bp.route("/counts/<int:count_id>/close", methods=["GET", "POST"])
@login_required
def count_close(count_id: int):
    require(may_count_equipment)
    count = _load(count_id)
    if not count.is_open:
        return redirect(url_for("equipment.count", count_id=count_id), code=303)
    form = CloseForm()
    if request.method == "GET" and not form.signed_name.data:
        form.signed_name.data = current_user.name
    status, errors = 200, {}
    if request.method == "POST":
        explanations = {ln.id: request.form.get(f"explain-{ln.id}", "") for ln in count.lines}
        if form.validate_on_submit():
            try:
                changed = len(counts.close(count, form.signed_name.data, explanations, current_user, form.note.data))
                db.session.commit()
                flash(f"盘点 #{count_id} 已结束并签名" + (f"，台账已更新 {changed} 项。" if changed else "。"), "success")
                return redirect(url_for("equipment.count", count_id=count_id), code=303)
            except Refused as exc:
                db.session.rollback()
                status = exc.status
                if exc.field and exc.field.startswith("explain-"):
                    errors[exc.field] = str(exc)
                else:
                    _refused_on(form, exc)
                count = _load(count_id)
            typed = explanations  # what was typed stays in the form
        else:
            status, typed = 422, explanations
    else:
        typed = {}
    s = counts.summary(count)
    return render("equipment/count_close.html", count=count, s=s, form=form, errors=errors, status=status,
                  typed=typed, changes=counts.register_changes(count), moves=counts.loan_events(count))


@bp.get("/counts/<int:count_id>/sheet.pdf")
@login_required
def count_sheet_pdf(count_id: int):
    """The count sheet: blank to count on paper (an open count, or ?blank=1), or the
    result with its differences and signature lines (a closed count)."""
    require(may_view_equipment)
    count = _load(count_id)
    blank = count.is_open or request.args.get("blank") == "1"
    pdf = render_pdf("print/equipment_count.html", count=count, s=counts.summary(count), blank=blank,
                     to_local=clock.to_local, moves=counts.loan_events(count))
    kind = "盘点表" if blank else "盘点结果"
    return pdf_response(pdf, f"设备{kind}-{count.id}-{count.scope_value}.pdf")


@bp.get("/counts/<int:count_id>/export.csv")
@bp.get("/counts/<int:count_id>/export.xlsx", endpoint="count_export_xlsx")
@login_required
def count_export_csv(count_id: int):
    """The count as a spreadsheet (the duty's 电子表格): .xlsx with typed cells, or CSV."""
    require(may_view_equipment)
    count = _load(count_id)
    return table_response(counts.export_table(count), requested_format(), f"设备盘点-{count.id}-{count.scope_value}")


# --- the register's CSV import -------------------------------------------------------------------

@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_csv():
    """One address for the three steps: the file form, the preview of every row (bad ones
    with why; nothing written), and the confirmation that imports the good rows."""
    require(may_import_equipment)
    if request.method == "POST" and "payload" in request.form:
        confirm = ImportConfirmForm()
        if not confirm.validate_on_submit():
            flash("导入内容缺失，请重新上传文件。", "error")
            return redirect(url_for("equipment.import_csv"), code=303)
        try:
            rows = importing.parse(confirm.payload.data)
        except importing.ImportError_ as exc:
            flash(str(exc), "error")
            return redirect(url_for("equipment.import_csv"), code=303)
        created, updated = importing.apply(rows, current_user)
        skipped = sum(not r.ok for r in rows)
        db.session.commit()
        msg = f"导入完成：新增 {created} 项，更新 {updated} 项"
        flash(msg + (f"，跳过有误的 {skipped} 行。" if skipped else "。"), "success")
        return redirect(url_for("equipment.index"), code=303)
    form = ImportForm()
    if form.validate_on_submit():
        try:
            text = importing.decode(form.file.data.read())
            rows = importing.parse(text)
        except importing.ImportError_ as exc:
            form.file.errors.append(str(exc))
            return render("equipment/import.html", form=form, status=422, categories=CATEGORIES)
        return render("equipment/import_preview.html", rows=rows, confirm=ImportConfirmForm(payload=text),
                      good=sum(r.ok for r in rows), bad=sum(not r.ok for r in rows))
    return render("equipment/import.html", form=form, status=422 if form.errors else 200, categories=CATEGORIES)

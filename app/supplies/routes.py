from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock, params
from app.auth.models import User
from app.database import statement
from app.extensions import db
from app.org.models import Position, ordered_positions
from app.permissions import (can_issue_supplies, may_decide_requisition, may_see_requisition,
                             may_see_requisition_context, may_see_supplies_of, may_submit_requisition,
                             may_withdraw_requisition, require)
from app.printing import pdf_response, render_pdf
from app.staff.models import Employee, staff_rows

from app.supplies.entitlements import (PERIOD_LABELS, beyond_standard, choose_variants, due_by_employee, save_entitlement,
                                       standing_of)
from app.supplies.history import employee_entries, employee_totals, entries_between, issue_register
from app.supplies.items import save_item
from app.supplies.forms import UNITS, ItemForm, SimpleForm
from app.supplies.ledger import (LedgerError, count_many, give_back, issue, item_ledger, receive, reverse,
                                 stock_of, typed_counts)
from app.supplies.models import (KIND_LABELS, Entitlement, IssueSlip, Requisition, RequisitionLine, StockEntry,
                                 SupplyCategory, SupplyItem)
from app.supplies.quantity import QuantityError, fmt, parse
from app.supplies.requisitions import (STATUS_LABELS, STEP_LABELS, RequisitionRefused, beyond_standard_asked, create,
                                       create_problems, decide, decision_context, fulfil, issue_quantities, open_for,
                                       open_per_line, step_slips, visible_requisitions, withdraw)
from app.supplies.slips import MAX_LINES, SlipRefused, hints_again, parse_lines, prefilled_rows, refuse_unconfirmed
from app.supplies.stock import categories, overview
from app.web import ListPage, render
from app.xlsxexport import Table, requested_format, table_response

bp = Blueprint("supplies", __name__, url_prefix="/supplies")


@bp.app_template_filter("qty")
def qty_filter(milli):
    return fmt(milli)


def _helpers(**extra) -> dict:
    return {"kind_labels": KIND_LABELS, "status_labels": STATUS_LABELS, "step_labels": STEP_LABELS,
            "period_labels": PERIOD_LABELS, "post_form": SimpleForm(), **extra}


def _active_items():
    return list(db.session.scalars(_active()))


@statement
def _active():
    return (select(SupplyItem).where(SupplyItem.active.is_(True))
            .order_by(SupplyItem.category_id, SupplyItem.name, SupplyItem.spec))


# --- stock overview and items --------------------------------------------------------

@bp.get("/")
@login_required
def index():
    category_id = request.args.get("category", type=params.bounded_int)
    rows = overview(category_id, include_inactive=request.args.get("all") == "1")
    return render("supplies/index.html", rows=rows, categories=categories(), category_id=category_id,
                  **_helpers())


@bp.get("/items/<int:item_id>")
@login_required
def item(item_id: int):
    require(can_issue_supplies)
    it = db.get_or_404(SupplyItem, item_id)
    rows, page = item_ledger(it, params.page_arg(), params.per_page())
    return render("supplies/item.html", item=it, rows=rows, page=page, **_helpers())


def _item_form(it: SupplyItem | None):
    form = ItemForm(obj=it)
    form.category_id.choices = [(c.id, c.name) for c in categories()]
    if it is not None and "min_stock" not in request.form:
        # The stored value is in milli-units: shown (and, when a post leaves the field out,
        # kept) in the item's own units, never read back as units (it became 1000x).
        form.min_stock.data = fmt(it.min_stock)
    return form


@bp.route("/items/new", methods=["GET", "POST"], defaults={"item_id": None})
@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def item_form(item_id):
    require(can_issue_supplies)
    it = db.get_or_404(SupplyItem, item_id) if item_id else None
    form = _item_form(it)
    if form.validate_on_submit():
        try:
            saved = save_item(it, name=form.name.data, spec=form.spec.data, category_id=form.category_id.data,
                              unit=form.unit.data, decimals=form.decimals.data, min_stock=form.min_stock.data,
                              active=form.active.data, size_kind=form.size_kind.data)
        except LedgerError as exc:
            db.session.rollback()
            getattr(form, exc.field).errors = [str(exc)]
        else:
            db.session.commit()
            flash(f"物品“{saved.label}”已保存。", "success")
            return redirect(url_for("supplies.index"), code=303)
    return render("supplies/item_form.html", form=form, item=it, units=UNITS,
                  status=422 if request.method == "POST" else 200)


# --- receipts, counts, returns, reversals ----------------------------------------------

def _item_from_form() -> SupplyItem | None:
    item_id = request.form.get("item_id", type=params.bounded_int)
    return db.session.get(SupplyItem, item_id) if item_id else None


def _employee_from_form() -> Employee | None:
    employee_id = request.form.get("employee_id", type=params.bounded_int)
    return db.session.get(Employee, employee_id) if employee_id else None


def _simple_action(template: str, action, success: str, **context):
    """GET shows the form; POST parses item and quantity, calls `action`, or shows the
    message beside its field with 422 and nothing changed."""
    require(can_issue_supplies)
    form = SimpleForm()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        it = _item_from_form()
        try:
            if it is None:
                raise LedgerError("请选择物品。", "item_id")
            qty = parse(request.form.get("qty"), it.decimals, allow_zero=template.endswith("count.html"))
            action(it, qty)
        except QuantityError as exc:
            db.session.rollback()
            errors["qty"] = str(exc)
        except LedgerError as exc:
            db.session.rollback()
            errors[exc.field or "item_id"] = str(exc)
        else:
            db.session.commit()
            flash(success, "success")
            return redirect(url_for("supplies.item", item_id=it.id), code=303)
    return render(template, form=form, errors=errors, items=_active_items(), values=request.form,
                  status=422 if errors else 200, **context, **_helpers())


@bp.route("/receive", methods=["GET", "POST"])
@login_required
def receive_view():
    return _simple_action(
        "supplies/receive.html",
        lambda it, q: receive(it, q, current_user, request.form.get("supplier", ""), request.form.get("note", "")),
        "已入库。")


@bp.route("/count", methods=["GET", "POST"])
@login_required
def count_view():
    """盘点: the whole list (or a category, or one item) in one form; each filled row is a
    count, all saved or none. A post naming one item_id is the single-item form."""
    require(can_issue_supplies)
    form = SimpleForm()
    values = request.form.to_dict()
    category_id = request.values.get("category", type=params.bounded_int)
    only = request.values.get("item", type=params.bounded_int)
    if "item_id" in values:  # the one-item form: item_id, qty, reason
        only = params.to_id(values["item_id"]) or -1
        values.update({f"qty-{only}": values.get("qty", ""), f"reason-{only}": values.get("reason", "")})
    rows = [r for r in overview(category_id) if r.item.active and (not only or r.item.id == only)]
    errors: dict[int, str] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        counted, errors = typed_counts([r.item for r in rows], values)
        if not errors:
            entries, errors = count_many(counted, current_user)
        if errors:
            db.session.rollback()
        else:
            db.session.commit()
            flash(f"已记录 {len(entries)} 种物品的盘点结果。", "success")
            return redirect(url_for("supplies.index", category=category_id) if not only
                            else url_for("supplies.item", item_id=only), code=303)
    return render("supplies/count.html", form=form, rows=rows, errors=errors, values=values,
                  categories=categories(), category_id=category_id, only=only,
                  status=422 if errors else 200, **_helpers())


@bp.route("/return", methods=["GET", "POST"])
@login_required
def return_view():
    def act(it, q):
        employee = _employee_from_form()
        if employee is None:
            raise LedgerError("请选择退回人。", "employee_id")
        give_back(it, q, employee, current_user, request.form.get("note", ""))

    return _simple_action("supplies/return.html", act, "已办理退回。", employees=staff_rows())


@bp.post("/entries/<int:entry_id>/reverse")
@login_required
def reverse_view(entry_id: int):
    require(can_issue_supplies)
    entry = db.get_or_404(StockEntry, entry_id)
    if not SimpleForm().validate_on_submit():
        abort(400)
    try:
        reverse(entry, current_user, request.form.get("reason", ""))
    except LedgerError as exc:
        db.session.rollback()
        rows, page = item_ledger(entry.item, params.page_arg(), params.per_page())
        return render("supplies/item.html", item=entry.item, rows=rows, page=page,
                      reverse_error=(entry.id, str(exc)), status=422, **_helpers())
    db.session.commit()
    flash(f"已冲销记录 #{entry.id}。", "success")
    return redirect(url_for("supplies.item", item_id=entry.item_id), code=303)


# --- issue slips ---------------------------------------------------------------------

def _typed_lines(items_by_id):
    return parse_lines(request.form.getlist("item_id"), request.form.getlist("qty"), items_by_id)


def _slip_field(exc: LedgerError) -> str:
    """Where a refusal is shown on the slip and requisition forms."""
    return exc.field if exc.field in ("employee_id", "reason", "duplicate", "requisition") else "lines"


@bp.route("/slips/new", methods=["GET", "POST"])
@login_required
def slip_new():
    require(can_issue_supplies)
    form = SimpleForm()
    items = _active_items()
    by_id = {i.id: i for i in items}
    errors: dict[str, list[str]] = {}
    raw = []
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        lines, raw, line_errors = _typed_lines(by_id)
        employee = _employee_from_form()
        hints_again(employee, raw, request.form.getlist("line_for"), by_id)
        if line_errors:
            errors["lines"] = line_errors
        else:
            try:
                beyond = refuse_unconfirmed(employee, lines, separate=bool(request.form.get("separate")),
                                            beyond_ok=bool(request.form.get("beyond_ok")))
                slip = issue(employee, lines, current_user, note=request.form.get("note", ""), beyond_standard=beyond)
            except SlipRefused as exc:
                db.session.rollback()
                errors.update(exc.problems)
            except LedgerError as exc:
                db.session.rollback()
                errors.setdefault(_slip_field(exc), []).append(str(exc))
            else:
                db.session.commit()
                flash(f"领用单 {slip.number} 已发放。", "success")
                for d in beyond_standard(employee, [item.id for item, _ in lines]):
                    unit, period = d.entitlement.item.unit, PERIOD_LABELS[d.entitlement.period]
                    flash(f"注意：{employee.name} 本{period}已领{d.entitlement.article} {fmt(d.received)}{unit}，"
                          f"超出岗位标准 {fmt(d.entitlement.qty)}{unit}/{period}。", "warning")
                return redirect(url_for("supplies.slip", slip_id=slip.id), code=303)
    else:
        person = db.session.get(Employee, request.args.get("employee", type=params.bounded_int) or 0)
        raw = prefilled_rows(person, request.args.getlist("line"), by_id)
    while len(raw) < 3:
        raw.append({"item_id": "", "qty": ""})
    employee_id = request.form.get("employee_id", type=params.bounded_int) or request.args.get("employee", type=params.bounded_int)
    return render("supplies/slip_form.html", form=form, items=items, employees=staff_rows(), rows=raw,
                  employee_id=employee_id, errors=errors, stock=stock_of(by_id),
                  open_requisitions=[(r, open_per_line(r)) for r in open_for(employee_id)] if employee_id else [],
                  status=422 if errors else 200, **_helpers())


@bp.get("/slips/new/line")
@login_required
def slip_line():
    require(can_issue_supplies)
    items = _active_items()
    return render("supplies/_slip_line.html", items=items, row={"item_id": "", "qty": ""},
                  stock=stock_of([i.id for i in items]))


@bp.get("/slips")
@login_required
def slips():
    require(can_issue_supplies)
    page = params.paginate(select(IssueSlip).order_by(IssueSlip.id.desc())
                           .options(selectinload(IssueSlip.employee),
                                    selectinload(IssueSlip.issued_by).selectinload(User.employee),  # 发放人's name
                                    selectinload(IssueSlip.lines).selectinload(StockEntry.item)), count=False)
    return render("supplies/slips.html", page=page, **_helpers())


@bp.get("/slips/<int:slip_id>")
@login_required
def slip(slip_id: int):
    s = db.get_or_404(IssueSlip, slip_id)
    require(may_see_supplies_of, s.employee)
    return render("supplies/slip.html", slip=s, **_helpers())


@bp.get("/slips/<int:slip_id>.pdf")
@login_required
def slip_pdf(slip_id: int):
    s = db.get_or_404(IssueSlip, slip_id)
    require(may_see_supplies_of, s.employee)
    return pdf_response(render_pdf("print/issue_slip.html", slip=s, **_helpers()), f"领用单-{s.number}.pdf")


# --- per employee --------------------------------------------------------------------

@bp.get("/employees/<int:employee_id>")
@login_required
def employee_history(employee_id: int):
    emp = db.get_or_404(Employee, employee_id)
    require(may_see_supplies_of, emp)
    year = params.year_arg()
    page = params.paginate(employee_entries(emp, year))
    return render("supplies/employee.html", employee=emp, page=page, entries=page.items, year=year,
                  totals=employee_totals(emp, year), standing=standing_of(emp), **_helpers())


# --- entitlements --------------------------------------------------------------------

@bp.route("/entitlements", methods=["GET", "POST"])
@login_required
def entitlements():
    require(can_issue_supplies)
    form = SimpleForm()
    errors = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        position = db.session.get(Position, request.form.get("position_id", type=params.bounded_int) or 0)
        try:
            save_entitlement(position, _item_from_form(), request.form.get("period"), request.form.get("qty"),
                             request.form.get("active", "y") == "y")
        except LedgerError as exc:
            db.session.rollback()
            errors[exc.field] = str(exc)
        else:
            db.session.commit()
            flash("发放标准已保存。", "success")
            return redirect(url_for("supplies.entitlements"), code=303)
    rows = db.session.scalars(_every_entitlement()).all()
    # 本期应发: a page of employees at a time (a card each), not the whole staff at once
    due = ListPage(list(due_by_employee().items()), params.page_arg(), DUE_PER_PAGE)
    choose_variants(d for _, dues in due.items for d in dues)
    return render("supplies/entitlements.html", rows=rows, due=dict(due.items), due_page=due,
                  positions=ordered_positions(),
                  items=_active_items(), errors=errors, values=request.form,
                  status=422 if errors else 200, **_helpers())


DUE_PER_PAGE = 30  # employees on a page of 本期应发


@statement
def _every_entitlement():
    return select(Entitlement).order_by(Entitlement.position_id, Entitlement.id)


# --- requisitions --------------------------------------------------------------------

@bp.get("/requisitions")
@login_required
def requisitions():
    stmt = visible_requisitions(current_user).order_by(Requisition.id.desc()).options(
        selectinload(Requisition.employee).selectinload(Employee.position),
        selectinload(Requisition.lines).selectinload(RequisitionLine.item))
    page = params.paginate(stmt, count=False)
    return render("supplies/requisitions.html", requisitions=page.items, page=page, may_decide=may_decide_requisition,
                  **_helpers())


@bp.route("/requisitions/new", methods=["GET", "POST"])
@login_required
def requisition_new():
    require(may_submit_requisition)
    form = SimpleForm()
    items = _active_items()
    errors: dict[str, list[str]] = {}
    raw = []
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        by_id = {i.id: i for i in items}
        lines, raw, line_errors = _typed_lines(by_id)
        if request.form.get("add_line"):  # 添加一行, also without JavaScript: nothing is saved
            if len(raw) < MAX_LINES:
                raw.append({"item_id": "", "qty": ""})
        elif line_errors:  # a line not understood: said with every other problem of the form
            chosen = {params.to_id(row["item_id"]) for row in raw} & set(by_id)
            errors = create_problems(current_user.employee, lines, request.form.get("reason", ""),
                                     bool(request.form.get("duplicate_ok")), line_errors, chosen)
        else:
            try:
                req = create(current_user, lines, request.form.get("reason", ""),
                             duplicate_ok=bool(request.form.get("duplicate_ok")))
            except RequisitionRefused as exc:
                db.session.rollback()
                errors = exc.problems
            except LedgerError as exc:
                db.session.rollback()
                errors.setdefault(_slip_field(exc), []).append(str(exc))
            else:
                db.session.commit()
                flash("申领已提交，等待主管审批。", "success")
                return redirect(url_for("supplies.requisition", req_id=req.id), code=303)
    while len(raw) < 3:
        raw.append({"item_id": "", "qty": ""})
    return render("supplies/requisition_form.html", form=form, items=items, rows=raw, errors=errors,
                  stock={i.id: i.stock for i in items}, status=422 if errors else 200, **_helpers())


@bp.get("/requisitions/<int:req_id>")
@login_required
def requisition(req_id: int, errors=None, status=200):
    req = db.get_or_404(Requisition, req_id, options=[selectinload(Requisition.lines).joinedload(RequisitionLine.item)])
    require(may_see_requisition, req)
    may_decide = may_decide_requisition(current_user, req)
    still_open = open_per_line(req)
    context = decision_context(req) if may_see_requisition_context(current_user, req) else None
    return render("supplies/requisition.html", req=req, open=still_open, may_decide=may_decide,
                  can_issue=can_issue_supplies(current_user), errors=errors or {}, status=status,
                  may_withdraw=may_withdraw_requisition(current_user, req), context=context,
                  beyond=beyond_standard_asked(req, still_open) if context else [],
                  stock=stock_of([l.item_id for l in req.lines]), step_slips=step_slips(req), **_helpers())


@bp.post("/requisitions/<int:req_id>/withdraw")
@login_required
def requisition_withdraw(req_id: int):
    req = db.get_or_404(Requisition, req_id)
    require(may_see_requisition, req)  # withdraw() refuses one not pending (422), then anyone but the asker (403)
    if not SimpleForm().validate_on_submit():
        abort(400)
    try:
        withdraw(req, current_user)
    except LedgerError as exc:
        db.session.rollback()
        return requisition(req_id, errors={"withdraw": str(exc)}, status=422)
    except PermissionError:
        abort(403)
    db.session.commit()
    flash("申领已撤回。", "success")
    return redirect(url_for("supplies.requisition", req_id=req.id), code=303)


@bp.post("/requisitions/<int:req_id>/decide")
@login_required
def requisition_decide(req_id: int):
    req = db.get_or_404(Requisition, req_id)
    require(may_decide_requisition, req)
    if not SimpleForm().validate_on_submit():
        abort(400)
    try:
        decide(req, current_user, request.form.get("decision") == "approve", request.form.get("note", ""))
    except LedgerError as exc:
        db.session.rollback()
        return requisition(req_id, errors={exc.field or "decision": str(exc)}, status=422)
    db.session.commit()
    flash(f"申领{STATUS_LABELS[req.status]}。", "success")
    return redirect(url_for("supplies.requisition", req_id=req.id), code=303)


@bp.post("/requisitions/<int:req_id>/issue")
@login_required
def requisition_issue(req_id: int):
    require(can_issue_supplies)
    req = db.get_or_404(Requisition, req_id)
    if not SimpleForm().validate_on_submit():
        abort(400)
    try:
        slip = fulfil(req, current_user, issue_quantities(req, request.form), request.form.get("note", ""))
    except (LedgerError, QuantityError) as exc:
        db.session.rollback()
        return requisition(req_id, errors={"issue": str(exc)}, status=422)
    db.session.commit()
    # the slip's number a link to it (to print it): the markup is ours, its values escaped by format
    flash(Markup('已发放，领用单 <a href="{}">{}</a>。').format(url_for("supplies.slip", slip_id=slip.id), slip.number),
          "success")
    return redirect(url_for("supplies.requisition", req_id=req.id), code=303)


# --- print-outs and export -------------------------------------------------------------

@bp.get("/ledger.pdf")
@login_required
def ledger_pdf():
    require(can_issue_supplies)
    year, month = params.month_arg()
    category = db.get_or_404(SupplyCategory, request.args.get("category", type=params.bounded_int) or 0)
    pdf = render_pdf("print/issue_ledger.html", register=issue_register(category, year, month), category=category,
                     year=year, month=month, **_helpers())
    return pdf_response(pdf, f"发放登记表-{category.name}-{year}年{month:02d}月.pdf")


@bp.get("/count-sheet.pdf")
@login_required
def count_sheet_pdf():
    require(can_issue_supplies)
    category_id = request.args.get("category", type=params.bounded_int)
    rows = overview(category_id)
    category = db.session.get(SupplyCategory, category_id) if category_id else None
    pdf = render_pdf("print/count_sheet.html", rows=rows, category=category, **_helpers())
    return pdf_response(pdf, f"盘点表-{category.name if category else '全部'}-{clock.local_now():%Y%m%d}.pdf")


@bp.get("/ledger.csv")
@bp.get("/ledger.xlsx", endpoint="ledger_xlsx")
@login_required
def ledger_csv():
    """The ledger of a date range (this month by default), as CSV or Excel."""
    require(can_issue_supplies)
    today = clock.local_now().date()
    start = params.date_arg("start", today.replace(day=1))
    end = params.date_arg("end", today)
    if end < start:
        abort(400)
    entries = entries_between(start, end)
    header = ["编号", "时间", "类型", "类别", "物品", "规格", "单位", "数量变化", "领用/退回人", "工号",
              "领用单号", "供应商", "原因/备注", "冲销编号", "经办人"]
    rows = [[e.id, clock.to_local(e.at), KIND_LABELS[e.kind], e.item.category.name,
             e.item.name, e.item.spec, e.item.unit, Decimal(fmt(e.qty)), e.employee.name if e.employee else "",
             e.employee.employee_no if e.employee else "", e.slip.number if e.slip else "", e.supplier,
             e.reason, e.reverses_id, e.user.name] for e in entries]
    return table_response(Table("物资台账", header, rows), requested_format(), f"物资台账-{start}-{end}")

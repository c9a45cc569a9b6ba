"""Loan pages (借用/归还): thin, the rules are in loans.py."""
from datetime import timedelta

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock, params
from app.equipment import loans
from app.equipment.counts import open_counts_for, running_for
from app.equipment.forms_loans import LendForm, ReturnForm
from app.equipment.models import Equipment, Loan
from app.equipment.rules import Refused
from app.equipment.routes import _problems_on, bp
from app.extensions import db
from app.permissions import may_count_equipment, may_lend_equipment, may_view_equipment, require
from app.staff.models import staff_rows
from app.web import render


@bp.route("/<int:item_id>/lend", methods=["GET", "POST"])
@login_required
def lend(item_id: int):
    item = db.session.get(Equipment, item_id)
    require(may_lend_equipment, item)  # the clerks, or this item's responsible person
    if item is None:
        abort(404)
    today = clock.local_now().date()
    form = LendForm(people=staff_rows())
    if request.method == "GET":
        form.due_on.data = today + timedelta(days=7)
        form.quantity.data = max(item.quantity - item.lent_qty, 1)
    status = 200
    if request.method == "POST":
        valid = form.validate_on_submit()
        if not form.csrf_token.errors:
            # the rules' problems beside the fields the form found nothing wrong with: every
            # problem of this submit at once, not one per submit
            _problems_on(form, loans.lend_problems(form.borrower_id.data or None, form.due_on.data,
                                                   form.quantity.data, form.note.data or ""))
        if valid and not form.errors:
            try:
                loan = loans.lend(item, form.borrower_id.data or None, form.due_on.data, current_user,
                                  form.quantity.data, form.note.data)
                db.session.commit()
                flash(f"{item.asset_no} 已借给 {loan.borrower.name}，预计 {loan.due_on:%Y-%m-%d} 归还。", "success")
                return redirect(url_for("equipment.item", item_id=item.id) + "#loans", code=303)
            except Refused as exc:
                db.session.rollback()
                _problems_on(form, exc.problems)
                status = exc.status
                item = db.session.get(Equipment, item_id)
        else:
            status = 422
    return render("equipment/loan_form.html", form=form, item=item, status=status, today=today,
                  running=running_for(item))


@bp.route("/loans/<int:loan_id>/return", methods=["GET", "POST"])
@login_required
def give_back(loan_id: int):
    loan = db.session.get(Loan, loan_id)
    require(may_lend_equipment, loan.equipment if loan else None)
    if loan is None:
        abort(404)
    form = ReturnForm()
    status = 200
    if request.method == "POST":
        valid = form.validate_on_submit()
        if loan.is_open and not form.csrf_token.errors:
            _problems_on(form, loans.return_problems(loan, form.condition.data, form.note.data or "",
                                                     form.missing_qty.data, form.missing_action.data or ""))
        if valid and not form.errors:
            try:
                loans.give_back(loan, form.condition.data, current_user, form.note.data, form.missing_qty.data,
                                form.missing_action.data or "")
                db.session.commit()
                flash(f"已登记 {loan.borrower.name} 归还 {loan.equipment.asset_no}（{loan.condition_label}）。", "success")
                return redirect(url_for("equipment.item", item_id=loan.equipment_id) + "#loans", code=303)
            except Refused as exc:
                db.session.rollback()
                _problems_on(form, exc.problems)
                status = exc.status
                loan = db.session.get(Loan, loan_id)
        else:
            status = 422
    elif not loan.is_open:
        status = 409
    return render("equipment/loan_return.html", form=form, loan=loan, status=status,
                  today=clock.local_now().date(), running=running_for(loan.equipment) if loan.is_open else [])


@bp.get("/loans")
@login_required
def loan_list():
    """Who holds what: the open loans, the overdue first (?show=overdue: only those)."""
    require(may_view_equipment)
    today = clock.local_now().date()
    show = request.args.get("show", "")
    stmt = loans.open_loans_stmt().order_by(Loan.due_on, Loan.id)
    if show == "overdue":
        stmt = stmt.where(Loan.due_on < today)
    page = params.paginate(stmt)
    returned = list(db.session.scalars(select(Loan).where(Loan.returned_at.is_not(None))
                                       .options(selectinload(Loan.equipment), selectinload(Loan.borrower))
                                       .order_by(Loan.returned_at.desc()).limit(10))) if show != "overdue" else []
    return render("equipment/loans.html", page=page, show=show, today=today, returned=returned,
                  overdue=loans.overdue_count(today))


@bp.context_processor
def item_extras():
    """What the item page's loan and count panel (equipment/_item_loans.html) shows."""
    def equipment_item_extras(item):
        today = clock.local_now().date()
        rows = loans.item_loans(item.id)
        return {"loans": rows, "today": today, "may_lend": may_lend_equipment(current_user, item),
                "overdue": any(l.overdue(today) for l in rows),
                "counts": open_counts_for(item) if may_count_equipment(current_user) else []}

    return {"equipment_item_extras": equipment_item_extras}


def equipment_held_by(employee) -> dict:
    """The tools an employee holds, for his page in the staff directory."""
    return {"rows": loans.held_by(employee.id), "today": clock.local_now().date()}


TEMPLATE_GLOBALS = {"equipment_held_by": equipment_held_by}

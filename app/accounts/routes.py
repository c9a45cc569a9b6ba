from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.forms import AccountForm, NewAccountForm
from app.accounts.changes import Refused, create_account, end_logins, update_account
from app.accounts.changes import reset_password as reset_password_of
from app.forms import PostForm
from app.auth.models import User
from app.extensions import db
from app.permissions import admin_required
from app.staff.models import Employee
from app.web import render

bp = Blueprint("accounts", __name__, url_prefix="/admin/accounts")


@bp.get("/")
@login_required
@admin_required
def index():
    users = db.session.scalars(select(User).order_by(User.active.desc(), User.username)
                               .options(selectinload(User.employee).selectinload(Employee.position))).all()
    return render("accounts/index.html", users=users, post_form=PostForm())


@bp.route("/new", methods=["GET", "POST"])
@login_required
@admin_required
def create():
    form = NewAccountForm()
    if form.validate_on_submit():
        user, generated = create_account(form)
        db.session.commit()
        if generated:  # shown once, in this response only (as a reset's password)
            response = render("accounts/password_reset.html", account=user, password=generated, created=True)
            response.headers["Cache-Control"] = "no-store"
            return response
        flash(f"已创建账号 {user.username}，首次登录时需修改密码。", "success")
        return redirect(url_for("accounts.index"), code=303)
    return render("accounts/form.html", form=form, account=None, status=422 if form.errors else 200)


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
@admin_required
def edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = AccountForm(obj=user, account=user)
    if request.method == "GET":
        form.employee_id.data = user.employee_id or 0
    if form.validate_on_submit():
        try:
            update_account(user, form, current_user)
        except Refused as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(str(exc))
        else:
            db.session.commit()
            flash("账号已保存。", "success")
            return redirect(url_for("accounts.index"), code=303)
    return render("accounts/form.html", form=form, account=user, status=422 if form.errors else 200)


@bp.post("/<int:user_id>/reset-password")
@login_required
@admin_required
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    if not PostForm().validate_on_submit():
        flash("表单已过期，请重试。", "error")
        return redirect(url_for("accounts.index"), code=303)
    password = reset_password_of(user)
    db.session.commit()
    # Shown once in this response (not flashed: the session cookie is signed, not encrypted).
    response = render("accounts/password_reset.html", account=user, password=password)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:user_id>/end-sessions")
@login_required
@admin_required
def end_sessions(user_id: int):
    """Admin ends every login of an account (a lost phone, a shared computer)."""
    user = db.get_or_404(User, user_id)
    if not PostForm().validate_on_submit():
        abort(400)
    keep = current_user.login_token if user.id == current_user.id else None
    ended = end_logins(user, keep)
    db.session.commit()
    flash(f"已结束 {user.username} 的 {ended} 处登录。", "success")
    return redirect(url_for("accounts.index"), code=303)

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select


from app.accounts.forms import AccountForm, NewAccountForm
from app.audit.log import record, record_changes
from app.auth import sessions
from app.forms import PostForm
from app.auth.models import User
from app.cli import generate_password
from app.extensions import db
from app.permissions import admin_required
from app.staff.models import Employee
from app.web import render

bp = Blueprint("accounts", __name__, url_prefix="/admin/accounts")


@bp.get("/")
@login_required
@admin_required
def index():
    users = db.session.scalars(select(User).order_by(User.active.desc(), User.username)).all()
    return render("accounts/index.html", users=users, post_form=PostForm())


def _fill(user: User, form: AccountForm) -> None:
    user.username = form.username.data.strip()
    user.display_name = (form.display_name.data or "").strip()
    user.employee = db.session.get(Employee, form.employee_id.data) if form.employee_id.data else None
    user.is_admin = form.is_admin.data
    user.can_record_trainings = form.can_record_trainings.data
    user.can_issue_supplies = form.can_issue_supplies.data
    user.can_manage_equipment = form.can_manage_equipment.data
    user.active = form.active.data


def _other_active_admins(user: User) -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(User.is_admin.is_(True), User.active.is_(True), User.id != user.id)
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
@admin_required
def create():
    form = NewAccountForm()
    if form.validate_on_submit():
        user = User()
        _fill(user, form)
        generated = None if form.password.data else generate_password()
        user.set_password(form.password.data or generated)
        user.must_change_password = True
        db.session.add(user)
        db.session.flush()
        record("user_create", "user", user.id, summary=user.username, after=user.snapshot())
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
        losing_admin = user.is_admin and (not form.is_admin.data or not form.active.data)
        if losing_admin and _other_active_admins(user) == 0:
            form.is_admin.errors.append("至少需要保留一个启用的管理员账号。")
        elif user.id == current_user.id and not form.active.data:
            form.active.errors.append("不能停用自己正在使用的账号。")
        else:
            before = user.snapshot()
            _fill(user, form)
            if before["active"] and not user.active:
                user.session_version += 1  # ends the deactivated user's sessions
                sessions.end_all(user, "deactivated")
            db.session.flush()
            record_changes("user_update", "user", user.id, before, user.snapshot(), summary=user.username)
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
    password = generate_password()
    user.set_password(password)
    user.must_change_password = True
    user.session_version += 1
    sessions.end_all(user, "reset")
    record("user_password_reset", "user", user.id, summary=user.username)
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
    ended = sessions.end_all(user, "admin", keep=keep)
    record("user_sessions_ended", "user", user.id, summary=f"{user.username}：结束 {ended} 处登录")
    db.session.commit()
    flash(f"已结束 {user.username} 的 {ended} 处登录。", "success")
    return redirect(url_for("accounts.index"), code=303)

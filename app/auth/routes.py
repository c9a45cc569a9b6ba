from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.audit.log import record
from app.auth import bp
from app.auth.forms import ChangePasswordForm, LoginForm, PostForm
from app.auth.models import User
from app.auth.throttle import is_throttled, note_attempt
from app.database import utcnow
from app.extensions import db

BAD_LOGIN = "用户名或密码不正确。"


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths; anything else goes to the home page."""
    if not target:
        return url_for("main.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("main.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        username = form.username.data.strip()
        ip = request.remote_addr or "-"
        if is_throttled(username, ip):
            db.session.commit()
            flash("登录失败次数过多，请稍后再试。", "error")
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalar(db.select(User).filter(db.func.lower(User.username) == username.lower()))
        if user is None or not user.check_password(form.password.data) or not user.active:
            note_attempt(username, ip, success=False)
            record("login_failed", "user", user.id if user else None, summary=username)
            db.session.commit()
            form.password.errors.append(BAD_LOGIN)
            status = 401
        else:
            note_attempt(username, ip, success=True)
            first_login = user.last_login_at is None
            user.last_login_at = utcnow()
            session.clear()
            session.permanent = True
            login_user(user, remember=form.remember.data)
            record("login", "user", user.id, summary=user.username, user=user)
            db.session.commit()
            if user.must_change_password:
                flash("请设置您自己的密码。" if first_login else "管理员已为您重置密码，请先设置新密码。", "info")
                return redirect(url_for("auth.change_password"))
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    if not PostForm().validate_on_submit():
        abort(400)
    record("logout", "user", current_user.id, summary=current_user.username)
    db.session.commit()
    logout_user()
    session.clear()
    flash("您已退出登录。", "info")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append("当前密码不正确。")
            status = 422
        else:
            current_user.set_password(form.new.data)
            current_user.must_change_password = False
            current_user.session_version += 1
            record("password_change", "user", current_user.id, summary=current_user.username)
            db.session.commit()
            login_user(current_user)  # refresh the session id with the new version
            flash("密码已修改。其他设备上的登录已失效。", "success")
            return redirect(url_for("main.index"), code=303)
    elif request.method == "POST":
        status = 422
    return render_template("auth/password.html", form=form), status

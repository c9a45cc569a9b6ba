import secrets
import time
from functools import lru_cache
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from app.audit.log import record

from app.auth.forms import ChangePasswordForm, LoginForm
from app.forms import PostForm
from app.auth import sessions
from app.auth.models import LoginSession, User
from app.auth.throttle import is_throttled, note_attempt, slowdown
from app.database import utcnow
from app.extensions import db

bp = Blueprint("auth", __name__, url_prefix="/auth")

BAD_LOGIN = "用户名或密码不正确。"


@lru_cache(maxsize=4)
def _dummy_hash_for(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


def _dummy_hash() -> str:
    """A hash made with the configured method, checked when the name is unknown."""
    return _dummy_hash_for(current_app.config["PASSWORD_HASH_METHOD"])


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
        delay = slowdown(username)
        if delay:
            db.session.rollback()  # never wait while holding a transaction (SQLite: the write lock)
            time.sleep(delay)
        if is_throttled(username, ip):
            db.session.commit()
            flash("登录失败次数过多，请稍后再试。", "error")
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalar(db.select(User).filter(db.func.lower(User.username) == username.lower()))
        if user is None:
            # As long as a wrong password: the time taken tells nobody which names exist.
            check_password_hash(_dummy_hash(), form.password.data)
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
            sessions.start(user, remember=bool(form.remember.data))
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
    row = db.session.scalar(db.select(LoginSession).filter_by(token=current_user.login_token))
    if row is not None:
        sessions.end(row, "logout")  # a replayed session or remember-me cookie is refused now
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
            sessions.end_all(current_user, "password", keep=current_user.login_token)
            record("password_change", "user", current_user.id, summary=current_user.username)
            db.session.commit()
            login_user(current_user)  # refresh the session id with the new version
            flash("密码已修改。其他设备上的登录已失效。", "success")
            return redirect(url_for("main.index"), code=303)
    elif request.method == "POST":
        status = 422
    return render_template("auth/password.html", form=form, login_sessions=sessions.active(current_user),
                           device=sessions.device, post_form=PostForm()), status


@bp.post("/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    """The user ends one of their own logins (another device)."""
    if not PostForm().validate_on_submit():
        abort(400)
    row = db.session.get(LoginSession, session_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    sessions.end(row, "user")
    record("session_end", "user", current_user.id, summary=f"结束登录：{sessions.device(row.user_agent)} {row.ip}")
    db.session.commit()
    flash("已结束该设备的登录。", "success")
    return redirect(url_for("auth.change_password") + "#sessions", code=303)


@bp.post("/sessions/end-others")
@login_required
def end_other_sessions():
    if not PostForm().validate_on_submit():
        abort(400)
    ended = sessions.end_all(current_user, "user", keep=current_user.login_token)
    record("session_end", "user", current_user.id, summary=f"结束其他 {ended} 处登录")
    db.session.commit()
    flash(f"已结束其他 {ended} 处登录。", "success")
    return redirect(url_for("auth.change_password") + "#sessions", code=303)

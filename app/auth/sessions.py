"""Server-side login sessions: every login is a LoginSession row, and the ids Flask-Login
keeps in the session cookie and the remember-me cookie name it ("user.version.token").
A cookie is honoured only while its row is open, younger than the absolute lifetime
(SESSION_ABSOLUTE_HOURS, remember-me included), used within the idle lifetime
(SESSION_LIFETIME_HOURS, as last_seen_at tells to within SEEN_EVERY; remember-me excepted)
and the account's version unchanged.
"""
import re
import secrets
from datetime import timedelta

from flask import current_app, g, request, session
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from app.auth.models import LoginSession, User
from app.database import statement, utcnow
from app.extensions import db
from app.staff.models import Employee

SEEN_EVERY = timedelta(minutes=5)  # last_seen_at is written at most this often


@statement
def _by_token():
    """The login and its account in one statement (runs on every request)."""
    # The account's employee and position come along: nearly every page shows them.
    return (select(LoginSession, User).join(User, User.id == LoginSession.user_id)
            .where(LoginSession.token == bindparam("token"))
            .options(joinedload(User.employee).joinedload(Employee.position)))


def _parts(cookie_id: str) -> tuple[int, str, str] | None:
    uid, version, token = (cookie_id.split(".") + ["", ""])[:3]
    if not (uid.isdigit() and len(uid) <= 10 and token):
        return None
    return int(uid), version, token


def _ended(login, session_version: int, uid: int, version: str, now) -> str | None:
    """Why `login` (a LoginSession, or a row with its columns) of an account at
    `session_version` no longer admits the cookie (uid, version): "closed", "expired"
    (past the absolute lifetime), "idle" (unused longer than the session lifetime; not for
    remember-me, which outlives idle browsers by design) or "version" (password changed,
    account disabled); None while it does."""
    if login.user_id != uid or login.ended_at is not None:
        return "closed"
    if now - login.created_at > _lifetime():
        return "expired"
    if not login.remember and now - login.last_seen_at > current_app.permanent_session_lifetime:
        return "idle"
    if str(session_version) != version:
        return "version"
    return None


def _lifetime() -> timedelta:
    return timedelta(hours=float(current_app.config["SESSION_ABSOLUTE_HOURS"]))


def start(user: User, remember: bool) -> LoginSession:
    row = LoginSession(token=secrets.token_urlsafe(32), user_id=user.id, remember=remember,
                       ip=(request.remote_addr or "")[:45],
                       user_agent=(request.headers.get("User-Agent") or "")[:200])
    db.session.add(row)
    db.session.flush()
    user.login_token = row.token
    return row


def load(user_id: str) -> User | None:
    """The user of an open, unexpired login named by the cookie's id, or None."""
    parts = _parts(user_id)
    if parts is None:
        return None
    uid, version, token = parts
    found = db.session.execute(_by_token(), {"token": token}).first()
    if found is None:
        return None
    row, user = found
    now = utcnow()
    reason = _ended(row, user.session_version, uid, version, now)
    if reason in ("expired", "idle"):
        end(row, reason)
        db.session.commit()
    if reason or not user.active:  # the login page says why, not only 请先登录
        if not user.active:
            g.login_refused = "您的账号已停用，如有疑问请联系售后经理或系统管理员。"
        elif reason in ("expired", "idle"):
            g.login_refused = "登录已超时，请重新登录。"
        return None
    if now - row.last_seen_at > SEEN_EVERY:
        # End the reads first: on SQLite a read transaction that turns into a write fails at
        # once when another writer committed meanwhile; a fresh one waits its turn.
        db.session.commit()
        db.session.execute(update(LoginSession).where(LoginSession.id == row.id).values(last_seen_at=now))
        db.session.commit()
        # The cookie is signed anew only now (SESSION_REFRESH_EACH_REQUEST is off): its
        # 12-hour idle expiry slides every few minutes of use instead of on every request.
        session.modified = True
    user.login_token = token
    return user


def end(row: LoginSession, reason: str) -> None:
    if row.ended_at is None:
        row.ended_at, row.ended_reason = utcnow(), reason


def end_all(user: User, reason: str, keep: str | None = None) -> int:
    """Ends every open login of the user but the one with token `keep`; returns how many."""
    stmt = (update(LoginSession)
            .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
            .values(ended_at=utcnow(), ended_reason=reason))
    if keep:
        stmt = stmt.where(LoginSession.token != keep)
    return db.session.execute(stmt).rowcount or 0


def active(user: User) -> list[LoginSession]:
    return list(db.session.scalars(_open_logins(), {"user": user.id, "cutoff": utcnow() - _lifetime()}))


@statement
def _open_logins():
    return (select(LoginSession).where(LoginSession.user_id == bindparam("user"), LoginSession.ended_at.is_(None),
                                       LoginSession.created_at > bindparam("cutoff"))
            .order_by(LoginSession.last_seen_at.desc()))


def device(user_agent: str) -> str:
    """A short Chinese description of the browser and system."""
    ua = user_agent or ""
    system = next((name for pattern, name in (
        (r"iPhone|iPad", "iOS"), (r"Android", "安卓"), (r"Windows", "Windows"), (r"Mac OS X", "macOS"),
        (r"Linux", "Linux")) if re.search(pattern, ua)), "未知系统")
    browser = next((name for pattern, name in (
        (r"MicroMessenger", "微信"), (r"DingTalk", "钉钉"), (r"Edg/", "Edge"), (r"Chrome/", "Chrome"),
        (r"Firefox/", "Firefox"), (r"Safari/", "Safari")) if re.search(pattern, ua)), "浏览器")
    return f"{browser} · {system}"

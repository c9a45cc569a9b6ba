"""Server-side login sessions: every login is a LoginSession row, and the ids Flask-Login
keeps in the session cookie and the remember-me cookie name it ("user.version.token").
A cookie is honoured only while its row is open, younger than the absolute lifetime
(SESSION_ABSOLUTE_HOURS, remember-me included) and the account's version unchanged.
"""
import re
import secrets
from datetime import timedelta
from functools import lru_cache

from flask import current_app, g, request
from sqlalchemy import bindparam, select, update

from app.auth.models import LoginSession, User
from app.database import utcnow
from app.extensions import db

SEEN_EVERY = timedelta(minutes=5)  # last_seen_at is written at most this often


@lru_cache(maxsize=1)
def _by_token():
    """The login and its account in one statement, with the data version and the account's
    unread notices (app/fragments.py: a kept page needs nothing more from the database).
    Built once: this runs on every request, and building it costs more than running it."""
    from app.fragments import version_columns

    return (select(LoginSession, User, *version_columns(User.id))
            .join(User, User.id == LoginSession.user_id)
            .where(LoginSession.token == bindparam("token")))


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
    uid, version, token = (user_id.split(".") + ["", ""])[:3]
    if not (uid.isdigit() and len(uid) <= 10 and token):
        return None
    found = db.session.execute(_by_token(), {"token": token}).first()
    if found is None:
        return None
    row, user, data_version, unread = found
    if row.user_id != int(uid) or row.ended_at is not None:
        return None
    now = utcnow()
    if now - row.created_at > _lifetime():
        end(row, "expired")
        db.session.commit()
        return None
    if str(user.session_version) != version:
        return None
    if now - row.last_seen_at > SEEN_EVERY:
        # End the reads first: on SQLite a read transaction that turns into a write fails at
        # once when another writer committed meanwhile; a fresh one waits its turn.
        db.session.commit()
        db.session.execute(update(LoginSession).where(LoginSession.id == row.id).values(last_seen_at=now))
        db.session.commit()
    user.login_token = token
    g._login_versions = (data_version or 0, unread or 0)  # read by a kept page, before its view runs
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
    cutoff = utcnow() - _lifetime()
    return list(db.session.scalars(
        select(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None),
                                   LoginSession.created_at > cutoff)
        .order_by(LoginSession.last_seen_at.desc())))


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

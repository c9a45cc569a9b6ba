"""Login throttling, counted in the database so the limit holds across processes."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from app.auth.models import LoginAttempt
from app.database import utcnow
from app.extensions import db


def _failures_since(column, value, since) -> int:
    # Failures after the last success for this key count; a success resets the counter.
    last_ok = db.session.scalar(
        select(func.max(LoginAttempt.at)).where(column == value, LoginAttempt.success.is_(True))
    )
    start = max(since, last_ok) if last_ok else since
    return db.session.scalar(
        select(func.count(LoginAttempt.id)).where(
            column == value, LoginAttempt.success.is_(False), LoginAttempt.at > start
        )
    )


def is_throttled(username: str, ip: str) -> bool:
    cfg = current_app.config
    since = utcnow() - timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
    username = username.strip().lower()
    if _failures_since(LoginAttempt.username, username, since) >= cfg["LOGIN_MAX_FAILURES_PER_USER"]:
        return True
    # Per address, successes of some accounts must not reset the count for others.
    ip_failures = db.session.scalar(
        select(func.count(LoginAttempt.id)).where(
            LoginAttempt.ip == ip, LoginAttempt.success.is_(False), LoginAttempt.at > since
        )
    )
    return ip_failures >= cfg["LOGIN_MAX_FAILURES_PER_IP"]


def note_attempt(username: str, ip: str, success: bool) -> None:
    db.session.add(LoginAttempt(username=username.strip().lower()[:80], ip=ip, success=success))
    db.session.flush()


def prune(days: int = 30) -> int:
    """Delete attempts older than `days`; returns how many were removed."""
    cutoff = utcnow() - timedelta(days=days)
    result = db.session.execute(db.delete(LoginAttempt).where(LoginAttempt.at < cutoff))
    return result.rowcount or 0

"""Login throttling, counted in the database so the limit holds across processes."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from app.auth.models import LoginAttempt
from app.database import utcnow
from app.extensions import db


def _failures_since(where, since) -> int:
    # Failures after the last success for this key count; a success resets the counter.
    last_ok = db.session.scalar(
        select(func.max(LoginAttempt.at)).where(where, LoginAttempt.success.is_(True))
    )
    start = max(since, last_ok) if last_ok else since
    return db.session.scalar(
        select(func.count(LoginAttempt.id)).where(where, LoginAttempt.success.is_(False), LoginAttempt.at > start)
    )


def is_throttled(username: str, ip: str) -> bool:
    """Locked for a while: too many failures for this account from this address, or from
    this address for any accounts. Failures from elsewhere never lock the account, so
    nobody can lock a colleague (or admin) out by failing on purpose."""
    cfg = current_app.config
    since = utcnow() - timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
    username = username.strip().lower()
    pair = (LoginAttempt.username == username) & (LoginAttempt.ip == ip)
    if _failures_since(pair, since) >= cfg["LOGIN_MAX_FAILURES_PER_USER"]:
        return True
    # Per address, successes of some accounts must not reset the count for others.
    ip_failures = db.session.scalar(
        select(func.count(LoginAttempt.id)).where(
            LoginAttempt.ip == ip, LoginAttempt.success.is_(False), LoginAttempt.at > since
        )
    )
    return ip_failures >= cfg["LOGIN_MAX_FAILURES_PER_IP"]


def slowdown(username: str) -> float:
    """Seconds to wait before answering: an account failing from many addresses is
    slowed down (a distributed guess), never locked."""
    cfg = current_app.config
    since = utcnow() - timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
    failures = _failures_since(LoginAttempt.username == username.strip().lower(), since)
    over = failures - cfg["LOGIN_SLOW_AFTER_FAILURES"]
    return 0.0 if over < 0 else min(cfg["LOGIN_MAX_DELAY_SECONDS"], 0.5 * 2 ** min(over, 6))


def note_attempt(username: str, ip: str, success: bool) -> None:
    db.session.add(LoginAttempt(username=username.strip().lower()[:80], ip=ip, success=success))
    db.session.flush()


def prune(days: int = 30) -> int:
    """Delete attempts older than `days`; returns how many were removed."""
    cutoff = utcnow() - timedelta(days=days)
    result = db.session.execute(db.delete(LoginAttempt).where(LoginAttempt.at < cutoff))
    return result.rowcount or 0

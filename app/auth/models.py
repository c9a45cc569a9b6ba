from datetime import datetime
from typing import Optional

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.database import utcnow
from app.extensions import db


class User(UserMixin, db.Model):
    """A login account. May be linked to one employee of the staff directory."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(40), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    can_record_trainings: Mapped[bool] = mapped_column(Boolean, default=False)
    can_issue_supplies: Mapped[bool] = mapped_column(Boolean, default=False)
    can_manage_equipment: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped on password change/reset/deactivation: logs out every other session.
    session_version: Mapped[int] = mapped_column(default=1)
    employee_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("employee.id"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[Optional[datetime]]

    employee = relationship("Employee", back_populates="account")

    # Flask-Login
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    # The server-side login (LoginSession.token) this object was loaded for or logged in
    # with; part of the id Flask-Login keeps in the session and remember-me cookies.
    login_token: str = ""

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}.{self.login_token}"

    @property
    def name(self) -> str:
        if self.employee:
            return self.employee.name
        return self.display_name or self.username

    @property
    def position(self):
        return self.employee.position if self.employee and self.employee.active else None

    def set_password(self, password: str) -> None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def snapshot(self) -> dict:
        return {
            "username": self.username,
            "display_name": self.display_name,
            "is_admin": self.is_admin,
            "can_record_trainings": self.can_record_trainings,
            "can_issue_supplies": self.can_issue_supplies,
            "can_manage_equipment": self.can_manage_equipment,
            "active": self.active,
            "employee": self.employee.employee_no if self.employee else None,
        }

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class LoginAttempt(db.Model):
    """Every login attempt, so throttling holds across server processes."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "at"),
        Index("ix_login_attempt_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    success: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginSession(db.Model):
    """One login on one device: kept on the server, so logging out, a password change or
    admin can end it for good (a replayed session or remember-me cookie names an ended
    record and is refused), and every login has an absolute lifetime."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    ended_at: Mapped[Optional[datetime]]
    ended_reason: Mapped[str] = mapped_column(String(20), default="")

    user = relationship("User")

"""Training requirements per position, external certificates, and new-hire onboarding."""
from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import utcnow
from app.extensions import db


class Requirement(db.Model):
    """A training a position requires (岗位培训要求): by category or by a named course;
    due within N days of hire or not; once or every N months; a certificate or not."""

    __tablename__ = "training_requirement"
    __table_args__ = (UniqueConstraint("position_id", "name", name="uq_training_requirement_position_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))  # 安全生产培训, 举升机操作证 …
    category_id: Mapped[Optional[int]] = mapped_column(ForeignKey("training_category.id"))
    course: Mapped[str] = mapped_column(String(120), default="")  # a session whose topic contains it
    due_days: Mapped[Optional[int]]  # within N days of hire (new hires)
    interval_months: Mapped[Optional[int]]  # repeated every N months; None: once
    certificate: Mapped[bool] = mapped_column(Boolean, default=False)  # fulfilled by a certificate with an expiry
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    position = relationship("Position")
    category = relationship("TrainingCategory")

    def snapshot(self) -> dict:
        return {"name": self.name, "category_id": self.category_id, "course": self.course,
                "due_days": self.due_days, "interval_months": self.interval_months,
                "certificate": self.certificate, "active": self.active}


class Certificate(db.Model):
    """An external certificate (外部证书) of an employee: 特种作业操作证, 电工证 …"""

    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    requirement_id: Mapped[Optional[int]] = mapped_column(ForeignKey("training_requirement.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    number: Mapped[str] = mapped_column(String(60), default="")
    issuer: Mapped[str] = mapped_column(String(80), default="")
    issued_on: Mapped[date]
    expires_on: Mapped[Optional[date]]
    scan_key: Mapped[Optional[str]] = mapped_column(String(32))
    scan_kind: Mapped[str] = mapped_column(String(10), default="")  # image / pdf
    scan_name: Mapped[str] = mapped_column(String(120), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    employee = relationship("Employee")
    requirement = relationship("Requirement")

    def snapshot(self) -> dict:
        return {"name": self.name, "number": self.number, "issuer": self.issuer,
                "issued_on": self.issued_on.isoformat(), "expires_on": self.expires_on.isoformat() if self.expires_on else None,
                "requirement_id": self.requirement_id}


class TrainingFulfils(db.Model):
    """A session marked explicitly as fulfilling a requirement (besides its category)."""

    __tablename__ = "training_fulfils"

    training_id: Mapped[int] = mapped_column(ForeignKey("training.id"), primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("training_requirement.id"), primary_key=True)


class OnboardingStep(db.Model):
    """A further onboarding step admin defines for a position (师傅带教, 安全告知 …)."""

    __tablename__ = "onboarding_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id"), index=True)
    title: Mapped[str] = mapped_column(String(60))
    due_days: Mapped[int] = mapped_column(default=7)
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Onboarding(db.Model):
    """An employee's onboarding (入职): the mentor, the manual steps done, the sign-off."""

    __tablename__ = "onboarding"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), unique=True)
    mentor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("employee.id"))
    signed_off_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    signed_off_at: Mapped[Optional[datetime]]
    sign_off_note: Mapped[str] = mapped_column(String(200), default="")
    # The steps still unfinished when it was signed off, acknowledged by the signer, as
    # shown then (["安全生产培训（已逾期）", …]); None or [] when none was.
    sign_off_open: Mapped[Optional[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    employee = relationship("Employee", foreign_keys=[employee_id])
    mentor = relationship("Employee", foreign_keys=[mentor_id])
    signed_off_by = relationship("User")


class OnboardingDone(db.Model):
    """A manual onboarding step marked done (the system cannot tell), with who and when."""

    __tablename__ = "onboarding_done"
    __table_args__ = (UniqueConstraint("onboarding_id", "step_id", name="uq_onboarding_done_step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    onboarding_id: Mapped[int] = mapped_column(ForeignKey("onboarding.id"), index=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("onboarding_step.id"))
    done_on: Mapped[date]
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    by = relationship("User")

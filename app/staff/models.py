import re
import unicodedata
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, Index, String, func, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import utcnow
from app.extensions import db
from app.org.models import Position


class Employee(db.Model):
    """A person in the staff directory. Not every employee has an account."""

    __tablename__ = "employee"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(40), index=True)
    position_id: Mapped[Optional[int]] = mapped_column(ForeignKey("position.id"), index=True)
    phone: Mapped[Optional[str]] = mapped_column(String(30))
    hire_date: Mapped[Optional[date]]
    # 服装尺码 (S … 4XL or 170/88A) and 鞋码 (e.g. 42): which variant of a sized item
    # (supplies/sizes.py) a slip pre-filled from the entitlements gives this person.
    clothing_size: Mapped[Optional[str]] = mapped_column(String(10))
    shoe_size: Mapped[Optional[str]] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    position = relationship("Position", back_populates="employees")
    account = relationship("User", back_populates="employee", uselist=False)

    def snapshot(self) -> dict:
        return {
            "employee_no": self.employee_no,
            "name": self.name,
            "position": self.position.title if self.position else None,
            "phone": self.phone,
            "hire_date": self.hire_date,
            "clothing_size": self.clothing_size,
            "shoe_size": self.shoe_size,
            "employed": self.active,  # 在职 (an account's "active" is 启用)
        }

    def __repr__(self) -> str:
        return f"<Employee {self.employee_no} {self.name}>"


def normalize_size(size: str | None) -> str:
    """One spelling per size: "４２码" / "42 码" / "42" → "42"; " xl " → "XL"; "170/88a" → "170/88A"."""
    text = unicodedata.normalize("NFKC", size or "").strip().upper()
    text = re.sub(r"\s+", "", text)
    return re.sub(r"(码|號|号)$", "", text)


class PositionTenure(db.Model):
    """A stretch of days an employee held a position (end inclusive; open while he holds
    it). Written by app/staff/tenure.py whenever an employee's position or active state
    changes, so that per-holder checklist items count a joiner or leaver only for the
    days he held the position."""

    __tablename__ = "position_tenure"
    __table_args__ = (Index("ix_position_tenure_position", "position_id", "start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id"))
    start: Mapped[date]
    end: Mapped[Optional[date]]

    employee = relationship("Employee")

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def head_counts() -> dict[int, int]:
    """Active employees per position id (在岗人数), counted by the database: the org chart
    shows them for every position, and loading everyone to count them cost more than
    drawing the chart."""
    return dict(db.session.execute(select(Employee.position_id, func.count(Employee.id))
                                   .where(Employee.active.is_(True)).group_by(Employee.position_id)).all())


def staff_rows(*also: int | None) -> list:
    """The active employees by number, and any employee of `also` who left (the former
    responsible person a form still shows), as plain rows (id, employee_no, name, title:
    his position's, None without one): what the pickers of everyone list, read without
    loading three hundred employees and their positions."""
    keep = [i for i in also if i]
    who = or_(Employee.active.is_(True), Employee.id.in_(keep)) if keep else Employee.active.is_(True)
    return db.session.execute(select(Employee.id, Employee.employee_no, Employee.name, Position.title)
                              .outerjoin(Position, Position.id == Employee.position_id)
                              .where(who).order_by(Employee.employee_no)).all()

from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, attributes, mapped_column, relationship

from app.database import statement, utcnow
from app.extensions import db


class Position(db.Model):
    """A job position (岗位). External positions (总经理, 董事长) sit outside the department."""

    __tablename__ = "position"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable key from the seed data file; NULL for positions created in the app.
    seed_key: Mapped[Optional[str]] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(60), unique=True)
    department: Mapped[str] = mapped_column(String(60), default="售后服务部")
    is_external: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    superior_lines: Mapped[list["ReportingLine"]] = relationship(
        foreign_keys="ReportingLine.subordinate_id",
        back_populates="subordinate",
        cascade="all, delete-orphan",
    )
    subordinate_lines: Mapped[list["ReportingLine"]] = relationship(
        foreign_keys="ReportingLine.superior_id",
        back_populates="superior",
        cascade="all, delete-orphan",
    )
    employees = relationship("Employee", back_populates="position")

    @property
    def superiors(self) -> list["Position"]:
        """In the order the lines were recorded: the document's order (总经理、董事长)."""
        return [l.superior for l in sorted(self.superior_lines, key=lambda l: l.id or 0)]

    @property
    def subordinates(self) -> list["Position"]:
        return [l.subordinate for l in sorted(self.subordinate_lines, key=lambda l: l.id or 0)]

    @property
    def active_employees(self):
        return sorted((e for e in self.employees if e.active), key=lambda e: e.employee_no)

    def __repr__(self) -> str:
        return f"<Position {self.title}>"


class ReportingLine(db.Model):
    """superior 直属上级 -> subordinate 直属下级. Many to many, never a cycle."""

    __tablename__ = "reporting_line"
    __table_args__ = (
        UniqueConstraint("superior_id", "subordinate_id", name="uq_reporting_line_pair"),
        CheckConstraint("superior_id <> subordinate_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    superior_id: Mapped[int] = mapped_column(ForeignKey("position.id"), index=True)
    subordinate_id: Mapped[int] = mapped_column(ForeignKey("position.id"), index=True)
    # True where the seed document does not state the line and it was inferred.
    inferred: Mapped[bool] = mapped_column(Boolean, default=False)

    superior: Mapped[Position] = relationship(
        foreign_keys=[superior_id], back_populates="subordinate_lines"
    )
    subordinate: Mapped[Position] = relationship(
        foreign_keys=[subordinate_id], back_populates="superior_lines"
    )


def ordered_positions(include_inactive: bool = False) -> list[Position]:
    """The positions in the org chart's order. Read once per GET request, all of them,
    active or not (a page asks for them from several places: the board, the overdue list,
    the confirmations, the inspection areas); the inactive ones are left out in Python."""
    from flask import g, has_request_context, request

    if has_request_context() and request.method == "GET":
        if "_ordered_positions" not in g:
            g._ordered_positions = list(db.session.scalars(_positions(True)))
        rows = g._ordered_positions
    else:
        rows = list(db.session.scalars(_positions(include_inactive)))
    return list(rows) if include_inactive else [p for p in rows if p.active]


@statement
def _positions(inactive_too: bool):
    stmt = select(Position).order_by(Position.is_external.desc(), Position.sort_order, Position.id)
    return stmt if inactive_too else stmt.where(Position.active.is_(True))


def with_lines(positions: list[Position]) -> list[Position]:
    """These positions with their reporting lines both ways, read in one statement (the org
    chart draws every line: two lazy loads per position otherwise). The positions a line
    names come from the session when ordered_positions has read them (it reads them all on
    a GET); any other is read on first use."""
    ups: dict[int, list[ReportingLine]] = {p.id: [] for p in positions}
    downs: dict[int, list[ReportingLine]] = {p.id: [] for p in positions}
    for line in db.session.scalars(_lines()):
        if line.subordinate_id in ups:
            ups[line.subordinate_id].append(line)
        if line.superior_id in downs:
            downs[line.superior_id].append(line)
    for p in positions:
        attributes.set_committed_value(p, "superior_lines", ups[p.id])
        attributes.set_committed_value(p, "subordinate_lines", downs[p.id])
    return positions


@statement
def _lines():
    return select(ReportingLine).order_by(ReportingLine.id)

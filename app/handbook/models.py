from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import utcnow
from app.extensions import db


class Duty(db.Model):
    """A numbered duty of a position, or a sub-item (parent set) of one.

    Rows keep their id across edits so later parts (checklist items) can link to them;
    a removed duty is deactivated, not deleted. Old wording lives in the revisions.
    """

    __tablename__ = "duty"

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id"), index=True)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("duty.id"), index=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The seed document ends mid-sentence in one duty; shown as such.
    truncated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    position = relationship("Position", backref="all_duties")
    parent: Mapped[Optional["Duty"]] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Duty"]] = relationship(back_populates="parent", order_by="Duty.sort_order")

    @property
    def items(self) -> list["Duty"]:
        return [c for c in self.children if c.active]


class PositionRevision(db.Model):
    """One saved state of a position: a readable snapshot, its author and time."""

    __tablename__ = "position_revision"
    __table_args__ = (UniqueConstraint("position_id", "number", name="uq_position_revision_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id"), index=True)
    number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    author_name: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(String(200), default="")
    snapshot: Mapped[Any] = mapped_column(JSON)
    # The duties the holders confirm, as a hash of the duties alone: a revision that only
    # renames asks nobody to re-read. A wording-only revision (文字修改: punctuation, a typo)
    # keeps the previous revision's, so the confirmations of that one still count.
    duties_hash: Mapped[str] = mapped_column(String(64))

    position = relationship("Position", backref="revisions")
    author = relationship("User")


class ReadConfirmation(db.Model):
    """“我已阅读并理解”: who confirmed which revision of their position, and when."""

    __tablename__ = "read_confirmation"
    __table_args__ = (UniqueConstraint("employee_id", "revision_id", name="uq_read_confirmation_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    revision_id: Mapped[int] = mapped_column(ForeignKey("position_revision.id"), index=True)
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)

    employee = relationship("Employee")
    user = relationship("User")
    revision = relationship("PositionRevision")


class GlossaryTerm(db.Model):
    """术语表: a term a new hire meets in the duties, explained plainly."""

    __tablename__ = "glossary_term"

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(60), unique=True)
    # Other spellings marked in duty text too, separated by "|" (e.g. "TACT工单").
    aliases: Mapped[str] = mapped_column(String(200), default="")
    explanation: Mapped[str] = mapped_column(Text)
    seed_key: Mapped[Optional[str]] = mapped_column(String(60), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def forms(self) -> list[str]:
        return [self.term] + [a.strip() for a in self.aliases.split("|") if a.strip()]

    def snapshot(self) -> dict:
        return {"term": self.term, "aliases": self.aliases, "explanation": self.explanation,
                "active": self.active}

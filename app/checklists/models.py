from datetime import datetime, time
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.checklists.schedule import ALL_DAYS, Rule
from app.database import utcnow
from app.extensions import db


class ChecklistItem(db.Model):
    """A recurring duty of a position that a supervisor ticks off (岗位点检项目)."""

    __tablename__ = "checklist_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id"), index=True)
    duty_id: Mapped[Optional[int]] = mapped_column(ForeignKey("duty.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # daily / weekly / monthly / yearly
    weekday: Mapped[Optional[int]]
    month_day: Mapped[Optional[int]]
    month_end: Mapped[bool] = mapped_column(Boolean, default=False)
    month: Mapped[Optional[int]]
    day: Mapped[Optional[int]]
    due_time: Mapped[Optional[time]]
    end_of_workday: Mapped[bool] = mapped_column(Boolean, default=False)
    # Working weekdays as digits, Monday=0: "0123456" (seven days) or e.g. "012345".
    working_days: Mapped[str] = mapped_column(String(7), default="0123456")
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    seed_key: Mapped[Optional[str]] = mapped_column(String(60), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    position = relationship("Position")
    duty = relationship("Duty")

    def rule(self) -> Rule:
        return Rule(
            kind=self.kind, weekday=self.weekday, month_day=self.month_day, month_end=self.month_end,
            month=self.month, day=self.day, due_time=self.due_time, end_of_workday=self.end_of_workday,
            working_days=frozenset(int(c) for c in (self.working_days or "")) or ALL_DAYS,
        )

    def snapshot(self) -> dict:
        return {
            "title": self.title, "kind": self.kind, "weekday": self.weekday, "month_day": self.month_day,
            "month_end": self.month_end, "month": self.month, "day": self.day,
            "due_time": self.due_time.strftime("%H:%M") if self.due_time else None,
            "end_of_workday": self.end_of_workday, "working_days": self.working_days,
            "duty_id": self.duty_id, "active": self.active, "sort_order": self.sort_order,
        }


class ChecklistMark(db.Model):
    """The state of one item in one period. At most one per (item, period): a double tap
    or two supervisors at once give one tick."""

    __tablename__ = "checklist_mark"
    __table_args__ = (
        UniqueConstraint("item_id", "period_key", name="uq_checklist_mark_item_period"),
        # The few unticked marks, for the overdue list (queried with `done = false`).
        Index("ix_checklist_mark_undone", "item_id", "period_key",
              sqlite_where=text("done = 0"), postgresql_where=text("done = false")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id"))
    period_key: Mapped[str] = mapped_column(String(12))
    # The due moment (local time) as it was when ticked: a later change of the item's
    # rule never rewrites past ticks.
    due_at: Mapped[datetime]
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    at: Mapped[Optional[datetime]]  # UTC
    note: Mapped[str] = mapped_column(String(200), default="")
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    # 自查 / 核查: the holder's self-check (点检人) before the supervisor confirms it (确认人,
    # the tick above) or returns it. review: "" none, "pending" 待核查, "returned" 已退回.
    self_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    self_at: Mapped[Optional[datetime]]  # UTC
    self_note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    review: Mapped[str] = mapped_column(String(10), default="", server_default="")
    review_note: Mapped[str] = mapped_column(String(200), default="", server_default="")

    item = relationship("ChecklistItem")
    by = relationship("User", foreign_keys=[by_id])
    self_by = relationship("User", foreign_keys=[self_by_id])


class ChecklistEvent(db.Model):
    """Every tick and untick, append-only: the history behind a mark."""

    __tablename__ = "checklist_event"
    __table_args__ = (Index("ix_checklist_event_item_period", "item_id", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id"))
    period_key: Mapped[str] = mapped_column(String(12))
    action: Mapped[str] = mapped_column(String(10))  # tick / untick / selfcheck / return
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime]  # UTC
    note: Mapped[str] = mapped_column(String(200), default="")
    late: Mapped[bool] = mapped_column(Boolean, default=False)

    user = relationship("User")

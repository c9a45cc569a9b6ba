from datetime import date, datetime, time
from functools import lru_cache
from typing import Optional

from sqlalchemy import Boolean, Float, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.checklists.schedule import ALL_DAYS, Rule, period_from_key
from app.database import utcnow
from app.extensions import db

# Whom an item is for: once for the position (any holder does it: 售后内勤's daily report),
# once for each employee holding the position (each 技师's bay 5S), or once for each piece
# of equipment in a selection (each lift's pre-use check; the register says which, see
# targets.py).
POSITION, HOLDER, EQUIPMENT = "position", "holder", "equipment"
TARGETS = {POSITION: "岗位一次", HOLDER: "每位在岗人员各一次", EQUIPMENT: "每台设备各一次"}


@lru_cache(maxsize=1024)
def _rule(kind, weekday, month_day, month_end, month, day, due_time, end_of_workday, working_days: str) -> Rule:
    """An item's rule as a value: the same columns give the same (immutable) Rule, built
    once per process rather than on every board for every item."""
    return Rule(kind=kind, weekday=weekday, month_day=month_day, month_end=month_end, month=month, day=day,
                due_time=due_time, end_of_workday=end_of_workday,
                working_days=frozenset(int(c) for c in working_days) or ALL_DAYS)


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
    # Whom the item is for (TARGETS): once for the position, or once for each holder. A
    # switch applies from the next period; target_changes keep when, so past periods are
    # counted as they were.
    target: Mapped[str] = mapped_column(String(10), default=POSITION, server_default=POSITION)
    # For an item for each piece of equipment: which equipment, as JSON ({"category": …,
    # "location": …}); read by the target's provider (targets.py). Empty otherwise.
    target_scope: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    position = relationship("Position")
    duty = relationship("Duty")
    fields = relationship("ChecklistField", back_populates="item", order_by="ChecklistField.sort_order, ChecklistField.id")
    target_changes = relationship("ChecklistTargetChange", order_by="ChecklistTargetChange.valid_from",
                                  cascade="all, delete-orphan")

    def target_on(self, day: date) -> str:
        """The target of the period starting on `day` (a period's start: switches take
        effect at period starts only)."""
        changes = self.target_changes
        if not changes:
            return self.target
        current = changes[0].previous
        for change in changes:
            if change.valid_from <= day:
                current = change.target
        return current

    def per_holder(self, period) -> bool:
        return self.target_on(period.start) == HOLDER

    def per_equipment(self, period) -> bool:
        return self.target_on(period.start) == EQUIPMENT

    @property
    def once_for_position(self) -> bool:
        """Done once for the position in every period, past and future (no target change):
        an occurrence is simply done or not, so a period's done count is all it takes."""
        return not self.target_changes and self.target == POSITION

    def per_subject(self, period) -> bool:
        """Done once per holder or once per piece of equipment (not once for the position)."""
        return self.target_on(period.start) != POSITION

    @property
    def scope(self) -> dict:
        """The selection of equipment of an item for each piece of equipment."""
        import json

        try:
            value = json.loads(self.target_scope or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def things_in(self, period_key: str) -> bool:
        """The subjects of the period named by key are pieces of equipment."""
        if not self.ever_per_equipment:
            return False

        try:
            return self.per_equipment(period_from_key(self.kind, period_key))
        except (ValueError, TypeError):
            return False

    @property
    def ever_per_equipment(self) -> bool:
        return self.target == EQUIPMENT or any(EQUIPMENT in (c.target, c.previous) for c in self.target_changes)

    def rule(self) -> Rule:
        return _rule(self.kind, self.weekday, self.month_day, self.month_end, self.month, self.day, self.due_time,
                     self.end_of_workday, self.working_days or "")

    def snapshot(self) -> dict:
        return {
            "title": self.title, "kind": self.kind, "weekday": self.weekday, "month_day": self.month_day,
            "month_end": self.month_end, "month": self.month, "day": self.day,
            "due_time": self.due_time.strftime("%H:%M") if self.due_time else None,
            "end_of_workday": self.end_of_workday, "working_days": self.working_days,
            "duty_id": self.duty_id, "active": self.active, "sort_order": self.sort_order,
            "for_whom": self.target,
            **({"equipment": self.scope} if self.target == EQUIPMENT else {}),
        }


class ChecklistTargetChange(db.Model):
    """A switch of an item between once for the position and once for each holder, from
    the first day of a period on (`previous` applied before it)."""

    __tablename__ = "checklist_target_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id"), index=True)
    valid_from: Mapped[date]
    previous: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(String(10))
    by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ChecklistMark(db.Model):
    """The state of one item in one period for one subject: the position itself
    (subject_id 0) or one holder (the employee's id). At most one per (item, period,
    subject): a double tap or two supervisors at once give one tick."""

    __tablename__ = "checklist_mark"
    __table_args__ = (
        UniqueConstraint("item_id", "period_key", "subject_id", name="uq_checklist_mark_occurrence"),
        # The few unticked marks, for the overdue list (queried with `done = false`).
        # The done marks, covering what the overdue figures count (`done = true`).
        Index("ix_checklist_mark_done", "item_id", "period_key", "subject_id",
              sqlite_where=text("done = 1"), postgresql_where=text("done = true")),
        # The few self-checks waiting for confirmation (待核查), for the supervisors' workspace.
        Index("ix_checklist_mark_pending", "item_id", "self_at",
              sqlite_where=text("review = 'pending'"), postgresql_where=text("review = 'pending'")),
        Index("ix_checklist_mark_undone", "item_id", "period_key",
              sqlite_where=text("done = 0"), postgresql_where=text("done = false")),
        # A few people's marks over a range of periods (marks.pairs_clause).
        Index("ix_checklist_mark_item_subject", "item_id", "subject_id", "period_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id"))
    period_key: Mapped[str] = mapped_column(String(12))
    subject_id: Mapped[int] = mapped_column(default=0, server_default="0")
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
    # The event (tick or self-check) whose recorded values (figures, photos, minutes) are
    # this occurrence's results; earlier values stay with their own events.
    values_event_id: Mapped[Optional[int]] = mapped_column(ForeignKey("checklist_event.id"))

    item = relationship("ChecklistItem")
    by = relationship("User", foreign_keys=[by_id])
    self_by = relationship("User", foreign_keys=[self_by_id])


class ChecklistTally(db.Model):
    """How many subjects of one occurrence (item, period) are done: what the overdue
    figures and the rates count, read as one row per occurrence instead of a GROUP BY over
    every person's mark. Kept by database triggers on checklist_mark (migration
    e1f2a3b4c527), so it follows every change of a mark however it is made: a tick in the
    app, the demo's bulk inserts, or SQL by hand. `due_at` is the due moment of the first
    mark written (every mark of an occurrence lies in its period), for range reads."""

    __tablename__ = "checklist_tally"
    __table_args__ = (Index("ix_checklist_tally_item_due", "item_id", "due_at"),)

    item_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    period_key: Mapped[str] = mapped_column(String(12), primary_key=True)
    due_at: Mapped[datetime]
    done: Mapped[int] = mapped_column(default=0)


class ChecklistEvent(db.Model):
    """Every tick and untick, append-only: the history behind a mark."""

    __tablename__ = "checklist_event"
    __table_args__ = (Index("ix_checklist_event_item_period", "item_id", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id"))
    period_key: Mapped[str] = mapped_column(String(12))
    subject_id: Mapped[int] = mapped_column(default=0, server_default="0")  # as on the mark
    action: Mapped[str] = mapped_column(String(10))  # tick / untick / selfcheck / return
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime]  # UTC
    note: Mapped[str] = mapped_column(String(200), default="")
    late: Mapped[bool] = mapped_column(Boolean, default=False)

    user = relationship("User")


class ChecklistField(db.Model):
    """What an item asks for when it is ticked (回厂率 %, 预约台次, 会议纪要, 照片 …).
    A changed field keeps the values entered before under their own definition: every
    value carries a copy of the definition it was entered with."""

    __tablename__ = "checklist_field"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id"), index=True)
    label: Mapped[str] = mapped_column(String(40))
    # number / count / yesno / choice / text / minutes / photo / file
    kind: Mapped[str] = mapped_column(String(10))
    unit: Mapped[str] = mapped_column(String(10), default="")
    decimals: Mapped[int] = mapped_column(default=0)
    min_value: Mapped[Optional[float]] = mapped_column(Float)
    max_value: Mapped[Optional[float]] = mapped_column(Float)
    target: Mapped[Optional[float]] = mapped_column(Float)
    target_dir: Mapped[str] = mapped_column(String(2), default="ge")  # ge: at least; le: at most
    choices: Mapped[str] = mapped_column(String(500), default="")  # one per line
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    # A yes/no point whose 否 is a fault (举升机安全锁止有效？否): the line offers 报修.
    fault_on_no: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    seed_key: Mapped[Optional[str]] = mapped_column(String(60), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    item = relationship("ChecklistItem", back_populates="fields")

    def choice_list(self) -> list[str]:
        return [c.strip() for c in (self.choices or "").splitlines() if c.strip()]

    def snapshot(self) -> dict:
        return {"label": self.label, "kind": self.kind, "unit": self.unit, "decimals": self.decimals,
                "min_value": self.min_value, "max_value": self.max_value, "target": self.target,
                "target_dir": self.target_dir, "choices": self.choice_list(), "required": self.required,
                "active": self.active, "fault_on_no": self.fault_on_no}


class ChecklistValue(db.Model):
    """One recorded value of a field, stored with the tick or self-check event that entered
    it (several rows for several photos). Append-only: an untick or a later tick adds
    events, it never changes these rows."""

    __tablename__ = "checklist_value"
    __table_args__ = (Index("ix_checklist_value_item_period", "item_id", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("checklist_event.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id"))
    period_key: Mapped[str] = mapped_column(String(12))
    subject_id: Mapped[int] = mapped_column(default=0, server_default="0")  # as on the mark
    field_id: Mapped[int] = mapped_column(ForeignKey("checklist_field.id"), index=True)
    # The field's definition when the value was entered.
    label: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10))
    unit: Mapped[str] = mapped_column(String(10), default="")
    decimals: Mapped[int] = mapped_column(default=0)
    min_value: Mapped[Optional[float]] = mapped_column(Float)
    max_value: Mapped[Optional[float]] = mapped_column(Float)
    target: Mapped[Optional[float]] = mapped_column(Float)
    target_dir: Mapped[str] = mapped_column(String(2), default="ge")
    # The value: a number (number, count, yes/no as 1/0), a text (choice, text, minutes),
    # or a stored upload (photo, file).
    number: Mapped[Optional[float]] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text, default="")
    attendees: Mapped[str] = mapped_column(String(500), default="")  # minutes: names, 、-separated
    file_key: Mapped[Optional[str]] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(String(120), default="")
    file_mime: Mapped[str] = mapped_column(String(100), default="")
    file_size: Mapped[int] = mapped_column(default=0)
    sort_order: Mapped[int] = mapped_column(default=0)

"""Inspections (5S检查、厂家审核自查): templates and their versions, inspections with their
answers and photos, and the corrective actions (整改) of their findings with their history.
Nothing here is ever deleted: a template is retired, an action cancelled with its reason."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import utcnow
from app.extensions import db

DRAFT, SUBMITTED = "draft", "submitted"
INSPECTION_STATES = {DRAFT: "草稿", SUBMITTED: "已提交"}
OPEN, DONE, CLOSED, CANCELLED = "open", "done", "closed", "cancelled"
ACTION_STATES = {OPEN: "待整改", DONE: "待验证", CLOSED: "已关闭", CANCELLED: "已取消"}


class InspectionTemplate(db.Model):
    """A template family (车间5S检查); its content lives in versions."""

    __tablename__ = "inspection_template"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[Optional[str]] = mapped_column(String(40), unique=True)  # shipped templates: their data key
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(10), default="5s")  # 5s / audit / safety
    example: Mapped[bool] = mapped_column(Boolean, default=False)  # a shipped example to adapt
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # retired: no new inspections
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # newest last; the newest is the one new inspections use
    versions = relationship("TemplateVersion", order_by="TemplateVersion.number", viewonly=True)

    @property
    def current(self):
        return self.versions[-1] if self.versions else None


class TemplateVersion(db.Model):
    """One version of a template: its sections and items as a snapshot (JSON) that never
    changes once an inspection used it; editing makes a new version."""

    __tablename__ = "inspection_template_version"
    __table_args__ = (UniqueConstraint("template_id", "number", name="uq_inspection_template_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("inspection_template.id"))
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(80))
    pass_mark: Mapped[int] = mapped_column(default=85)  # percent
    content: Mapped[dict] = mapped_column(JSON)  # {"sections": [{"title", "items": [{...}]}]}
    note: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    template = relationship("InspectionTemplate")

    def items(self) -> list[dict]:
        return [item for s in self.content.get("sections", []) for item in s.get("items", [])]

    def item(self, key: str) -> dict | None:
        return next((i for i in self.items() if i["key"] == key), None)


class Inspection(db.Model):
    __tablename__ = "inspection"
    # sqlite_autoincrement: a deleted draft's number (named in the audit log) is never reused
    __table_args__ = (Index("ix_inspection_area_submitted", "area_key", "submitted_at"),
                      Index("ix_inspection_state_started", "state", "started_at"),
                      {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("inspection_template_version.id"), index=True)
    area_key: Mapped[str] = mapped_column(String(40))
    area_name: Mapped[str] = mapped_column(String(80))  # as it was called then
    state: Mapped[str] = mapped_column(String(10), default=DRAFT)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[Optional[datetime]]
    score: Mapped[Optional[float]] = mapped_column(Float)  # percent, kept with the submit
    passed: Mapped[Optional[bool]]
    section_scores: Mapped[Optional[list]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")

    version = relationship("TemplateVersion")
    inspector = relationship("User")
    answers = relationship("InspectionAnswer", order_by="InspectionAnswer.id", back_populates="inspection")
    photos = relationship("InspectionPhoto", order_by="InspectionPhoto.id", back_populates="inspection")

    @property
    def state_label(self) -> str:
        return INSPECTION_STATES.get(self.state, self.state)


class InspectionAnswer(db.Model):
    __tablename__ = "inspection_answer"
    __table_args__ = (UniqueConstraint("inspection_id", "item_key", name="uq_inspection_answer_item"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"))
    item_key: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(20), default="")  # pass/fail/na, yes/no, a number
    note: Mapped[str] = mapped_column(String(500), default="")
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    inspection = relationship("Inspection", back_populates="answers")


class InspectionPhoto(db.Model):
    """A photo of an item (before) or of an action's result (after); a stored upload."""

    __tablename__ = "inspection_photo"
    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    item_key: Mapped[str] = mapped_column(String(40))
    action_id: Mapped[Optional[int]] = mapped_column(ForeignKey("inspection_action.id"), index=True)
    key: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    inspection = relationship("Inspection", back_populates="photos")


class CorrectiveAction(db.Model):
    """整改: what must be done about a finding (a failed item), by whom and by when."""

    __tablename__ = "inspection_action"
    __table_args__ = (Index("ix_inspection_action_state_due", "state", "due_on"),
                      Index("ix_inspection_action_assignee", "assignee_id", "state"))
    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    item_key: Mapped[str] = mapped_column(String(40))
    finding: Mapped[str] = mapped_column(String(300))  # the item's question, as it was
    what: Mapped[str] = mapped_column(String(500))
    assignee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    due_on: Mapped[date]
    state: Mapped[str] = mapped_column(String(10), default=OPEN)
    done_note: Mapped[str] = mapped_column(String(500), default="")
    reason: Mapped[str] = mapped_column(String(500), default="")  # the last reopen's or the cancel's
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[Optional[datetime]]
    closed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))

    inspection = relationship("Inspection")
    assignee = relationship("Employee")
    created_by = relationship("User", foreign_keys=[created_by_id])
    closed_by = relationship("User", foreign_keys=[closed_by_id])
    events = relationship("ActionEvent", order_by="ActionEvent.id")
    after_photos = relationship("InspectionPhoto", order_by="InspectionPhoto.id", viewonly=True)

    @property
    def state_label(self) -> str:
        return ACTION_STATES.get(self.state, self.state)

    def overdue(self, today: date) -> bool:
        return self.state == OPEN and self.due_on < today


class ActionEvent(db.Model):
    """An action's history, append-only: assigned, done, closed, reopened, cancelled."""

    __tablename__ = "inspection_action_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("inspection_action.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(500), default="")
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")


EVENT_LABELS = {"assign": "下达整改", "done": "整改完成", "close": "验证关闭", "reopen": "退回重改", "cancel": "取消",
                "reassign": "改派"}

from datetime import date, datetime, time
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import utcnow
from app.extensions import db

PLANNED, DONE = "planned", "done"
STATUS_LABELS = {PLANNED: "计划中", DONE: "已完成"}
PENDING, SIGNED, LEAVE, ABSENT = "pending", "signed", "leave", "absent"
SIGN_LABELS = {PENDING: "未签到", SIGNED: "已签到", LEAVE: "请假", ABSENT: "缺席"}
PHOTO, SIGNIN_SCAN, MATERIAL = "photo", "signin", "material"


class TrainingCategory(db.Model):
    __tablename__ = "training_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


def hours_between(start, end) -> float:
    """A session's length in hours, from its start and end times of day."""
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return round(max(minutes, 0) / 60, 2)


class Training(db.Model):
    """A training session (培训) with its report, attendees, photos and materials."""

    __tablename__ = "training"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(120))
    category_id: Mapped[int] = mapped_column(ForeignKey("training_category.id"), index=True)
    held_on: Mapped[date] = mapped_column(index=True)
    start_time: Mapped[time]
    end_time: Mapped[time]
    place: Mapped[str] = mapped_column(String(80), default="")
    trainer_employee_id: Mapped[Optional[int]] = mapped_column(ForeignKey("employee.id"), index=True)
    trainer_name: Mapped[str] = mapped_column(String(60), default="")  # an outside trainer
    organiser: Mapped[str] = mapped_column(String(60), default="")
    content: Mapped[str] = mapped_column(Text, default="")   # 培训内容
    outcome: Mapped[str] = mapped_column(Text, default="")   # 培训效果
    status: Mapped[str] = mapped_column(String(10), default=PLANNED)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    category = relationship("TrainingCategory")
    trainer_employee = relationship("Employee")
    created_by = relationship("User")
    attendees: Mapped[list["Attendee"]] = relationship(back_populates="training", order_by="Attendee.sort_order, Attendee.id",
                                                       cascade="all, delete-orphan")
    files: Mapped[list["TrainingFile"]] = relationship(back_populates="training", order_by="TrainingFile.sort_order, TrainingFile.id")

    @property
    def trainer(self) -> str:
        return self.trainer_employee.name if self.trainer_employee else self.trainer_name

    @property
    def hours(self) -> float:
        return hours_between(self.start_time, self.end_time)

    def live_files(self, kind: str) -> list["TrainingFile"]:
        return [f for f in self.files if f.kind == kind and f.deleted_at is None]

    def snapshot(self) -> dict:
        return {"topic": self.topic, "category": self.category.name if self.category else None,
                "held_on": self.held_on, "start": self.start_time.strftime("%H:%M"), "end": self.end_time.strftime("%H:%M"),
                "place": self.place, "trainer": self.trainer, "organiser": self.organiser, "status": self.status,
                "content": self.content, "outcome": self.outcome}


class Attendee(db.Model):
    """A person expected at a training: from the staff directory or an outside name."""

    __tablename__ = "training_attendee"
    # Cover the coverage evidence's passes (no table lookup per attendance): over each
    # employee's signed attendances, and over the sessions of the last year (the matrix).
    __table_args__ = (Index("ix_training_attendee_evidence", "employee_id", "status", "training_id", "passed"),
                      Index("ix_training_attendee_session_signed", "training_id", "status", "passed", "employee_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("training.id"), index=True)
    employee_id: Mapped[Optional[int]] = mapped_column(ForeignKey("employee.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    position_title: Mapped[str] = mapped_column(String(60), default="")  # as it was then
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    signed_at: Mapped[Optional[datetime]]
    score: Mapped[str] = mapped_column(String(20), default="")  # a number, 合格 or 不合格
    passed: Mapped[Optional[bool]]
    feedback: Mapped[str] = mapped_column(String(200), default="")
    sort_order: Mapped[int] = mapped_column(default=0)

    training = relationship("Training", back_populates="attendees")
    employee = relationship("Employee")


class TrainingLatest(db.Model):
    """Each employee's latest held session per category that he signed in to and did not
    fail: what the coverage matrix and the trainings expiring ask of three years of
    attendances, as one row per pair. Kept by database triggers on training_attendee and
    training (migration a7c9e1f3b258), so it follows every change however it is made: a
    sign-in in the app, the demo's bulk inserts, or SQL by hand."""

    __tablename__ = "training_latest"

    employee_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    category_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    held_on: Mapped[Optional[date]]  # NULL only inside a trigger, before the row goes


class TrainingFile(db.Model):
    """A photo, a scanned sign-in sheet page or a material. Deletes are soft."""

    __tablename__ = "training_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("training.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(32), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    mime: Mapped[str] = mapped_column(String(120), default="image/jpeg")
    size: Mapped[int] = mapped_column(default=0)
    width: Mapped[Optional[int]]
    height: Mapped[Optional[int]]
    caption: Mapped[str] = mapped_column(String(120), default="")
    sort_order: Mapped[int] = mapped_column(default=0)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[Optional[datetime]]
    deleted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))

    training = relationship("Training", back_populates="files")
    uploaded_by = relationship("User", foreign_keys=[uploaded_by_id])
    deleted_by = relationship("User", foreign_keys=[deleted_by_id])

    @property
    def is_pdf(self) -> bool:
        """A sign-in scan the copier made as a PDF (kept as handed in, like a material)."""
        return self.mime == "application/pdf"

    @property
    def is_image(self) -> bool:
        return self.kind == "photo" or (self.kind == "signin" and not self.is_pdf) or self.mime.startswith("image/")

    @property
    def stored_as_file(self) -> bool:
        """Kept byte for byte ("<key>.bin"), not as JPEGs in three sizes."""
        return self.kind == "material" or self.is_pdf

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import utcnow
from app.extensions import db


class Notice(db.Model):
    """站内通知: something that waits for one user, with a link to it.

    `key` names the event (e.g. "req-decide:12", "overdue:5:2026-11-27"): one notice per
    user and key, so an event noticed twice (a page viewed again, `notices send-due` run
    twice, two workers at once) gives one notice."""

    __tablename__ = "notice"
    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_notice_user_key"),
        Index("ix_notice_user_unread", "user_id", "read_at"),
        # settle(): an event dealt with marks its unread notices read, found by key among
        # the unread ones (the read pile up over the years; the unread stay few)
        Index("ix_notice_unread_key", "key", sqlite_where=text("read_at IS NULL"),
              postgresql_where=text("read_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(300))
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[Optional[datetime]]
    # the event was dealt with (rules.settle) while the notice was unread: the list says 已处理
    settled_at: Mapped[Optional[datetime]]


class WebhookTarget(db.Model):
    """A 企业微信 or 钉钉 group robot that also receives the notices' events: for the whole
    department (position_id NULL) or for one position's group."""

    __tablename__ = "webhook_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[Optional[int]] = mapped_column(ForeignKey("position.id"))
    url: Mapped[str] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    position = relationship("Position")


class WebhookDelivery(db.Model):
    """One push of one event to one robot: an outbox row, written in the same transaction
    as the notice and sent afterwards by the worker (app/notices/outbox.py).

    status: pending (waits for `next_try_at`) → sending (claimed by a worker until
    `lease_until`; a worker that died leaves it to be claimed again once the lease ran
    out) → sent, or failed after its tries (listed for admin with a short reason)."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_status_next", "status", "next_try_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("webhook_target.id"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10))  # pending / sending / sent / failed
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_try_at: Mapped[Optional[datetime]]
    lease_until: Mapped[Optional[datetime]]
    claimed_by: Mapped[str] = mapped_column(String(32), default="", server_default="")
    finished_at: Mapped[Optional[datetime]]

    target = relationship("WebhookTarget")


class JobRun(db.Model):
    """One run of a periodic job (app/jobs/schedule.py) for one slot of its period: the unique
    (job, slot) key is inserted before the job runs, so two worker processes never run
    the same job for the same moment."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "slot", name="uq_job_run_job_slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    slot: Mapped[datetime]  # the start of the period (naive UTC)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[Optional[datetime]]
    status: Mapped[str] = mapped_column(String(10), default="running")  # running / done / failed
    result: Mapped[str] = mapped_column(String(300), default="")

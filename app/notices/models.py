from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(300))
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[Optional[datetime]]

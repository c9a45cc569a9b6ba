"""Demo data of the handbook part (`flask --app wsgi seed-demo`, app.demo.seed_demo)."""

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.handbook.confirmations import confirm, needs_confirmation
from app.handbook.drafts import adopt, base_number, draft_for
from app.handbook.revisions import current_revision
from app.org.models import Position


def seed_confirmations() -> list[str]:
    """Some demo employees have confirmed their position's current revision, some not."""
    report = []
    for username in ("lijing", "zhaomin", "zhangwei"):
        user = db.session.scalar(select(User).filter_by(username=username))
        if user is None or user.position is None or not needs_confirmation(user, user.position):
            continue

        confirm(user, user.position, current_revision(user.position).number)
        report.append(f"  {user.name} 已确认阅读「{user.position.title}」")
    if report:
        report.insert(0, "阅读确认（陈晓燕、王建国等其余人员尚未确认）：")
    return report


def adopt_technician_draft() -> list[str]:
    """The demo adopts the reference draft for 技师 (as admin would), so the workshop has
    its daily items (工位5S with a photo) to tick and self-check."""
    tech = db.session.scalar(select(Position).filter_by(seed_key="technician"))
    author = db.session.scalar(select(User).where(User.is_admin.is_(True)).order_by(User.id))
    if tech is None or author is None or draft_for(tech) is None:
        return []
    adopt(tech, author, base_number(tech))
    db.session.flush()
    return ["岗位职责：采用了「技师」的参考草稿（含工位5S等点检项目）。"]


def demo(fresh: bool) -> list[str]:
    """`fresh`: the demo staff was created by this run."""
    return seed_confirmations() + adopt_technician_draft() if fresh else []

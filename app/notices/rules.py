"""站内通知: who is told what, once.

`notify` adds a notice per user for an event key inside the caller's transaction, with
INSERT … ON CONFLICT DO NOTHING on (user, key): an event noticed twice — a repeated run of
`notices send-due`, two workers at once — gives one notice. The functions below name the
events of the four parts and their recipients; the parts call them where the event
happens, so the notice commits (or rolls back) with it.
"""
from datetime import datetime

from flask import current_app, has_request_context, url_for as flask_url_for
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import clock
from app.auth.models import User
from app.database import statement, utcnow
from app.extensions import db
from app.notices import webhook
from app.notices.models import Notice
from app.permissions import stands_in_for_supervisors, supervising_position_ids
from app.parts import notice_rules
from app.staff.models import Employee

def url_for(endpoint: str, **values) -> str:
    """A link path, also outside a request (the CLI, the demo seed)."""
    if has_request_context():
        return flask_url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return flask_url_for(endpoint, **values)


def notify(users, key: str, kind: str, text: str, link: str = "", *, push: str = "",
           position_id: int | None = None) -> int:
    """One notice per (active) user for this event key; returns how many were new. `push`:
    the event as a group robot should say it (webhook.py), sent once, for a new event."""
    ids = sorted({u.id for u in users if u is not None and u.active})
    if not ids:
        return 0
    rows = [{"user_id": uid, "key": key[:80], "kind": kind, "text": text[:300], "link": link[:300],
             "created_at": utcnow()} for uid in ids]
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(Notice).values(rows).on_conflict_do_nothing(index_elements=["user_id", "key"])
    # the ids of the rows inserted (a skipped conflict returns none): rowcount is -1 for
    # this statement on PostgreSQL
    new = len(db.session.execute(stmt.returning(Notice.id)).all())
    if new and push:
        webhook.queue(push, link, position_id)
    return new


def unread_count(user) -> int:
    """The badge of every page's header."""
    return db.session.scalar(_unread(), {"user": user.id}) or 0


@statement
def _unread():
    return select(func.count(Notice.id)).where(Notice.user_id == bindparam("user"), Notice.read_at.is_(None))


def mark_read(user, notice_id: int | None = None) -> int:
    stmt = update(Notice).where(Notice.user_id == user.id, Notice.read_at.is_(None)).values(read_at=utcnow())
    if notice_id is not None:
        stmt = stmt.where(Notice.id == notice_id)
    return db.session.execute(stmt).rowcount or 0


# --- recipients ---------------------------------------------------------------------------

def account_of(employee) -> User | None:
    return employee.account if employee is not None and employee.active else None


def accounts_of(employee_ids) -> list[User]:
    """The active accounts of these employees (active ones), in one query."""
    ids = {i for i in employee_ids if i}
    if not ids:
        return []
    return list(db.session.scalars(select(User).join(Employee, User.employee_id == Employee.id).where(
        Employee.id.in_(ids), Employee.active.is_(True), User.active.is_(True))))


def supervisors_of(position) -> list[User]:
    """The active accounts that supervise the position (app/permissions.py decides who):
    those of the active holders of the positions above it — an admin among them too —
    or, when nobody holds one, the accounts that stand in for them (admins)."""
    above = supervising_position_ids(position)
    found = list(db.session.scalars(select(User).join(Employee, User.employee_id == Employee.id).where(
        Employee.position_id.in_(above), Employee.active.is_(True), User.active.is_(True)))) if above else []
    return found or [u for u in db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id))
                     if stands_in_for_supervisors(u)]


def holders_of(position) -> list[User]:
    return list(db.session.scalars(select(User).join(Employee, User.employee_id == Employee.id).where(
        Employee.position_id == position.id, Employee.active.is_(True), User.active.is_(True))))


# --- events of the parts ------------------------------------------------------------------

def _items_asked(req) -> str:
    """What a requisition asks for, each item once, shortened: a line of a notice."""
    names = "、".join(dict.fromkeys(line.item.name for line in req.lines))
    return f"{names[:60]}{'…' if len(names) > 60 else ''}"


def requisition_submitted(req) -> None:
    position = req.employee.position
    if position is None:
        return
    deciders = [u for u in supervisors_of(position) if u.employee_id != req.employee_id]
    notify(deciders, f"req-decide:{req.id}", "requisition",
           f"{req.employee.name} 提交了物资申领 #{req.id}（{_items_asked(req)}），等待您审批。"[:300],
           url_for("supplies.requisition", req_id=req.id),
           push=f"【物资申领待审批】{req.employee.name}（{position.title}）提交了物资申领。", position_id=position.id)


def settle(key: str) -> None:
    """The event is dealt with (by whoever): its notices count as read for everyone."""
    settle_all(keys=[key])


def settle_all(keys=(), prefixes=()) -> None:
    """Events dealt with: the notices of these keys, and of every key that starts with one
    of these prefixes (an action's notices of each round: insp-action-done:7:…), count as
    read for everyone."""
    which = [Notice.key.in_(list(keys))] if keys else []
    which += [Notice.key.startswith(p, autoescape=True) for p in prefixes]
    if which:
        now = utcnow()
        db.session.execute(update(Notice).where(Notice.read_at.is_(None), or_(*which))
                           .values(read_at=now, settled_at=now))


def duties_confirmed(user, position) -> None:
    """The user confirmed his position's current duties: his notices asking for it are done
    (each holder confirms for himself, so only his own)."""
    now = utcnow()
    db.session.execute(update(Notice).where(Notice.user_id == user.id, Notice.read_at.is_(None),
                                            Notice.key.like(f"revision:{position.id}:%"))
                       .values(read_at=now, settled_at=now))


def requisition_decided(req, approved: bool, note: str = "") -> None:
    settle(f"req-decide:{req.id}")  # one supervisor decided: the others need not
    names = _items_asked(req)
    what = f"您的物资申领（{names}）" if names else "您的物资申领"
    text = f"{what}已批准，可到车间文员处领取。" if approved else f"{what}已被驳回，理由：{note.strip()[:120]}"
    notify([account_of(req.employee)], f"req-decided:{req.id}", "requisition", text[:300],
           url_for("supplies.requisition", req_id=req.id))


def requisition_issued(req, slip) -> None:
    notify([account_of(req.employee)], f"req-issued:{req.id}:{slip.id}", "requisition",
           f"您申领的物资已发放（领用单 {slip.number}）。", url_for("supplies.requisition", req_id=req.id))


def revision_published(position, revision) -> None:
    notify(holders_of(position), f"revision:{position.id}:{revision.number}", "revision",
           f"您的岗位「{position.title}」职责已更新为第 {revision.number} 版，请阅读并确认。",
           url_for("handbook.position", position_id=position.id),
           push=f"【岗位职责更新】「{position.title}」已更新为第 {revision.number} 版，请本岗位员工阅读并确认。",
           position_id=position.id)


def training_attendees_added(training, attendees) -> None:
    when = f"{training.held_on:%m月%d日}" + (f" {training.start_time:%H:%M}" if training.start_time else "")
    notify(accounts_of(a.employee_id for a in attendees), f"training-add:{training.id}", "training",
           f"您已被安排参加培训「{training.topic}」（{when}{'，' + training.place if training.place else ''}）。",
           url_for("trainings.detail", training_id=training.id))


def training_changed(training, what: str) -> None:
    stamp = utcnow().strftime("%Y%m%d%H%M%S")
    notify(accounts_of(a.employee_id for a in training.attendees), f"training-change:{training.id}:{stamp}", "training",
           f"培训「{training.topic}」{what}。", url_for("trainings.detail", training_id=training.id),
           push=f"【培训变更】「{training.topic}」{what}。")


# --- the hourly run: what is due, from every part ---------------------------------------------

def send_due(now: datetime | None = None) -> dict[str, int]:
    """Runs every part's notice rules (app.parts.NoticeRule: checklist items overdue,
    entitlements due, trainings and certificates expiring, …) and returns how many notices
    each made. Safe to run as often as wanted: each rule notices each thing and state once."""
    now = now or clock.local_now()
    return {rule.key: rule.run(now) for rule in notice_rules()}


def send_due_job() -> str:
    counts = send_due()
    return "新通知：" + "，".join(f"{rule.label} {counts[rule.key]} 条" for rule in notice_rules()) + "。"

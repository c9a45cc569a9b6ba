"""站内通知: who is told what, once.

`notify` adds a notice per user for an event key inside the caller's transaction, with
INSERT … ON CONFLICT DO NOTHING on (user, key): an event noticed twice — a repeated run of
`notices send-due`, two workers at once — gives one notice. The functions below name the
events of the four parts and their recipients; the parts call them where the event
happens, so the notice commits (or rolls back) with it.
"""
from datetime import datetime, timedelta

from flask import current_app, has_request_context, url_for as flask_url_for
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import clock
from app.auth.models import User
from app.database import utcnow
from app.extensions import db
from app.notices.models import Notice
from app.staff.models import Employee

KIND_LABELS = {"requisition": "申领", "revision": "岗位职责", "training": "培训", "overdue": "点检逾期",
               "entitlement": "劳保", "selfcheck": "自查", "coverage": "培训到期", "reminder": "点检提醒"}


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
        from app.notices import webhook

        webhook.queue(push, link, position_id)
    return new


def unread_count(user) -> int:
    return db.session.scalar(select(func.count(Notice.id)).where(Notice.user_id == user.id,
                                                                  Notice.read_at.is_(None))) or 0


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
    """The active accounts that supervise the position — held by someone in a position
    above it (admins only when nobody does), in two queries."""
    from app.org.chart import _edges, positions_below

    edges = _edges()
    above = [pid for pid in edges if position.id in positions_below(pid, edges)]
    found = list(db.session.scalars(select(User).join(Employee, User.employee_id == Employee.id).where(
        Employee.position_id.in_(above), Employee.active.is_(True), User.active.is_(True),
        User.is_admin.is_(False)))) if above else []
    return found or list(db.session.scalars(select(User).where(User.is_admin.is_(True), User.active.is_(True))))


def holders_of(position) -> list[User]:
    return list(db.session.scalars(select(User).join(Employee, User.employee_id == Employee.id).where(
        Employee.position_id == position.id, Employee.active.is_(True), User.active.is_(True))))


# --- events of the parts ------------------------------------------------------------------

def requisition_submitted(req) -> None:
    position = req.employee.position
    if position is None:
        return
    deciders = [u for u in supervisors_of(position) if u.employee_id != req.employee_id]
    notify(deciders, f"req-decide:{req.id}", "requisition", f"{req.employee.name} 提交了物资申领，等待您审批。",
           url_for("supplies.requisition", req_id=req.id),
           push=f"【物资申领待审批】{req.employee.name}（{position.title}）提交了物资申领。", position_id=position.id)


def settle(key: str) -> None:
    """The event is dealt with (by whoever): its notices count as read for everyone."""
    db.session.execute(update(Notice).where(Notice.key == key, Notice.read_at.is_(None)).values(read_at=utcnow()))


def duties_confirmed(user, position) -> None:
    """The user confirmed his position's current duties: his notices asking for it are done
    (each holder confirms for himself, so only his own)."""
    db.session.execute(update(Notice).where(Notice.user_id == user.id, Notice.read_at.is_(None),
                                            Notice.key.like(f"revision:{position.id}:%"))
                       .values(read_at=utcnow()))


def requisition_decided(req, approved: bool) -> None:
    settle(f"req-decide:{req.id}")  # one supervisor decided: the others need not
    notify([account_of(req.employee)], f"req-decided:{req.id}", "requisition",
           "您的物资申领已批准，可到车间文员处领取。" if approved else "您的物资申领已被驳回，请查看原因。",
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


# --- the daily run: due and overdue -----------------------------------------------------------

def send_due(now: datetime | None = None) -> dict:
    """Notices for every occurrence overdue in the last days (to the supervisors who tick
    it) and every entitlement due (to the employee). Safe to run as often as wanted: each
    occurrence and each entitlement period is noticed once."""
    from app.checklists.board import items_for
    from app.checklists.marks import done_subjects
    from app.checklists.occurrences import expand
    from app.checklists.schedule import OVERDUE, state
    from app.org.models import Position
    from app.supplies.entitlements import due_list
    from app.supplies.quantity import fmt

    now = now or clock.local_now()
    counts = {"overdue": 0, "entitlement": 0}
    positions = db.session.scalars(select(Position).where(Position.active.is_(True))).all()
    items = [i for plist in items_for([p.id for p in positions]).values() for i in plist]
    by_position = {p.id: p for p in positions}
    occs = expand(items, now.date() - timedelta(days=7), now.date())
    done = done_subjects((item.id, o.period.key) for item, o, _ in occs)  # one query for all of them
    accounts = {u.employee_id: u for u in accounts_of({s.person for _, _, s in occs})}  # of the holders
    supervisors: dict[int, list] = {}
    holders: dict[int, list] = {}
    for item, occ, sub in occs:
        if state(occ, now, sub.id in done.get((item.id, occ.period.key), ())) != OVERDUE:
            continue
        position = by_position[item.position_id]
        if position.id not in supervisors:  # the holders, and who confirms their work
            supervisors[position.id] = supervisors_of(position)
            holders[position.id] = holders_of(position)
        who = [accounts.get(sub.id)] if sub.person else holders[position.id]  # a lift: every holder
        name = f"（{sub.name}）" if sub.id else ""
        counts["overdue"] += notify(
            who + supervisors[position.id], f"overdue:{item.id}:{occ.period.key}" + (f":{sub.id}" if sub.id else ""),
            "overdue", f"「{position.title}」的点检项目「{item.title}」{name}已逾期（截止 {occ.due_at:%m-%d %H:%M}）。",
            url_for("checklists.overdue_list", position=position.id, person=sub.person or None),
            push=f"【点检逾期】「{position.title}」：{item.title}{name}（截止 {occ.due_at:%m-%d %H:%M}）",
            position_id=position.id)
    for d in due_list(now.date()):
        counts["entitlement"] += notify(
            [account_of(d.employee)], f"entitlement:{d.entitlement.id}:{d.employee.id}:{d.start}", "entitlement",
            f"本期可领劳保用品：{d.entitlement.item.name} {fmt(d.due)} {d.entitlement.item.unit}"
            f"（{d.start:%m-%d} 至 {d.end:%m-%d}）。", url_for("main.index"))
    counts["coverage"] = coverage_due(now.date())
    return counts


def send_reminders(now: datetime | None = None) -> int:
    """提醒: an occurrence still open within CHECKLIST_REMIND_MINUTES of its due time
    tells whoever must do it (each holder for his own; every holder for the position's
    one), once per occurrence and person. Run every few minutes by the scheduler; a run
    that finds nothing new sends nothing."""
    from app.checklists.board import items_for
    from app.checklists.marks import marks_for
    from app.checklists.occurrences import expand
    from app.org.models import Position

    now = now or clock.local_now()
    ahead = timedelta(minutes=int(current_app.config.get("CHECKLIST_REMIND_MINUTES", 60)))
    if ahead <= timedelta(0):
        return 0
    positions = db.session.scalars(select(Position).where(Position.active.is_(True))).all()
    items = [i for plist in items_for([p.id for p in positions]).values() for i in plist]
    soon = [(i, o, s) for i, o, s in expand(items, now.date(), (now + ahead).date()) if now < o.due_at <= now + ahead]
    marks = marks_for((i.id, o.period.key, s.id) for i, o, s in soon)
    accounts = {u.employee_id: u for u in accounts_of({s.person for _, _, s in soon})}  # of the holders
    made = 0
    holders: dict[int, list] = {}
    for item, occ, sub in soon:
        mark = marks.get((item.id, occ.period.key, sub.id))
        if mark is not None and (mark.done or mark.review == "pending"):
            continue  # done, or self-checked and waiting for the supervisor
        if sub.person:
            who = [accounts.get(sub.id)]
        else:
            if item.position_id not in holders:
                holders[item.position_id] = holders_of(item.position)
            who = holders[item.position_id]
        made += notify(who, f"remind:{item.id}:{occ.period.key}:{sub.id}", "reminder",
                       f"「{item.title}」将于 {occ.due_at:%H:%M} 截止，尚未完成。",
                       url_for("checklists.index", show="open"),
                       push=f"【点检提醒】{item.position.title}「{item.title}」{('（' + sub.name + '）') if sub.id else ''}"
                            f"将于 {occ.due_at:%H:%M} 截止，尚未完成。",
                       position_id=item.position_id)
    return made


def coverage_due(today) -> int:
    """A required training or certificate of an employee expiring soon or expired: to the
    employee and the training clerks, once per state and expiry date."""
    from app.coverage.rules import expiring

    lists = expiring(today)
    if not lists["soon"] and not lists["expired"]:
        return 0
    clerks = list(db.session.scalars(select(User).where(User.active.is_(True), User.can_record_trainings.is_(True))))
    made = 0
    for state, rows in (("soon", lists["soon"]), ("expired", lists["expired"])):
        for x in rows:
            e, r, c = x["employee"], x["requirement"], x["cell"]
            what = "已过期" if state == "expired" else "即将到期"
            made += notify([account_of(e)] + clerks, f"coverage:{e.id}:{r.id}:{c.expires}:{state}", "coverage",
                           f"{e.name}的「{r.name}」{what}（有效期至 {c.expires:%Y-%m-%d}）。",
                           url_for("coverage.employee", employee_id=e.id))
    return made

"""The checklist part's notices: occurrences overdue (hourly, to whoever must do them and
their supervisors) and reminders before the due time (every few minutes)."""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app import clock
from app.checklists.board import items_for
from app.checklists.marks import done_subjects, marks_for
from app.checklists.occurrences import expand
from app.checklists.schedule import OVERDUE, state
from app.extensions import db
from app.notices.rules import accounts_of, holders_of, notify, supervisors_of, url_for
from app.org.models import Position


def _active_items() -> tuple[list, dict]:
    positions = db.session.scalars(select(Position).where(Position.active.is_(True))).all()
    items = [i for plist in items_for([p.id for p in positions]).values() for i in plist]
    return items, {p.id: p for p in positions}


def overdue(now: datetime) -> int:
    """Every occurrence overdue in the last 7 days: to the holder it is for (or every
    holder, for the position's one) and the position's supervisors, once per occurrence."""
    items, by_position = _active_items()
    occs = expand(items, now.date() - timedelta(days=7), now.date())
    done = done_subjects({(item.id, o.period.key) for item, o, _ in occs}, {s.id for _, _, s in occs})  # one query
    accounts = {u.employee_id: u for u in accounts_of({s.person for _, _, s in occs})}  # of the holders
    supervisors: dict[int, list] = {}
    holders: dict[int, list] = {}
    made = 0
    for item, occ, sub in occs:
        if state(occ, now, sub.id in done.get((item.id, occ.period.key), ())) != OVERDUE:
            continue
        position = by_position[item.position_id]
        if position.id not in supervisors:  # the holders, and who confirms their work
            supervisors[position.id] = supervisors_of(position)
            holders[position.id] = holders_of(position)
        who = [accounts.get(sub.id)] if sub.person else holders[position.id]  # a lift's: every holder
        name = f"（{sub.name}）" if sub.id else ""
        made += notify(
            who + supervisors[position.id], f"overdue:{item.id}:{occ.period.key}" + (f":{sub.id}" if sub.id else ""),
            "overdue", f"「{position.title}」的点检项目「{item.title}」{name}已逾期（截止 {occ.due_at:%m-%d %H:%M}）。",
            url_for("checklists.overdue_list", position=position.id, person=sub.person or None),
            push=f"【点检逾期】「{position.title}」：{item.title}{name}（截止 {occ.due_at:%m-%d %H:%M}）",
            position_id=position.id)
    return made


def send_reminders(now: datetime | None = None) -> int:
    """提醒: an occurrence still open within CHECKLIST_REMIND_MINUTES of its due time
    tells whoever must do it (each holder for his own; every holder for the position's
    one), once per occurrence and person. Run every few minutes by the scheduler; a run
    that finds nothing new sends nothing."""
    now = now or clock.local_now()
    ahead = timedelta(minutes=int(current_app.config.get("CHECKLIST_REMIND_MINUTES", 60)))
    if ahead <= timedelta(0):
        return 0
    items, _ = _active_items()
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


def reminders_job() -> str:
    return f"点检提醒 {send_reminders()} 条。"

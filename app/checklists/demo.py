"""Demo data of the checklists part (`flask --app wsgi seed-demo`, app.demo.seed_demo)."""

from sqlalchemy import select

from app import clock
from app.auth.models import User
from app.checklists.board import board
from app.checklists.fields import Entry, Submission, active_fields, store
from app.checklists.models import ChecklistEvent, ChecklistItem, ChecklistMark
from app.checklists.occurrences import expand
from app.checklists.ticks import TickError, return_check, self_check
from app.demo import demo_photo
from app.extensions import db
from app.permissions import supervises
from app.uploads import open_image


def seed_checklist_ticks(days: int = 62, seed: int = 7) -> list[str]:
    """About two months of ticks for every checklist item: most on time, some late (补录),
    some missed. Ticks are made by a supervisor of the position. Skipped if any exist."""
    import random
    from datetime import timedelta

    if db.session.scalar(select(ChecklistMark.id).limit(1)):
        return []
    rng = random.Random(seed)
    now = clock.local_now()
    users = [u for u in db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id))]
    accounts = {u.employee_id: u for u in users if u.employee_id}
    made = late_n = missed = 0
    for item in db.session.scalars(select(ChecklistItem).where(ChecklistItem.active.is_(True))):
        tickers = [u for u in users if not u.is_admin and supervises(u, item.position)] or \
                  [u for u in users if u.is_admin]
        if not tickers:
            continue
        # Demo items count as existing from the start of the demo window.
        item.created_at = clock.to_utc(now - timedelta(days=days))
        db.session.flush()
        for _, occ, sub in expand([item], (now - timedelta(days=days)).date(), now.date()):
            if occ.due_at >= now:
                continue
            roll = rng.random()
            if roll < 0.12:
                missed += 1
                continue
            late = roll < 0.22
            at_local = occ.due_at + timedelta(hours=rng.randint(2, 40)) if late else \
                occ.due_at - timedelta(minutes=rng.randint(5, 240))
            at = clock.to_utc(min(at_local, now))
            user = rng.choice(tickers)
            holder = accounts.get(sub.id)  # a holder with an account self-checked his own first
            mark = ChecklistMark(item_id=item.id, period_key=occ.period.key, subject_id=sub.id, due_at=occ.due_at,
                                 done=True, by_id=user.id, at=at, late=late,
                                 note="当天补录" if late and rng.random() < 0.5 else "")
            event = ChecklistEvent(item_id=item.id, period_key=occ.period.key, subject_id=sub.id, action="tick",
                                   user_id=user.id, at=at, late=late)
            if holder is not None:
                self_at = at - timedelta(minutes=rng.randint(10, 90))
                mark.self_by_id, mark.self_at, mark.self_note = holder.id, self_at, rng.choice(DEMO_SELF_NOTES)
                db.session.add(ChecklistEvent(item_id=item.id, period_key=occ.period.key, subject_id=sub.id,
                                              action="selfcheck", user_id=holder.id, at=self_at,
                                              note=mark.self_note))
            db.session.add_all([mark, event])
            if item.fields:
                db.session.flush()
                _demo_values(item, event, mark, rng)
            made += 1
            late_n += late
    db.session.flush()
    return [f"点检记录：{made} 次勾选（其中补录 {late_n} 次），{missed} 次未完成。"] if made else []


def _demo_entries(item, rng):
    """What a tick of this item records in the demo: 回厂率 mostly 85–95 % with a few
    below target, counts in a plausible spread, 夕会 minutes, a 5S photo."""
    entries = []
    for f in active_fields(item):
        if f.kind == "number":
            lo = f.min_value if f.min_value is not None else 0.0
            hi = f.max_value if f.max_value is not None else 100.0
            if f.target is not None and f.target_dir == "ge":
                value = rng.uniform(70, f.target - 0.1) if rng.random() < 0.15 else rng.uniform(f.target, min(hi, 95))
            elif f.unit == "元":
                value = rng.uniform(300, 3000)
            else:
                value = rng.uniform(max(lo, 25), min(hi, 60))
            entries.append(Entry(f, number=round(value, f.decimals)))
        elif f.kind == "count":
            if f.target is not None and f.target_dir == "le":
                value = 0 if rng.random() < 0.85 else rng.randint(1, 3)
            else:
                value = rng.randint(*DEMO_COUNTS.get(f.label, (0, 20)))
            entries.append(Entry(f, number=float(value)))
        elif f.kind == "minutes":
            topic = rng.choice(DEMO_MEETING_TOPICS)
            entries.append(Entry(f, text=f"1. {topic}\n2. 明日预约 {rng.randint(12, 30)} 台，提前备件。\n3. 工位5S 按要求保持。",
                                 attendees="张伟、陈晓燕、何师傅、马超、黄小明"))
        elif f.kind == "photo":
            entries.append(Entry(f, image=_demo_photo_pool()[rng.randrange(6)], filename="工位.jpg"))
    return entries


_PHOTO_POOL: list = []


def _demo_photo_pool() -> list:
    """Six decoded demo pictures the 5S ticks take from (each tick stores its own files)."""
    if not _PHOTO_POOL:
        _PHOTO_POOL.extend(open_image(demo_photo(500 + k, size=(800, 600))) for k in range(6))
    return _PHOTO_POOL


def _demo_values(item, event, mark, rng) -> None:
    entries = _demo_entries(item, rng)
    if entries:
        store(Submission(entries), event.id, item.id, event.period_key, [], event.subject_id)
        mark.values_event_id = event.id


DEMO_SELF_NOTES = ["工位已整理", "已检查，正常", "", "完成"]


DEMO_COUNTS = {"工单数": (25, 60), "SA预约台次": (8, 25), "追加单数": (2, 12), "条数": (0, 6)}


DEMO_MEETING_TOPICS = ["今日完工 38 台，返修 1 台（异响），由何师傅跟进。", "追加单 6 单，客户同意 5 单。",
                       "预约到店率偏低，前台明日电话回访。", "新款车型保养项目注意事项。"]


def seed_self_checks() -> list[str]:
    """李静 (售后内勤) self-checked two of today's items: one waits for 王建国's review, the
    other he returned with a reason; so both workspaces have something in these blocks."""
    clerk = db.session.scalar(select(User).filter_by(username="lijing"))
    manager = db.session.scalar(select(User).filter_by(username="wangjg"))
    if clerk is None or manager is None or clerk.position is None:
        return []
    sections = board(clerk, clock.local_now().date(), only=clerk.position.id)
    rows = [r for s in sections for rows in s["groups"].values() for r in rows
            if r.state != "done" and not (r.mark and r.mark.review)]
    if len(rows) < 2:
        return []
    import random

    rng = random.Random(11)
    try:
        self_check(rows[0].item, rows[0].period_key, clerk, "已按系统数据统计",
                   Submission(_demo_entries(rows[0].item, rng)), [])
        self_check(rows[1].item, rows[1].period_key, clerk, "已完成", Submission(_demo_entries(rows[1].item, rng)), [])
        return_check(rows[1].item, rows[1].period_key, manager, "请附上当日明细表")
    except TickError:
        return []
    db.session.flush()
    report = [f"自查：李静「{rows[0].item.title}」待核查，「{rows[1].item.title}」被王建国退回。"]
    tech = db.session.scalar(select(User).filter_by(username="hesf"))
    if tech is not None and tech.position is not None:
        mine = [r for s in board(tech, clock.local_now().date(), only=tech.position.id)
                for rows in s["groups"].values() for r in rows
                if r.subject.id == tech.employee_id and r.state != "done" and not (r.mark and r.mark.review)]
        if mine:
            try:
                self_check(mine[0].item, mine[0].period_key, tech, "工位已整理",
                           Submission(_demo_entries(mine[0].item, rng)), [], subject_id=tech.employee_id)
                report.append(f"自查：何师傅「{mine[0].item.title}」待核查。")
            except TickError:
                pass
    return report


def demo(fresh: bool) -> list[str]:
    """`fresh`: the demo staff was created by this run."""
    return seed_checklist_ticks() + (seed_self_checks() if fresh else [])

"""What a user sees: today's checklist per position, the overdue list, the month grid."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.auth.models import User
from app.checklists.fields import preload_attendees, values_for
from app.checklists.models import ChecklistItem, ChecklistMark
from app.checklists.occurrences import POSITION_SUBJECT, Holders, Subject, subjects
from app.checklists.schedule import (DONE, KINDS, OPEN, OVERDUE, Occurrence,
                                     occurrence, occurrences_between, period_of, state)
from app.extensions import db
from app.org.models import Position, ordered_positions
from app.permissions import supervised_position_ids


@dataclass
class Row:
    item: ChecklistItem
    occ: Occurrence
    mark: ChecklistMark | None
    state: str
    can_tick: bool
    can_self: bool = False  # the user may self-check (自查) this occurrence
    values: tuple = ()  # the recorded values (figures, photos, minutes) of the occurrence
    subject: Subject = POSITION_SUBJECT  # whose occurrence: the position, or one holder

    @property
    def review(self) -> str:
        """"pending" (待核查), "returned" (已退回) or "" — only while not confirmed."""
        m = self.mark
        return m.review if m is not None and not m.done else ""

    @property
    def period_key(self) -> str:
        return self.occ.period.key

    @property
    def key(self) -> tuple[int, str, int]:
        return (self.item.id, self.occ.period.key, self.subject.id)

    @property
    def dom_id(self) -> str:
        return f"ck-{self.item.id}-{self.occ.period.key}-{self.subject.id}"

    @property
    def finished(self) -> bool:
        return self.state == DONE


@dataclass
class HolderGroup:
    """An item for each holder on the board: one line per person, with the counts a
    supervisor needs to work through it and the holders whose self-check waits."""
    item: ChecklistItem
    occ: Occurrence
    rows: list
    total: int = 0  # people counted in the period (all of them, before any filter)
    done: int = 0
    overdue: int = 0
    pending: list = field(default_factory=list)  # subject ids waiting for confirmation
    can_tick: bool = False

    @property
    def dom_id(self) -> str:
        return f"ckg-{self.item.id}-{self.occ.period.key}"

    @property
    def finished(self) -> bool:
        return self.done == self.total


FILTERS = {"open": "未完成", "review": "待核查", "overdue": "已逾期", "all": "全部"}


def keep_row(row: Row, show: str) -> bool:
    """未完成: what needs doing now — due today or overdue, self-checked or not — not
    what falls due later in the week, month or year (全部 shows those)."""
    if show == "open":
        return row.state in (OPEN, OVERDUE)
    if show == "review":
        return row.review == "pending"
    if show == "overdue":
        return row.state == OVERDUE
    return True


def visible_positions(user) -> tuple[list[Position], set[int]]:
    """(positions whose checklist the user sees, ids of those the user may tick)."""
    positions = ordered_positions()
    if user.is_admin:
        ids = {p.id for p in positions}
        return positions, ids
    tickable = supervised_position_ids(user)
    own = user.position.id if user.position else None
    return [p for p in positions if p.id in tickable or p.id == own], tickable


def items_for(position_ids) -> dict[int, list[ChecklistItem]]:
    out: dict[int, list[ChecklistItem]] = defaultdict(list)
    if not position_ids:
        return out
    for item in db.session.scalars(
        select(ChecklistItem).where(ChecklistItem.position_id.in_(position_ids), ChecklistItem.active.is_(True))
        .order_by(ChecklistItem.sort_order, ChecklistItem.id)
        .options(selectinload(ChecklistItem.duty), selectinload(ChecklistItem.fields),
                 selectinload(ChecklistItem.target_changes))
    ):
        out[item.position_id].append(item)
    return out


def _pairs_clause(pairs: set) -> tuple:
    """WHERE clauses for a set of (item id, period key, subject id) keys.

    Asked as item_id IN (…) AND period_key IN (…), which both databases answer from the
    unique (item_id, period_key) index; a row-value IN of pairs made SQLite scan the whole
    table, so the board slowed down with every year of ticks. Callers drop the few extra
    rows the cross product may bring."""
    return (ChecklistMark.item_id.in_(sorted({i for i, _, _ in pairs})),
            ChecklistMark.period_key.in_(sorted({k for _, k, _ in pairs})))


def marks_for(pairs, undone_only: bool = False) -> dict[tuple[int, str, int], ChecklistMark]:
    """The marks of these (item id, period key, subject id) occurrences, in one query
    (optionally only the unticked ones)."""
    pairs = set(pairs)
    if not pairs:
        return {}
    stmt = (select(ChecklistMark).where(*_pairs_clause(pairs))
            .options(selectinload(ChecklistMark.by).selectinload(User.employee),
                     selectinload(ChecklistMark.self_by).selectinload(User.employee)))
    if undone_only:  # `= false`, as the partial index ix_checklist_mark_undone is defined
        stmt = stmt.where(ChecklistMark.done == False)  # noqa: E712
    marks = db.session.scalars(stmt)
    return {(m.item_id, m.period_key, m.subject_id): m for m in marks
            if (m.item_id, m.period_key, m.subject_id) in pairs}


class Who(NamedTuple):
    name: str


class MarkView(NamedTuple):
    """A mark as the month grid and its PDF show it: plain values, no ORM object. `by` is
    who confirmed (确认人, the tick), `self_by` who self-checked it (点检人), if anyone."""
    done: bool
    late: bool
    at: datetime | None
    note: str
    by: Who | None
    self_by: Who | None = None
    self_at: datetime | None = None
    review: str = ""
    self_note: str = ""  # the holder's note, kept beside the supervisor's once confirmed


def mark_views(pairs) -> dict[tuple[int, str, int], MarkView]:
    """The marks of these occurrences as plain values: one query for the marks, one for
    the names of the people who ticked them."""
    pairs = set(pairs)
    if not pairs:
        return {}
    rows = [r for r in db.session.execute(
        select(ChecklistMark.item_id, ChecklistMark.period_key, ChecklistMark.subject_id, ChecklistMark.done,
               ChecklistMark.late,
               ChecklistMark.at, ChecklistMark.note, ChecklistMark.by_id, ChecklistMark.self_by_id,
               ChecklistMark.self_at, ChecklistMark.review, ChecklistMark.self_note).where(*_pairs_clause(pairs)))
        if (r.item_id, r.period_key, r.subject_id) in pairs]
    by_ids = {r.by_id for r in rows if r.by_id} | {r.self_by_id for r in rows if r.self_by_id}
    names = {u.id: Who(u.name) for u in db.session.scalars(
        select(User).where(User.id.in_(by_ids)).options(selectinload(User.employee)))} if by_ids else {}
    return {(r.item_id, r.period_key, r.subject_id): MarkView(
        r.done, r.late, r.at, r.note, names.get(r.by_id), names.get(r.self_by_id), r.self_at, r.review,
        r.self_note) for r in rows}


def done_pairs(pairs) -> set[tuple[int, str, int]]:
    """The occurrences among these whose mark is done: plain tuples, no objects."""
    pairs = set(pairs)
    if not pairs:
        return set()
    rows = db.session.execute(select(ChecklistMark.item_id, ChecklistMark.period_key, ChecklistMark.subject_id)
                              .where(*_pairs_clause(pairs), ChecklistMark.done.is_(True)))
    return {tuple(r) for r in rows if tuple(r) in pairs}


def _occurrence(item: ChecklistItem, day: date) -> Occurrence | None:
    return occurrence(item.rule(), period_of(item.kind, day), clock.workday_end(), clock.to_local(item.created_at))


def make_row(item: ChecklistItem, occ: Occurrence, mark: ChecklistMark | None, now: datetime, can_tick: bool,
             can_self: bool = False, values=(), subject: Subject = POSITION_SUBJECT) -> Row:
    done = bool(mark and mark.done)
    return Row(item, occ, mark, state(occ, now, done), can_tick, can_self, tuple(values), subject)


def _values(items, pairs) -> dict:
    """The recorded values of these occurrences, for the items that ask for fields: one
    query whatever was ticked, none when no item has fields."""
    with_fields = {i.id for i in items if i.fields}
    pairs = [k for k in pairs if k[0] in with_fields]
    return values_for(pairs) if pairs else {}


def held_position_id(user) -> int | None:
    employee = getattr(user, "employee", None)
    return employee.position_id if employee is not None and employee.active else None


def _mine(user, item: ChecklistItem, subject: Subject, held: int | None) -> bool:
    """The user may self-check this occurrence: he holds the position and, for an item
    for each holder, it is his own."""
    return item.position_id == held and (subject.id == 0 or subject.id == user.employee_id)


def _shown_subjects(user, item, occ, holders, tickable: set[int], person: int | None) -> list[Subject]:
    """Whose occurrences of this item the user sees: a supervisor everyone's, a holder his
    own (a coworker's bay is not his business); narrowed to one person on request."""
    subs = subjects(item, occ, holders)
    if item.position_id not in tickable:
        subs = [s for s in subs if s.id == 0 or s.id == user.employee_id]
    if person is not None:
        subs = [s for s in subs if s.id == person]
    return subs


def board(user, day: date, now: datetime | None = None, only: int | None = None, show: str = "all",
          person: int | None = None) -> list[dict]:
    """Per visible position (or only the one with id `only`): the occurrences of the
    periods containing `day`, grouped by kind (今日/本周/本月/本年). An item for each holder
    is one HolderGroup with a row per person. `show` filters the rows (FILTERS); the counts
    are of everything visible, before the filter."""
    now = now or clock.local_now()
    positions, tickable = visible_positions(user)
    if only is not None:
        positions = [p for p in positions if p.id == only]
    items = items_for([p.id for p in positions])
    all_items = [i for plist in items.values() for i in plist]
    occs = {}
    for item in all_items:
        occ = _occurrence(item, day)
        if occ is not None:
            occs[item.id] = occ
    holders = Holders([i.position_id for i in all_items if i.target_changes or i.target != "position"],
                      min((o.due_date for o in occs.values()), default=day),
                      max((o.due_date for o in occs.values()), default=day))
    shown = {iid: _shown_subjects(user, item, occs[iid], holders, tickable, person)
             for item in all_items if (iid := item.id) in occs}
    keys = [(iid, occs[iid].period.key, s.id) for iid, subs in shown.items() for s in subs]
    marks = marks_for(keys)
    values = _values(all_items, keys)
    preload_attendees(all_items)
    held = held_position_id(user)
    result = []
    for p in positions:
        groups = {k: [] for k in KINDS}
        counts = defaultdict(int)
        for item in items.get(p.id, []):
            occ = occs.get(item.id)
            if occ is None:
                continue
            rows = []
            for sub in shown[item.id]:
                key = (item.id, occ.period.key, sub.id)
                row = make_row(item, occ, marks.get(key), now, p.id in tickable, _mine(user, item, sub, held),
                               values.get(key, ()), sub)
                counts[row.state] += 1
                counts["review"] += row.review == "pending"
                rows.append(row)
            kept = [r for r in rows if keep_row(r, show)]
            if item.per_holder(occ.period) and p.id in tickable:
                if not rows or not kept:
                    continue
                groups[item.kind].append(HolderGroup(
                    item, occ, kept, total=len(rows), done=sum(r.state == DONE for r in rows),
                    overdue=sum(r.state == OVERDUE for r in rows),
                    pending=[r.subject.id for r in rows if r.review == "pending"], can_tick=True))
            else:
                groups[item.kind].extend(kept)
        if counts:
            result.append({"position": p, "groups": groups, "counts": counts, "can_tick": p.id in tickable,
                           "can_self": p.id == held, "shown": sum(len(g) for g in groups.values())})
    return result


def parse_subject(value) -> int:
    try:
        n = int(value or 0)
    except (TypeError, ValueError):
        return -1
    return n if 0 <= n < 2**31 else -1


def single_row(user, item: ChecklistItem, period_key: str, subject_id: int = 0, now: datetime | None = None) -> Row:
    from app.checklists.schedule import period_from_key
    from app.staff.models import Employee

    now = now or clock.local_now()
    occ = occurrence(item.rule(), period_from_key(item.kind, period_key), clock.workday_end(),
                     clock.to_local(item.created_at))
    key = (item.id, period_key, subject_id)
    mark = marks_for([key]).get(key)
    values = _values([item], [key]).get(key, ())
    _, tickable = visible_positions(user)
    subject = POSITION_SUBJECT
    if subject_id:
        e = db.session.get(Employee, subject_id)
        subject = Subject(e.id, e.name, e.employee_no) if e else Subject(subject_id, "?")
    return make_row(item, occ, mark, now, item.position_id in tickable,
                    _mine(user, item, subject, held_position_id(user)), values, subject)


# --- derived figures ---------------------------------------------------------------------
# The overdue occurrences and the monthly rates are computed from the items' rules, the
# holders' tenures and the done marks on every request: nothing is kept between requests,
# so a tick (or a change made outside the app) shows at once, on every worker and database.

def _minute(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def expand(items, start: date, end: date, holders: Holders | None = None) -> list[tuple]:
    """(item, occurrence, subject) of every occurrence due between start and end."""
    items = list(items)
    if holders is None:
        holders = Holders([i.position_id for i in items], start, end)
    out = []
    for item in items:
        for occ in occurrences_between(item.rule(), start, end, clock.workday_end(), clock.to_local(item.created_at)):
            for sub in subjects(item, occ, holders):
                out.append((item, occ, sub))
    return out


def _pending(position_ids, now: datetime, days: int, person: int | None = None) -> list[tuple]:
    """(item, occurrence, subject) due by this minute in the last `days` days and not done,
    for the items of these positions, no mark loaded."""
    items = [item for plist in items_for(position_ids).values() for item in plist]
    minute = _minute(now)
    occs = [(i, o, s) for i, o, s in expand(items, now.date() - timedelta(days=days), minute.date())
            if o.due_at <= minute and (person is None or s.id == person)]
    done = done_pairs((i.id, o.period.key, s.id) for i, o, s in occs)
    return [(i, o, s) for i, o, s in occs if (i.id, o.period.key, s.id) not in done]


def overdue_pending(user, now: datetime, days: int = 62, person: int | None = None) -> tuple[list[tuple], set[int]]:
    """Every occurrence past its due moment and not done, in the last `days` days, across
    the positions the user sees (a holder: his own and his position's shared ones), newest
    first, as (item, occurrence, subject) without a mark loaded; and the ids of the
    positions the user ticks. Bounded by the window, not by the years of history behind it."""
    positions, tickable = visible_positions(user)
    rows = [(i, o, s) for i, o, s in _pending([p.id for p in positions], now, days, person)
            if now > o.due_at and (i.position_id in tickable or s.id in (0, user.employee_id))]
    rows.sort(key=lambda r: (-r[1].due_at.timestamp(), r[0].position.sort_order, r[0].sort_order, r[2].number))
    return rows, tickable


def overdue_rows(pending, tickable: set[int], now: datetime, user=None) -> list[Row]:
    """Rows of these overdue (item, occurrence, subject), with their unticked marks (who
    took a tick back, who self-checked) and recorded values, for the page shown only."""
    keys = [(i.id, o.period.key, s.id) for i, o, s in pending]
    marks = marks_for(keys, undone_only=True)
    # A self-check waiting for review shows the holder's figures; confirming keeps them.
    values = _values([i for i, _, _ in pending], [k for k in keys if k in marks])
    held = held_position_id(user) if user is not None else None
    return [make_row(i, o, marks.get(k), now, i.position_id in tickable,
                     user is not None and _mine(user, i, s, held), values.get(k, ()), s)
            for (i, o, s), k in zip(pending, keys)]


def overdue(user, now: datetime | None = None, days: int = 62) -> list[Row]:
    """The overdue rows (see overdue_pending), newest first."""
    now = now or clock.local_now()
    pending, tickable = overdue_pending(user, now, days)
    return overdue_rows(pending, tickable, now, user)


def overdue_summary(user, now: datetime | None = None, days: int = 62) -> list[dict]:
    """Per position the user ticks: how many occurrences are overdue and the newest one,
    newest first, without loading a mark."""
    now = now or clock.local_now()
    positions, tickable = visible_positions(user)
    groups: dict[int, dict] = {}
    for item, occ, _ in _pending([p.id for p in positions if p.id in tickable], now, days):
        if occ.due_at >= now:
            continue
        g = groups.setdefault(item.position_id, {"position": item.position, "count": 0, "item": item, "due_at": occ.due_at})
        g["count"] += 1
        if occ.due_at > g["due_at"]:
            g["item"], g["due_at"] = item, occ.due_at
    return sorted(groups.values(), key=lambda g: g["due_at"], reverse=True)


@dataclass
class Cell:
    occ: Occurrence
    status: str  # done, late, missed, open, future, review
    mark: MarkView | None
    values: tuple = ()  # recorded values, when done or waiting for review


def position_items(position: Position) -> list[ChecklistItem]:
    """All the position's items, retired ones too (a past month shows them), in order."""
    return list(db.session.scalars(
        select(ChecklistItem).where(ChecklistItem.position_id == position.id)
        .order_by(ChecklistItem.sort_order, ChecklistItem.id)
        .options(selectinload(ChecklistItem.duty), selectinload(ChecklistItem.fields),
                 selectinload(ChecklistItem.target_changes))
    ))


def cell_status(occ: Occurrence, mark: MarkView | None, now: datetime) -> str:
    if mark and mark.done:
        return "late" if mark.late else "done"
    if mark and mark.review == "pending":
        return "review"  # self-checked, waiting for the supervisor
    if occ.due_at < now:
        return "missed"
    return "open" if occ.due_date == now.date() else "future"


def month_grid(position: Position, year: int, month: int, now: datetime | None = None,
               items: list[ChecklistItem] | None = None, person: int | None = None) -> dict:
    """Days of the month by items (position_items, read here unless given): each occurrence
    whose due date falls in the month, with done / late (补录) / missed / open / future, and
    completion rates. An item for each holder has a row per person who held the position
    that month (only on the days he held it), and `people` the rate of each person.
    `person` narrows the rows to one holder's (and the position's shared items)."""
    now = now or clock.local_now()
    first, last = clock.month_days(year, month)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    plist = position_items(position) if items is None else items
    occs = [t for t in expand(plist, first, last) if person is None or t[2].id in (0, person)]
    keys = [(i.id, o.period.key, s.id) for i, o, s in occs]
    marks = mark_views(keys)
    with_fields = {i.id for i in plist if i.fields}
    values = values_for([k for k in keys if k[0] in with_fields]) if with_fields else {}
    by_row: dict[tuple[int, int], dict] = {}
    for item, occ, sub in occs:
        key = (item.id, occ.period.key, sub.id)
        r = by_row.setdefault((item.id, sub.id), {"item": item, "subject": sub, "cells": {}, "due": 0, "done": 0})
        mark = marks.get(key)
        status = cell_status(occ, mark, now)
        shown = values.get(key, ()) if status in ("done", "late", "review") else ()
        r["cells"][occ.due_date] = Cell(occ, status, mark, tuple(shown))
        if status in ("done", "late", "missed"):
            r["due"] += 1
            r["done"] += status in ("done", "late")
    rows, people = [], {}
    total_due = total_done = 0
    n = 0
    for item in plist:
        item_rows = sorted((r for (iid, _), r in by_row.items() if iid == item.id),
                           key=lambda r: (r["subject"].id != 0, r["subject"].number))
        if not item_rows and item.active:
            item_rows = [{"item": item, "subject": POSITION_SUBJECT, "cells": {}, "due": 0, "done": 0}]
        n += bool(item_rows)
        for k, r in enumerate(item_rows):
            r["rate"] = (r["done"] / r["due"]) if r["due"] else None
            r["first"], r["span"], r["n"] = k == 0, len(item_rows), n
            rows.append(r)
            total_due += r["due"]
            total_done += r["done"]
            if r["subject"].id:
                pr = people.setdefault(r["subject"].id, {"subject": r["subject"], "due": 0, "done": 0})
                pr["due"] += r["due"]
                pr["done"] += r["done"]
    for pr in people.values():
        pr["rate"] = (pr["done"] / pr["due"]) if pr["due"] else None
    return {"position": position, "year": year, "month": month, "days": days, "rows": rows,
            "people": sorted(people.values(), key=lambda p: p["subject"].number),
            "due": total_due, "done": total_done, "rate": (total_done / total_due) if total_due else None}


def monthly_rates(position: Position, months: int = 12, now: datetime | None = None,
                  items: list[ChecklistItem] | None = None) -> list[dict]:
    """Completion rate of the position for each of the last `months` months (oldest first),
    counted as month_grid counts them, from one query for the items, one for the holders
    and one for the marks."""
    now = now or clock.local_now()
    y, m = now.year, now.month
    months_list = []
    for _ in range(months):
        months_list.append((y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    months_list.reverse()
    first = clock.month_days(*months_list[0])[0]
    last = clock.month_days(*months_list[-1])[1]
    items = position_items(position) if items is None else items
    minute = _minute(now)
    occs = expand(items, first, last)
    done = done_pairs((i.id, o.period.key, s.id) for i, o, s in occs)
    tally: dict[tuple[int, int], list[int]] = {}
    for i, occ, s in occs:
        is_done = (i.id, occ.period.key, s.id) in done
        if is_done or occ.due_at <= minute:
            t = tally.setdefault((occ.due_date.year, occ.due_date.month), [0, 0])
            t[0] += 1
            t[1] += is_done
    out = []
    for y, m in months_list:
        due, n = tally.get((y, m), (0, 0))
        out.append({"year": y, "month": m, "due": due, "done": n, "rate": (n / due) if due else None})
    return out

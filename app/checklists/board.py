"""What a user sees: today's checklist per position, the overdue list, the month grid."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.auth.models import User
from app.checklists.fields import preload_attendees, values_for
from app.checklists.models import ChecklistItem, ChecklistMark
from app.checklists.schedule import (KINDS, Occurrence,
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
    can_self: bool = False  # the user holds the position: may self-check (自查)
    values: tuple = ()  # the recorded values (figures, photos, minutes) of the occurrence

    @property
    def review(self) -> str:
        """"pending" (待核查), "returned" (已退回) or "" — only while not confirmed."""
        m = self.mark
        return m.review if m is not None and not m.done else ""

    @property
    def period_key(self) -> str:
        return self.occ.period.key

    @property
    def dom_id(self) -> str:
        return f"ck-{self.item.id}-{self.occ.period.key}"


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
        .options(selectinload(ChecklistItem.duty), selectinload(ChecklistItem.fields))
    ):
        out[item.position_id].append(item)
    return out


def _pairs_clause(pairs: set) -> tuple:
    """WHERE clauses for a set of (item id, period key) pairs.

    Asked as item_id IN (…) AND period_key IN (…), which both databases answer from the
    unique (item_id, period_key) index; a row-value IN of pairs made SQLite scan the whole
    table, so the board slowed down with every year of ticks. Callers drop the few extra
    rows the cross product may bring."""
    return (ChecklistMark.item_id.in_(sorted({i for i, _ in pairs})),
            ChecklistMark.period_key.in_(sorted({k for _, k in pairs})))


def marks_for(pairs, undone_only: bool = False) -> dict[tuple[int, str], ChecklistMark]:
    """The marks of these (item id, period key) pairs, in one query (optionally only the
    unticked ones)."""
    pairs = set(pairs)
    if not pairs:
        return {}
    stmt = (select(ChecklistMark).where(*_pairs_clause(pairs))
            .options(selectinload(ChecklistMark.by).selectinload(User.employee),
                     selectinload(ChecklistMark.self_by).selectinload(User.employee)))
    if undone_only:  # `= false`, as the partial index ix_checklist_mark_undone is defined
        stmt = stmt.where(ChecklistMark.done == False)  # noqa: E712
    marks = db.session.scalars(stmt)
    return {(m.item_id, m.period_key): m for m in marks if (m.item_id, m.period_key) in pairs}


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


def mark_views(pairs) -> dict[tuple[int, str], MarkView]:
    """The marks of these pairs as plain values: one query for the marks, one for the
    names of the people who ticked them."""
    pairs = set(pairs)
    if not pairs:
        return {}
    rows = [r for r in db.session.execute(
        select(ChecklistMark.item_id, ChecklistMark.period_key, ChecklistMark.done, ChecklistMark.late,
               ChecklistMark.at, ChecklistMark.note, ChecklistMark.by_id, ChecklistMark.self_by_id,
               ChecklistMark.self_at, ChecklistMark.review).where(*_pairs_clause(pairs)))
        if (r.item_id, r.period_key) in pairs]
    by_ids = {r.by_id for r in rows if r.by_id} | {r.self_by_id for r in rows if r.self_by_id}
    names = {u.id: Who(u.name) for u in db.session.scalars(
        select(User).where(User.id.in_(by_ids)).options(selectinload(User.employee)))} if by_ids else {}
    return {(r.item_id, r.period_key): MarkView(r.done, r.late, r.at, r.note, names.get(r.by_id),
                                                names.get(r.self_by_id), r.self_at, r.review) for r in rows}


def done_pairs(pairs) -> set[tuple[int, str]]:
    """The pairs among these whose mark is done: plain tuples, no objects."""
    pairs = set(pairs)
    if not pairs:
        return set()
    rows = db.session.execute(select(ChecklistMark.item_id, ChecklistMark.period_key)
                              .where(*_pairs_clause(pairs), ChecklistMark.done.is_(True)))
    return {(i, k) for i, k in rows if (i, k) in pairs}


def _occurrence(item: ChecklistItem, day: date) -> Occurrence | None:
    return occurrence(item.rule(), period_of(item.kind, day), clock.workday_end(), clock.to_local(item.created_at))


def make_row(item: ChecklistItem, occ: Occurrence, mark: ChecklistMark | None, now: datetime, can_tick: bool,
             can_self: bool = False, values=()) -> Row:
    done = bool(mark and mark.done)
    return Row(item, occ, mark, state(occ, now, done), can_tick, can_self, tuple(values))


def _values(items, pairs) -> dict:
    """The recorded values of these (item id, period key) pairs, for the items that ask
    for fields: one query whatever was ticked, none when no item has fields."""
    with_fields = {i.id for i in items if i.fields}
    pairs = [k for k in pairs if k[0] in with_fields]
    return values_for(pairs) if pairs else {}


def held_position_id(user) -> int | None:
    employee = getattr(user, "employee", None)
    return employee.position_id if employee is not None and employee.active else None


def board(user, day: date, now: datetime | None = None, only: int | None = None) -> list[dict]:
    """Per visible position (or only the one with id `only`): rows grouped by kind
    (今日/本周/本月/本年) for the periods containing `day`."""
    now = now or clock.local_now()
    positions, tickable = visible_positions(user)
    if only is not None:
        positions = [p for p in positions if p.id == only]
    items = items_for([p.id for p in positions])
    occs = {}
    for plist in items.values():
        for item in plist:
            occ = _occurrence(item, day)
            if occ is not None:
                occs[item.id] = occ
    marks = marks_for((iid, o.period.key) for iid, o in occs.items())
    all_items = [i for plist in items.values() for i in plist]
    values = _values(all_items, [(iid, o.period.key) for iid, o in occs.items()])
    preload_attendees(all_items)
    held = held_position_id(user)
    result = []
    for p in positions:
        groups = {k: [] for k in KINDS}
        for item in items.get(p.id, []):
            occ = occs.get(item.id)
            if occ is not None:
                key = (item.id, occ.period.key)
                groups[item.kind].append(make_row(item, occ, marks.get(key), now, p.id in tickable, p.id == held,
                                                  values.get(key, ())))
        if any(groups.values()):
            counts = defaultdict(int)
            for rows in groups.values():
                for r in rows:
                    counts[r.state] += 1
            result.append({"position": p, "groups": groups, "counts": counts, "can_tick": p.id in tickable})
    return result


def single_row(user, item: ChecklistItem, period_key: str, now: datetime | None = None) -> Row:
    from app.checklists.schedule import period_from_key

    now = now or clock.local_now()
    occ = occurrence(item.rule(), period_from_key(item.kind, period_key), clock.workday_end(),
                     clock.to_local(item.created_at))
    marks = marks_for([(item.id, period_key)])
    mark = marks.get((item.id, period_key))
    values = _values([item], [(item.id, period_key)]).get((item.id, period_key), ())
    _, tickable = visible_positions(user)
    return make_row(item, occ, mark, now, item.position_id in tickable, item.position_id == held_position_id(user),
                    values)


# --- derived figures ---------------------------------------------------------------------
# The overdue occurrences and the monthly rates are computed from the items' rules and the
# done marks on every request: nothing is kept between requests, so a tick (or a change
# made outside the app) shows at once, on every worker and database.

def _signature(plist) -> tuple:
    return tuple((item.id, item.rule(), clock.to_local(item.created_at)) for item in plist)


def _minute(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def _overdue_occurrences(items: tuple, start: date, minute: datetime,
                         workday_end) -> tuple[tuple[int, Occurrence], ...]:
    """(item id, occurrence) of every occurrence due by `minute` since `start`, not done."""
    occs = [(iid, occ) for iid, rule, created in items
            for occ in occurrences_between(rule, start, minute.date(), workday_end, created) if occ.due_at <= minute]
    done = done_pairs((iid, o.period.key) for iid, o in occs)
    return tuple((iid, o) for iid, o in occs if (iid, o.period.key) not in done)


def _month_tallies(items: tuple, first: date, last: date, minute: datetime,
                   workday_end) -> dict[tuple[int, int], tuple[int, int]]:
    """{(year, month): (due, done)} as month_grid counts them (补录 counts as done)."""
    per_item = {iid: occurrences_between(rule, first, last, workday_end, created) for iid, rule, created in items}
    done = done_pairs(_pairs(per_item))
    tally: dict[tuple[int, int], list[int]] = {}
    for iid, occs in per_item.items():
        for occ in occs:
            is_done = (iid, occ.period.key) in done
            if is_done or occ.due_at <= minute:
                t = tally.setdefault((occ.due_date.year, occ.due_date.month), [0, 0])
                t[0] += 1
                t[1] += is_done
    return {ym: (due, n) for ym, (due, n) in tally.items()}


def _pending(position_ids, now: datetime, days: int) -> list[tuple[ChecklistItem, Occurrence]]:
    """(item, occurrence) due by this minute in the last `days` days and not done, for
    the items of these positions, no mark loaded."""
    by_id = {item.id: item for plist in items_for(position_ids).values() for item in plist}
    pending = _overdue_occurrences(_signature(by_id.values()), now.date() - timedelta(days=days),
                                   _minute(now), clock.workday_end())
    return [(by_id[iid], occ) for iid, occ in pending]


def overdue_pending(user, now: datetime, days: int = 62) -> tuple[list[tuple[ChecklistItem, Occurrence]], set[int]]:
    """Every occurrence past its due moment and not done, in the last `days` days, across
    the positions the user sees, newest first, as (item, occurrence) without a mark loaded;
    and the ids of the positions the user ticks. Bounded by the window, not by the years
    of history behind it."""
    positions, tickable = visible_positions(user)
    pairs = [(i, o) for i, o in _pending([p.id for p in positions], now, days) if now > o.due_at]
    pairs.sort(key=lambda p: (-p[1].due_at.timestamp(), p[0].position.sort_order, p[0].sort_order))
    return pairs, tickable


def overdue_rows(pairs, tickable: set[int], now: datetime) -> list[Row]:
    """Rows of these overdue (item, occurrence) pairs, with their unticked marks (who took
    a tick back, who self-checked) and recorded values, for the page shown only."""
    keys = [(i.id, o.period.key) for i, o in pairs]
    marks = marks_for(keys, undone_only=True)
    # A self-check waiting for review shows the holder's figures; confirming keeps them.
    values = _values([i for i, _ in pairs], [k for k in keys if k in marks])
    return [make_row(i, o, marks.get(k), now, i.position_id in tickable, values=values.get(k, ()))
            for (i, o), k in zip(pairs, keys)]


def overdue(user, now: datetime | None = None, days: int = 62) -> list[Row]:
    """The overdue rows (see overdue_pending), newest first."""
    now = now or clock.local_now()
    pairs, tickable = overdue_pending(user, now, days)
    return overdue_rows(pairs, tickable, now)


def overdue_summary(user, now: datetime | None = None, days: int = 62) -> list[dict]:
    """Per position the user ticks: how many occurrences are overdue and the newest one,
    newest first, without loading a mark."""
    now = now or clock.local_now()
    positions, tickable = visible_positions(user)
    groups: dict[int, dict] = {}
    for item, occ in _pending([p.id for p in positions if p.id in tickable], now, days):
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
        .options(selectinload(ChecklistItem.duty), selectinload(ChecklistItem.fields))
    ))


def cell_status(occ: Occurrence, mark: MarkView | None, now: datetime) -> str:
    if mark and mark.done:
        return "late" if mark.late else "done"
    if mark and mark.review == "pending":
        return "review"  # self-checked, waiting for the supervisor
    if occ.due_at < now:
        return "missed"
    return "open" if occ.due_date == now.date() else "future"


def _occurrences(plist, first: date, last: date) -> dict[int, tuple[Occurrence, ...]]:
    """Occurrences per item id whose due date lies between first and last."""
    return {item.id: occurrences_between(item.rule(), first, last, clock.workday_end(),
                                         clock.to_local(item.created_at)) for item in plist}


def _pairs(per_item: dict) -> list[tuple[int, str]]:
    return [(iid, o.period.key) for iid, occs in per_item.items() for o in occs]


def month_grid(position: Position, year: int, month: int, now: datetime | None = None,
               items: list[ChecklistItem] | None = None) -> dict:
    """Days of the month by items (position_items, read here unless given): each occurrence
    whose due date falls in the month, with done / late (补录) / missed / open / future, and
    completion rates."""
    now = now or clock.local_now()
    first, last = clock.month_days(year, month)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    plist = position_items(position) if items is None else items
    per_item = _occurrences(plist, first, last)
    pairs = _pairs(per_item)
    marks = mark_views(pairs)
    with_fields = {i.id for i in plist if i.fields}
    values = values_for([p for p in pairs if p[0] in with_fields]) if with_fields else {}
    rows = []
    total_due = total_done = 0
    for item in plist:
        cells = {}
        due = done = 0
        for occ in per_item[item.id]:
            mark = marks.get((item.id, occ.period.key))
            status = cell_status(occ, mark, now)
            shown = values.get((item.id, occ.period.key), ()) if status in ("done", "late", "review") else ()
            cells[occ.due_date] = Cell(occ, status, mark, tuple(shown))
            if status in ("done", "late", "missed"):
                due += 1
                done += status in ("done", "late")
        if not item.active and not cells:
            continue
        rows.append({"item": item, "cells": cells, "due": due, "done": done,
                     "rate": (done / due) if due else None})
        total_due += due
        total_done += done
    return {"position": position, "year": year, "month": month, "days": days, "rows": rows,
            "due": total_due, "done": total_done, "rate": (total_done / total_due) if total_due else None}


def monthly_rates(position: Position, months: int = 12, now: datetime | None = None,
                  items: list[ChecklistItem] | None = None) -> list[dict]:
    """Completion rate of the position for each of the last `months` months (oldest first),
    counted as month_grid counts them, from one query for the items and one for the marks."""
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
    tally = _month_tallies(_signature(items), first, last, _minute(now),
                           clock.workday_end())
    out = []
    for y, m in months_list:
        due, done = tally.get((y, m), (0, 0))
        out.append({"year": y, "month": m, "due": due, "done": done, "rate": (done / due) if due else None})
    return out



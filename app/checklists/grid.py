"""The month of a position: days by items (a row per person for an item for each holder),
completion rates per item, person and position, and the twelve-month rates."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.checklists.fields import values_for
from app.checklists.marks import MarkView, done_pairs, mark_views
from app.checklists.models import ChecklistItem
from app.checklists.occurrences import POSITION_SUBJECT, expand
from app.checklists.schedule import Occurrence
from app.extensions import db
from app.org.models import Position


def _minute(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


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

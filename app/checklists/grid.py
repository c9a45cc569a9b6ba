"""The month of a position: days by items (a row per person for an item for each holder),
completion rates per item, person and position, and the twelve-month rates."""
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from app import clock
from app.checklists.fields import values_for
from app.checklists.marks import MarkView, done_by_subject, done_keys_and_tallies, mark_views
from app.checklists.models import ChecklistItem
from app.checklists.occurrences import POSITION_SUBJECT, counted, with_subjects
from app.checklists.schedule import Occurrence
from app.database import statement
from app.extensions import db
from app.org.models import Position


@dataclass
class Cell:
    occ: Occurrence
    status: str  # done, late, missed, open, future, review
    mark: MarkView | None
    values: tuple = ()  # recorded values, when done or waiting for review


def position_items(position: Position) -> list[ChecklistItem]:
    """All the position's items, retired ones too (a past month shows them), in order."""
    return list(db.session.scalars(_items(), {"position": position.id}).unique())


@statement
def _items():
    return (select(ChecklistItem).where(ChecklistItem.position_id == bindparam("position"))
            .order_by(ChecklistItem.sort_order, ChecklistItem.id)
            .options(joinedload(ChecklistItem.fields), joinedload(ChecklistItem.target_changes)))  # one round trip


def cell_status(occ: Occurrence, mark: MarkView | None, now: datetime) -> str:
    if mark and mark.done:
        return "late" if mark.late else "done"
    if mark and mark.review == "pending":
        return "review"  # self-checked, waiting for the supervisor
    if occ.due_at < now:
        return "missed"
    return "open" if occ.due_date == now.date() else "future"


PEOPLE_PER_PAGE = 20  # an item for each holder: the grid shows this many people a page


def month_grid(position: Position, year: int, month: int, now: datetime | None = None,
               items: list[ChecklistItem] | None = None, person: int | None = None,
               people_page: int | None = None) -> dict:
    """Days of the month by items (position_items, read here unless given): each occurrence
    whose due date falls in the month, with done / late (补录) / missed / open / future, and
    completion rates. An item for each holder has a row per person who held the position
    that month (only on the days he held it), and `people` the rate of each person.
    `person` narrows the rows to one holder's (and the position's shared items), and the
    month's rate to those rows;
    `people_page` shows PEOPLE_PER_PAGE people's rows (the rates count everyone, from
    counts, not cells)."""
    now = now or clock.local_now()
    minute = clock.minute(now)
    first, last = clock.month_days(year, month)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    plist = position_items(position) if items is None else items
    month_occs = with_subjects(plist, first, last)  # each occurrence's subjects: a list per stretch of holders
    stretches = {id(subs): subs for _, _, subs in month_occs}
    everyone = sorted({s for subs in stretches.values() for s in subs if s.person}, key=lambda s: (s.number, s.id))
    pages = max((len(everyone) + PEOPLE_PER_PAGE - 1) // PEOPLE_PER_PAGE, 1)
    page = min(max(people_page or 1, 1), pages)
    if person is not None:
        shown = {person}
    elif people_page is not None and len(everyone) > PEOPLE_PER_PAGE:
        shown = {s.id for s in everyone[(page - 1) * PEOPLE_PER_PAGE:page * PEOPLE_PER_PAGE]}
    else:
        shown = None
    # the position's own lines and each piece of equipment's are always shown (any holder
    # checks those); people are narrowed to a page or one person
    visible = {key: subs if shown is None else [x for x in subs if x.person == 0 or x.id in shown]
               for key, subs in stretches.items()}
    occs = [(i, o, x) for i, o, subs in month_occs for x in visible[id(subs)]]
    keys = [(i.id, o.period.key, s.id) for i, o, s in occs]
    marks = mark_views(keys)
    with_fields = {i.id for i in plist if i.fields}
    values = values_for([k for k in keys if k[0] in with_fields]) if with_fields else {}
    by_row: dict[tuple[int, int], dict] = {}
    for (item, occ, sub), key in zip(occs, keys):
        r = by_row.get((key[0], key[2]))
        if r is None:
            r = by_row[key[0], key[2]] = {"item": item, "subject": sub, "cells": {}, "due": 0, "done": 0}
        mark = marks.get(key)
        status = cell_status(occ, mark, now)
        shown_values = values.get(key, ()) if status in ("done", "late", "review") else ()
        r["cells"][occ.due_date] = Cell(occ, status, mark, tuple(shown_values))
        if status in ("done", "late", "missed"):
            r["due"] += 1
            r["done"] += status in ("done", "late")
    rows = []
    n = 0
    due_items = {i.id for i, _, _ in month_occs}  # items with an occurrence this month
    for item in plist:
        item_rows = sorted((r for (iid, _), r in by_row.items() if iid == item.id),
                           key=lambda r: (r["subject"].id != 0, r["subject"].number))
        if not item_rows and item.active and item.id not in due_items:
            item_rows = [{"item": item, "subject": POSITION_SUBJECT, "cells": {}, "due": 0, "done": 0}]
        n += bool(item_rows) or item.id in due_items
        for k, r in enumerate(item_rows):
            r["rate"] = (r["done"] / r["due"]) if r["due"] else None
            r["first"], r["span"], r["n"] = k == 0, len(item_rows), n
            rows.append(r)
    # The rates count everyone, shown or not: the position's from a count per occurrence,
    # each person's from a count per person.
    total_due, total_done = _tally([(i, o, len(subs)) for i, o, subs in month_occs], minute)
    people = _people_rates(month_occs, minute, everyone)
    if person is not None:
        people = [p for p in people if p["subject"].id == person]
        # narrowed to one holder: the rate of what is shown (his lines and the shared ones),
        # not the position's, which counts his coworkers' misses too
        total_due, total_done = sum(r["due"] for r in rows), sum(r["done"] for r in rows)
    return {"position": position, "year": year, "month": month, "days": days, "rows": rows, "people": people,
            "people_pages": pages if shown is not None and person is None else 1, "people_page": page,
            "due": total_due, "done": total_done, "rate": (total_done / total_due) if total_due else None}


def _tally(occs, minute: datetime, by_month: bool = False):
    """Due and done as month_grid counts them (an occurrence counts once past due, or once
    done), from (item, occurrence, number of subjects) and the occurrences' done counts
    (checklist_tally, one row each): (due, done), or per (year, month)."""
    # An item done once for the position is done or not: its done periods as one row of
    # keys per item; the others (for each holder or piece of equipment) by their counts.
    per_item: dict = {}
    for t in occs:
        per_item.setdefault(t[0], []).append(t)
    # counted() gives each item's occurrences in date order: its span is its first period's
    # start to its last period's end (what period_spans finds in any order)
    spans = {i.id: (ts[0][1].period.start, ts[-1][1].period.end) for i, ts in per_item.items()}
    once = {i.id for i in per_item if i.once_for_position}
    keys, counts = done_keys_and_tallies({i: span for i, span in spans.items() if i in once},
                                         {i: span for i, span in spans.items() if i not in once})
    out: dict = {}
    for item, ts in per_item.items():
        iid = item.id
        done_periods = keys.get(iid, ()) if iid in once else None
        for _, o, expected in ts:
            key = o.period.key
            n = min(counts.get((iid, key), 0) if done_periods is None else int(key in done_periods), expected)
            t = out.setdefault((o.due_date.year, o.due_date.month) if by_month else None, [0, 0])
            t[0] += expected if o.due_at <= minute else n
            t[1] += n
    if by_month:
        return {ym: tuple(t) for ym, t in out.items()}
    return tuple(out.get(None, (0, 0)))


def _people_rates(month, minute: datetime, everyone) -> list[dict]:
    """Each holder's month: his occurrences past due, and his done marks (one count per
    person). `month`: (item, occurrence, subjects) with the subjects' list shared per
    stretch of holders, so the people are counted per list, not per person and day."""
    persons: dict[int, list[int]] = {}  # per list of subjects: its people's ids
    past: Counter = Counter()
    pairs = set()
    for i, o, subs in month:
        ids = persons.get(id(subs))
        if ids is None:
            ids = persons[id(subs)] = [x.id for x in subs if x.person]
        if ids:
            pairs.add((i.id, o.period.key))
            if o.due_at <= minute:
                past.update(ids)
    done = done_by_subject(pairs, minute)
    out = []
    for s in everyone:
        n, early = done.get(s.id, (0, 0))
        due = past.get(s.id, 0) + early
        out.append({"subject": s, "due": due, "done": n, "rate": (n / due) if due else None})
    return out


def monthly_rates(position: Position, months: int = 12, now: datetime | None = None,
                  items: list[ChecklistItem] | None = None) -> list[dict]:
    """Completion rate of the position for each of the last `months` months (oldest first),
    counted as month_grid counts them, from one query for the items, one for the holders
    and one read of the occurrences' done counts."""
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
    tally = _tally(counted(items, first, last), clock.minute(now), by_month=True)
    out = []
    for y, m in months_list:
        due, n = tally.get((y, m), (0, 0))
        out.append({"year": y, "month": m, "due": due, "done": n, "rate": (n / due) if due else None})
    return out

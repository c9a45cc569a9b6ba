"""Whom an occurrence is for: the position once (subject 0), each employee who held the
position on its due date (an item for each holder), or each piece of equipment of the
item's selection in use that day (an item for each piece of equipment; the subject id is
the equipment's id). Pure expansion of (item, occurrence) into (item, occurrence,
subject), with the holders and the equipment read once per page."""
from bisect import bisect_right
from datetime import date, timedelta
from typing import NamedTuple

from app import clock
from app.checklists import targets
from app.checklists.models import HOLDER
from app.checklists.schedule import occurrences_between
from app.staff.tenure import holders as tenures_of


class Subject(NamedTuple):
    id: int  # 0: the position itself; else the employee's id (or the equipment's id)
    name: str = ""
    number: str = ""  # employee number (asset number), for ordering
    thing: bool = False  # a piece of equipment, not a person
    flag: str = ""  # shown beside the name (a piece of equipment: 检定已过期)

    @property
    def person(self) -> int:
        """The employee's id for a holder's occurrence; 0 otherwise."""
        return 0 if self.thing else self.id


POSITION_SUBJECT = Subject(0)


class Holders:
    """The tenures of some positions over a date range, read on first use (one query),
    so a page whose items are all once-per-position reads nothing."""

    def __init__(self, position_ids, start: date, end: date, items=(), employee_id: int | None = None):
        # employee_id: that holder alone (what a holder's own board shows of the others: nothing)
        self._args = (sorted(set(position_ids)), start, end, employee_id)
        self._by_position = None
        self._changes: dict[int, list[date]] = {}  # per position: the days its holders change
        self._on: dict[tuple[int, int], list[Subject]] = {}
        # items for each piece of equipment: their things, read on first use (one query)
        self._thing_items = {i.id: i for i in items if i.ever_per_equipment}
        self._things = None

    def things(self, item, day: date) -> list[Subject]:
        """The equipment of the item's selection in use on that day, by asset number."""
        if self._things is None:
            p = targets.provider()
            start, end = self._args[1], self._args[2]
            self._things = p.subjects_between(list(self._thing_items.values()), start, end) \
                if p is not None and self._thing_items else {}
        seen, out = set(), []
        for first, last, s in self._things.get(item.id, ()):
            if first <= day and (last is None or day <= last) and s.id not in seen:
                seen.add(s.id)
                out.append(s)
        return out

    def on(self, position_id: int, day: date) -> list[Subject]:
        """The holders of the position on that day, by employee number: one list per
        position and stretch of days between two changes of its holders, shared by every
        item and day of the stretch."""
        if self._by_position is None:
            self._by_position = {pid: [(t.start, t.end, Subject(t.employee_id, t.name, t.employee_no))
                                       for t in tenures]
                                 for pid, tenures in tenures_of(*self._args).items()}
            self._changes = {pid: sorted({s for s, _, _ in rows} | {e + timedelta(days=1) for _, e, _ in rows if e})
                             for pid, rows in self._by_position.items()}
        key = (position_id, bisect_right(self._changes.get(position_id, ()), day))
        if key in self._on:
            return self._on[key]
        seen, out = set(), []
        for start, end, subject in self._by_position.get(position_id, ()):
            if start <= day and (end is None or day <= end) and subject.id not in seen:
                seen.add(subject.id)
                out.append(subject)
        self._on[key] = out
        return out


def subjects(item, occ, holders: Holders) -> list[Subject]:
    """The subjects of the item's occurrence: the position, the holders on its due date,
    or the equipment in use that day."""
    if item.per_equipment(occ.period):
        return holders.things(item, occ.due_date)
    if not item.per_holder(occ.period):
        return [POSITION_SUBJECT]
    return holders.on(item.position_id, occ.due_date)


def expand(items, start: date, end: date, holders: Holders | None = None) -> list[tuple]:
    """(item, occurrence, subject) of every occurrence due between start and end."""
    items = list(items)
    if holders is None:
        holders = Holders([i.position_id for i in items], start, end, items)
    out = []
    for item in items:
        for occ in occurrences_between(item.rule(), start, end, clock.workday_end(), clock.to_local(item.created_at)):
            for sub in subjects(item, occ, holders):
                out.append((item, occ, sub))
    return out


def counted(items, start: date, end: date, holders: Holders | None = None) -> list[tuple]:
    """(item, occurrence, number of subjects) of every occurrence due between start and end:
    what rates need, without a tuple per person (a year of a position with a hundred
    holders is a few thousand occurrences, not a few hundred thousand)."""
    items = list(items)
    if holders is None:
        holders = Holders([i.position_id for i in items], start, end, items)
    out: list[tuple] = []
    workday_end = clock.workday_end()
    for item in items:
        occs = occurrences_between(item.rule(), start, end, workday_end, clock.to_local(item.created_at))
        if not occs:
            continue
        if item.once_for_position:  # one subject in every period
            out.extend([(item, occ, 1) for occ in occs])
        elif not item.target_changes and item.target == HOLDER:  # the holders on each due date
            on, position_id = holders.on, item.position_id
            out.extend([(item, occ, len(on(position_id, occ.due_date))) for occ in occs])
        else:  # the target switched at some period, or pieces of equipment
            out.extend([(item, occ, len(subjects(item, occ, holders))) for occ in occs])
    return out

"""Whom an occurrence is for: the position once (subject 0), each employee who held the
position on its due date (an item for each holder), or each piece of equipment of the
item's selection in use that day (an item for each piece of equipment; the subject id is
the equipment's id). Pure expansion of (item, occurrence) into (item, occurrence,
subject), with the holders and the equipment read once per page."""
from bisect import bisect_right
from itertools import repeat
from datetime import date, timedelta
from typing import NamedTuple

from app import clock
from app.checklists import targets
from app.checklists.models import EQUIPMENT, HOLDER
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
        self._thing_changes: dict[int, list[date]] = {}  # per item: the days its equipment in use changes
        self._things_on: dict[tuple[int, int], list[Subject]] = {}

    def things(self, item, day: date) -> list[Subject]:
        """The equipment of the item's selection in use on that day, by asset number: one
        list per item and stretch of days between two changes, as on() for holders."""
        if self._things is None:
            p = targets.provider()
            start, end = self._args[1], self._args[2]
            self._things = p.subjects_between(list(self._thing_items.values()), start, end) \
                if p is not None and self._thing_items else {}
            self._thing_changes = _changes(self._things)
        key = (item.id, bisect_right(self._thing_changes.get(item.id, ()), day))
        if key not in self._things_on:
            self._things_on[key] = _in_use(self._things.get(item.id, ()), day)
        return self._things_on[key]

    def along(self, target: str, item, days: list[date]) -> list[list[Subject]]:
        """subjects_of for each of these days (ascending) of an item whose target does not
        change: the lists found by walking the days past the changes once, not a lookup per
        day (a year of a daily item for each holder is a few hundred days)."""
        if target not in (HOLDER, EQUIPMENT):
            return [POSITION_ONLY] * len(days)
        if not days:
            return []
        if target == HOLDER:
            self.on(item.position_id, days[0])  # reads the tenures on first use
            changes, lookup = self._changes.get(item.position_id, ()), self.on
            key_of = item.position_id
        else:
            self.things(item, days[0])
            changes, lookup, key_of = self._thing_changes.get(item.id, ()), self.things, item
        out, k, n, current = [], bisect_right(changes, days[0]), len(changes), None
        for day in days:
            if current is None or (k < n and changes[k] <= day):
                while k < n and changes[k] <= day:
                    k += 1
                current = lookup(key_of, day)
            out.append(current)
        return out

    def on(self, position_id: int, day: date) -> list[Subject]:
        """The holders of the position on that day, by employee number: one list per
        position and stretch of days between two changes of its holders, shared by every
        item and day of the stretch."""
        if self._by_position is None:
            self._by_position = {pid: [(t.start, t.end, Subject(t.employee_id, t.name, t.employee_no))
                                       for t in tenures]
                                 for pid, tenures in tenures_of(*self._args).items()}
            self._changes = _changes(self._by_position)
        key = (position_id, bisect_right(self._changes.get(position_id, ()), day))
        if key not in self._on:
            self._on[key] = _in_use(self._by_position.get(position_id, ()), day)
        return self._on[key]


def _changes(spans: dict) -> dict:
    """Per key, the sorted days on which its (first, last, subject) spans begin or end
    (the day after the last): between two of them, the same subjects are in."""
    return {k: sorted({s for s, _, _ in rows} | {e + timedelta(days=1) for _, e, _ in rows if e})
            for k, rows in spans.items()}


def _in_use(spans, day: date) -> list[Subject]:
    """The subjects of these (first, last, subject) spans in on `day`, each once, in the
    spans' order."""
    seen, out = set(), []
    for start, end, subject in spans:
        if start <= day and (end is None or day <= end) and subject.id not in seen:
            seen.add(subject.id)
            out.append(subject)
    return out


POSITION_ONLY = [POSITION_SUBJECT]  # the subjects of an occurrence done once for the position (shared: never changed)


def subjects_of(target: str, item, day: date, holders: Holders) -> list[Subject]:
    """The subjects of an occurrence of the item due on `day`, whose period has this
    target: the position, the holders that day, or the equipment in use that day. The
    lists are shared (per stretch of holders), not to be changed."""
    if target == EQUIPMENT:
        return holders.things(item, day)
    if target == HOLDER:
        return holders.on(item.position_id, day)
    return POSITION_ONLY


def subjects(item, occ, holders: Holders) -> list[Subject]:
    """The subjects of the item's occurrence (subjects_of its period's target)."""
    return subjects_of(item.target_on(occ.period.start), item, occ.due_date, holders)


def with_subjects(items, start: date, end: date, holders: Holders | None = None) -> list[tuple]:
    """(item, occurrence, subjects) of every occurrence due between start and end, the
    subjects as the list shared by every occurrence of a stretch between two changes of
    the holders: a month of a hundred and sixty technicians is a few hundred occurrences,
    not a tuple per person and day."""
    items = list(items)
    if holders is None:
        holders = Holders([i.position_id for i in items], start, end, items)
    out: list[tuple] = []
    workday_end = clock.workday_end()
    for item in items:
        occs = occurrences_between(item.rule(), start, end, workday_end, clock.to_local(item.created_at))
        if item.target_changes:  # each period's own target
            out.extend([(item, occ, subjects_of(item.target_on(occ.period.start), item, occ.due_date, holders))
                        for occ in occs])
        else:
            out.extend(zip(repeat(item), occs, holders.along(item.target, item, [o.due_date for o in occs])))
    return out


def expand(items, start: date, end: date, holders: Holders | None = None) -> list[tuple]:
    """(item, occurrence, subject) of every occurrence due between start and end."""
    return [(i, o, s) for i, o, subs in with_subjects(items, start, end, holders) for s in subs]


def counted(items, start: date, end: date, holders: Holders | None = None) -> list[tuple]:
    """(item, occurrence, number of subjects) of every occurrence due between start and end:
    what rates need."""
    return [(i, o, len(subs)) for i, o, subs in with_subjects(items, start, end, holders)]

"""What a user sees: today's checklist per position (rows, and a group per item for each
holder) and the overdue list. The month grid is grid.py; the marks' queries marks.py."""
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime, timedelta
from operator import attrgetter
from typing import NamedTuple

from flask import g, has_request_context, request
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from app import clock
from app.checklists.fields import active_fields, anomalies, preload_attendees, values_for
from app.checklists.marks import (MarkView, done_keys, done_keys_and_tallies, done_subjects, subject_done_counts,
                                  mark_views, period_spans)
from app.checklists.models import EQUIPMENT, HOLDER, ChecklistItem
from app.checklists.occurrences import POSITION_ONLY, POSITION_SUBJECT, Holders, Subject, subjects, subjects_of
from app.checklists.schedule import (DONE, KINDS, Occurrence, OPEN, OVERDUE, occurrence, occurrences_between, period_from_key, period_of, state)
from app.checklists.targets import provider
from app.database import statement
from app.extensions import db
from app.org.models import Position, ordered_positions
from app.permissions import (checklist_positions, holds_position, may_self_check_occurrence, supervises,
                             visible_subjects)
from app.staff.models import Employee


@dataclass
class Row:
    item: ChecklistItem
    occ: Occurrence
    mark: MarkView | None  # plain values of the occurrence's mark, if any
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
    def late(self) -> bool:
        """Past due and not done by its holder: overdue, unless a self-check waits for the
        supervisor's confirmation (then it is 待核查, as the workspace says, not 逾期)."""
        return self.state == OVERDUE and self.review != "pending"

    @property
    def period_key(self) -> str:
        return self.occ.period.key

    @property
    def fields(self) -> list:
        """The item's active fields (what a tick records)."""
        return active_fields(self.item)

    @cached_property
    def anomalies(self) -> list[str]:
        """What the recorded values show wrong (a fault point answered 否, a figure out of
        range): shown on the row itself, never only in its details."""
        return anomalies(self.item, self.values) if self.values else []

    @property
    def needs_fields(self) -> bool:
        """A tick or self-check must be filled in (a required field): no one-tap action."""
        return any(f.required for f in active_fields(self.item))

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
    pending: list = field(default_factory=list)  # subject ids waiting for confirmation, all well
    can_tick: bool = False
    open: bool = False  # its lines are shown (few people, one person or this item asked for)
    things: bool = False  # an item for each piece of equipment: a line per piece
    flagged: list = field(default_factory=list)  # waiting rows whose check recorded something wrong: one by one

    @property
    def unit(self) -> str:
        return "台" if self.things else "人"

    @property
    def waiting(self) -> int:
        """Self-checks waiting for confirmation (待核查), with those that recorded something wrong."""
        return len(self.pending) + len(self.flagged)

    @property
    def dom_id(self) -> str:
        return f"ckg-{self.item.id}-{self.occ.period.key}"

    @property
    def finished(self) -> bool:
        return self.done == self.total


FILTERS = {"open": "未完成", "review": "待核查", "overdue": "已逾期", "all": "全部"}


def row_matches(row: Row, show: str) -> bool:
    """未完成: what needs doing now — due today or overdue, self-checked or not — not
    what falls due later in the week, month or year (全部 shows those)."""
    if show == "open":
        return row.state in (OPEN, OVERDUE)
    if show == "review":
        return row.review == "pending"
    if show == "overdue":
        return row.late
    return True


def visible_positions(user) -> tuple[list[Position], set[int]]:
    """(positions whose checklist the user sees, ids of those the user may tick), in the
    org chart's order; the rule is permissions.checklist_positions."""
    return checklist_positions(user, ordered_positions())


def people_to_narrow(positions, tickable: set[int]) -> list:
    """The holders a supervisor can narrow the board or the overdue list to: the active
    employees of the positions he ticks, by number, as plain rows (id, name, position_id):
    a manager's select lists everyone."""
    ids = [p.id for p in positions if p.id in tickable]
    if not ids:
        return []
    return db.session.execute(_people(), {"positions": ids}).all()


@statement
def _people():
    return (select(Employee.id, Employee.name, Employee.position_id)
            .where(Employee.position_id.in_(bindparam("positions", expanding=True)), Employee.active.is_(True))
            .order_by(Employee.employee_no))


@statement
def _items_statement():
    """Every board, overdue list and supervisor's workspace runs it."""
    return (select(ChecklistItem)
            .where(ChecklistItem.position_id.in_(bindparam("ids", expanding=True)), ChecklistItem.active.is_(True))
            .order_by(ChecklistItem.sort_order, ChecklistItem.id)
            # joined, not selectin: few items have fields or target changes, and a statement
            # less is a round trip less (PostgreSQL 3.8 -> 1.8 ms)
            .options(joinedload(ChecklistItem.fields), joinedload(ChecklistItem.target_changes)))


def items_for(position_ids, also=()) -> dict[int, list[ChecklistItem]]:
    """The active items of these positions, with their fields and target changes, per
    position in the items' order.

    `also`: positions whose items the same page asks for next, read in the same statement;
    in a GET request the items read are kept for the rest of the request, so the
    supervisor's workspace reads his own position's and those he supervises once."""
    out: dict[int, list[ChecklistItem]] = defaultdict(list)
    if not position_ids:
        return out
    wanted = set(position_ids)
    kept = _request_items()
    read = wanted - kept.keys()
    if read:
        read |= set(also) - kept.keys()
        kept.update({pid: [] for pid in read})
        for item in db.session.scalars(_items_statement(), {"ids": sorted(read)}).unique():
            kept[item.position_id].append(item)
    # positions in the order of their first item, as one statement of these alone gives them
    for pid in sorted((pid for pid in wanted if kept[pid]), key=lambda pid: (kept[pid][0].sort_order, kept[pid][0].id)):
        out[pid] = kept[pid]
    return out


def _request_items() -> dict:
    """The items read so far in this GET request (position id -> items); a fresh dict
    outside one (nothing kept)."""
    if has_request_context() and request.method == "GET":
        return g.setdefault("_checklist_items", {})
    return {}


def _occurrence(item: ChecklistItem, day: date) -> Occurrence | None:
    return occurrence(item.rule(), period_of(item.kind, day), clock.workday_end(), clock.to_local(item.created_at))


def make_row(item: ChecklistItem, occ: Occurrence, mark: MarkView | None, now: datetime, can_tick: bool,
             can_self: bool = False, values=(), subject: Subject = POSITION_SUBJECT) -> Row:
    done = bool(mark and mark.done)
    return Row(item, occ, mark, state(occ, now, done), can_tick, can_self, tuple(values), subject)


def _values(items, pairs) -> dict:
    """The recorded values of these occurrences, for the items that ask for fields: one
    query whatever was ticked, none when no item has fields."""
    with_fields = {i.id for i in items if i.fields}
    pairs = [k for k in pairs if k[0] in with_fields]
    return values_for(pairs) if pairs else {}


def _shown_subjects(user, item, occ, holders, person: int | None) -> list[Subject]:
    """Whose occurrences of this item the user sees (permissions.may_see_subject: a
    supervisor everyone's, a holder his own, everyone who sees the item every piece of
    equipment); narrowed to one person on request."""
    subs = visible_subjects(user, item.position_id, subjects(item, occ, holders))
    if person is not None:
        subs = [s for s in subs if not s.thing and s.id == person]
    return subs


SHOW_PEOPLE = 8  # an item for each holder lists its people on the board up to this many


def board(user, day: date, now: datetime | None = None, only: int | None = None, show: str = "all",
          person: int | None = None, item: int | None = None) -> list[dict]:
    """Per visible position (or only the one with id `only`): the occurrences of the
    periods containing `day`, grouped by kind (今日/本周/本月/本年). An item for each holder
    is one HolderGroup with a row per person. `show` filters the rows (FILTERS); the counts
    are of everything visible, before the filter."""
    now = now or clock.local_now()
    positions, tickable = visible_positions(user)
    if only is not None:
        positions = [p for p in positions if p.id == only]
    items = items_for([p.id for p in positions])
    one_item = item  # the loop below names each item `item`
    if one_item is not None:
        items = {pid: [i for i in plist if i.id == one_item] for pid, plist in items.items()}
    all_items = [i for plist in items.values() for i in plist]
    occs = {}
    for item in all_items:
        occ = _occurrence(item, day)
        if occ is not None:
            occs[item.id] = occ
    # The holders of the positions with an item for each holder: all of them for a supervisor,
    # one person when narrowed to him, else the user himself (all a holder sees of them).
    per_holder = {i.position_id for i in all_items if i.id in occs and i.per_holder(occs[i.id].period)}
    alone = person if person is not None else \
        None if any(supervises(user, pid) for pid in per_holder) else (getattr(user, "employee_id", None) or 0)
    holders = Holders(per_holder, min((o.due_date for o in occs.values()), default=day),
                      max((o.due_date for o in occs.values()), default=day), all_items, employee_id=alone)
    shown = {iid: _shown_subjects(user, item, occs[iid], holders, person)
             for item in all_items if (iid := item.id) in occs}
    keys = [(iid, occs[iid].period.key, s.id) for iid, subs in shown.items() for s in subs]
    marks = mark_views(keys)
    values = _values(all_items, keys)
    preload_attendees(all_items)
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
                row = make_row(item, occ, marks.get(key), now, p.id in tickable,
                               may_self_check_occurrence(user, item, sub.id, sub.thing), values.get(key, ()), sub)
                counts["all"] += 1
                counts[row.state] += 1
                counts["review"] += row.review == "pending"
                counts["late"] += row.late
                rows.append(row)
            matching = [r for r in rows if row_matches(r, show)]
            things = item.per_equipment(occ.period)
            if (item.per_holder(occ.period) and p.id in tickable) or things:
                # an item for each holder (to a supervisor), or for each piece of equipment
                # (to everyone who sees it: any holder checks any of them)
                if not rows or not matching:
                    continue
                groups[item.kind].append(HolderGroup(
                    item, occ, matching, total=len(rows), done=sum(r.state == DONE for r in rows),
                    overdue=sum(r.late for r in rows),
                    pending=[r.subject.id for r in rows if r.review == "pending" and not r.anomalies],
                    flagged=[r for r in rows if r.review == "pending" and r.anomalies],
                    can_tick=p.id in tickable,
                    open=len(matching) <= SHOW_PEOPLE or person is not None or one_item is not None
                    or any(r.review == "pending" and r.anomalies for r in matching), things=things))
            else:
                groups[item.kind].extend(matching)
        if counts:
            result.append({"position": p, "groups": groups, "counts": counts, "can_tick": p.id in tickable,
                           "can_self": holds_position(user, p), "shown": sum(len(g) for g in groups.values())})
    return result


def single_row(user, item: ChecklistItem, period_key: str, subject_id: int = 0, now: datetime | None = None) -> Row:
    now = now or clock.local_now()
    occ = occurrence(item.rule(), period_from_key(item.kind, period_key), clock.workday_end(),
                     clock.to_local(item.created_at))
    key = (item.id, period_key, subject_id)
    mark = mark_views([key]).get(key)
    values = _values([item], [key]).get(key, ())
    _, tickable = visible_positions(user)
    subject = POSITION_SUBJECT
    if subject_id and item.per_equipment(occ.period):
        p = provider()
        subject = (p.subject_on(item, subject_id, occ.due_date) if p else None) or Subject(subject_id, "?", thing=True)
    elif subject_id:
        e = db.session.get(Employee, subject_id)
        subject = Subject(e.id, e.name, e.employee_no) if e else Subject(subject_id, "?")
    return make_row(item, occ, mark, now, item.position_id in tickable,
                    may_self_check_occurrence(user, item, subject.id, subject.thing), values, subject)


# --- derived figures ---------------------------------------------------------------------
# The overdue occurrences and the monthly rates are computed from the items' rules, the
# holders' tenures and the done marks on every request: nothing is cached between requests,
# so a tick (or a change made outside the app) shows at once, on every worker and database.

class Slot(NamedTuple):
    """An occurrence of an item past its due moment with some of its subjects not done:
    the position's one, or, for an item for each holder, the holders not done yet. Made
    from a count per occurrence (checklist_tally), not a row per person; the persons are
    listed only for the page shown (subjects_missing). A tuple: a supervisor's overdue
    list makes a couple of thousand."""
    item: ChecklistItem
    occ: Occurrence
    subjects: list  # the occurrence's subjects that count (holders on the due date, or the position)
    missing: int    # how many of them are not done


def _missing(user, now: datetime, days: int, person: int | None = None,
             position_ids=None, visible=None) -> tuple[list[tuple], set[int]]:
    """Per item of the positions the user sees (or those of `position_ids` among them) with
    anything overdue in the last `days` days: (item, [(occurrence, subjects, how many not
    done)], in due order); and the ids of the positions the user ticks. A plain holder
    counts only his own occurrences and his position's shared ones.

    Runs on every supervisor's workspace over a few thousand occurrences, so the common
    case is taken whole per item: an item done once for the position, in a position he
    ticks, is missing where its period has no done mark (one row of keys per item from
    checklist_tally). Items for each holder or piece of equipment, or whose target
    changed, are counted occurrence by occurrence from the tally's counts, read in the
    same statement."""
    positions, tickable = visible or visible_positions(user)
    ids = [p.id for p in positions if position_ids is None or p.id in position_ids]
    # (the positions seen but not counted, his own, come in the same statement: the
    # workspace shows his own checklist next)
    items = [item for plist in items_for(ids, also=[p.id for p in positions]).values() for item in plist]
    minute = clock.minute(now)
    start = now.date() - timedelta(days=days)
    workday_end = clock.workday_end()
    own = getattr(user, "employee_id", None) or 0
    simple, other = [], []
    for i in items:
        occs = occurrences_between(i.rule(), start, minute.date(), workday_end, clock.to_local(i.created_at))
        k = len(occs)
        while k and occs[k - 1].due_at >= minute:  # in due order: only the last ones can be not yet due
            k -= 1
        if not k:
            continue
        ticks = i.position_id in tickable
        if ticks and i.once_for_position:
            simple.append((i, occs[:k]))
        else:
            other.append((i, occs[:k], ticks))
    if person not in (None, 0):  # narrowed to one holder: the position's own occurrences are not his
        simple = []
    simple_ranges = {i.id: (occs[0].period.start, occs[-1].period.end) for i, occs in simple}
    if not other:
        return _simple_missing(simple, done_keys(simple_ranges)), tickable
    holders = Holders([i.position_id for i, _, _ in other if i.target == HOLDER or i.target_changes], start,
                      minute.date(), [i for i, _, _ in other])
    # `whole` when every subject counts (he ticks the position, or it is an item for each
    # piece of equipment), else only his own and the position's shared one.
    # The subjects of an item whose target never changed: the lists of the stretches between
    # two changes of its holders (or equipment), walked once (Holders.along), not looked up
    # occurrence by occurrence.
    occs, whole_occs, other_occs = [], [], []
    for i, item_occs, ticks in other:
        if i.target_changes:
            targets = [i.target_on(o.period.start) for o in item_occs]
            subjects = [subjects_of(t, i, o.due_date, holders) for t, o in zip(targets, item_occs)]
        else:
            targets = [i.target] * len(item_occs)
            subjects = holders.along(i.target, i, [o.due_date for o in item_occs])
        for o, target, subs in zip(item_occs, targets, subjects):
            whole = ticks or target == EQUIPMENT
            occs.append((i, o, target, whole, subs))
            (whole_occs if whole else other_occs).append((i.id, o.period))
    if person is None:  # one statement of checklist_tally for both kinds of items
        done_periods, counts = done_keys_and_tallies(simple_ranges, period_spans(whole_occs))
    else:
        counts = subject_done_counts(whole_occs, (person,))[person]
        done_periods = done_keys(simple_ranges)
    # Outside the positions he ticks, a holder counts his own occurrences and the shared ones.
    mine = subject_done_counts(other_occs, (own, 0))
    own_done, shared_done = mine[own], mine[0]
    per_item: dict[int, list] = {}
    for i, o, target, whole, subs in occs:
        key = (i.id, o.period.key)
        if whole:
            if person is not None:
                subs = [x for x in subs if not x.thing and x.id == person]
            done = counts.get(key, 0) if person is None or target != EQUIPMENT else 0
        else:
            subs = [x for x in subs if x.id in (0, own) and (person is None or x.id == person)]
            done = sum((own_done if x.id else shared_done).get(key, 0) for x in subs)
        missing = len(subs) - min(done, len(subs))
        if missing > 0:
            per_item.setdefault(i.id, (i, []))[1].append((o, subs, missing))
    return _simple_missing(simple, done_periods) + list(per_item.values()), tickable


def _simple_missing(simple: list[tuple], done: dict[int, set[str]]) -> list[tuple]:
    """(item, [(occurrence, POSITION_ONLY, 1)]) of these items done once for the position
    and their occurrences whose periods have no done mark (`done`: per item id, the period
    keys done)."""
    out = []
    for i, occs in simple:
        keys = done.get(i.id, ())
        missing = [(o, POSITION_ONLY, 1) for o in occs if o.period.key not in keys]
        if missing:
            out.append((i, missing))
    return out


def slots(user, now: datetime, days: int, person: int | None = None,
          position_ids=None) -> tuple[list[Slot], set[int]]:
    """The overdue occurrences in the last `days` days across the positions the user sees
    (or those of `position_ids` among them), as Slots, newest first (then in the org
    chart's and the position's order); and the ids of the positions the user ticks. Costs
    one query for the items, one of checklist_tally and, for items for each holder,
    one for the holders, whatever the number of people or years."""
    per_item, tickable = _missing(user, now, days, person, position_ids)
    per_item.sort(key=lambda e: (e[0].position.sort_order, e[0].sort_order, e[0].id))
    out = [Slot(i, o, subs, n) for i, missing in per_item for o, subs, n in missing]
    out.sort(key=attrgetter("occ.due_at"), reverse=True)  # stable: equal moments keep the items' order
    return out, tickable


def subjects_missing(page_slots: list[Slot]) -> list[tuple]:
    """(item, occurrence, subject) of every subject not done in these slots, in order: the
    persons are read only for the slots a page shows."""
    done = done_subjects({(sl.item.id, sl.occ.period.key) for sl in page_slots},
                         {x.id for sl in page_slots for x in sl.subjects})
    return [(sl.item, sl.occ, x) for sl in page_slots for x in sl.subjects
            if x.id not in done.get((sl.item.id, sl.occ.period.key), set())]


def page_of(ordered: list[Slot], page: int, per_page: int) -> tuple[list[tuple], int]:
    """The (item, occurrence, subject) rows of one page of the slots (in their order, each
    slot's missing subjects by employee number), and the total number of rows."""
    total = sum(sl.missing for sl in ordered)
    first, last = (page - 1) * per_page, page * per_page
    seen, shown = 0, []
    for sl in ordered:
        if seen + sl.missing > first and seen < last:
            shown.append(sl)
        seen += sl.missing
        if seen >= last:
            break
    rows = subjects_missing(shown)
    skip = first - sum(sl.missing for sl in ordered[:ordered.index(shown[0])]) if shown else 0
    return rows[max(skip, 0):max(skip, 0) + per_page], total


def overdue_pending(user, now: datetime, days: int = 62, person: int | None = None) -> tuple[list[tuple], set[int]]:
    """Every overdue (item, occurrence, subject) the user sees, newest first, and the ids of
    the positions the user ticks: the slots expanded person by person (for the benchmark's
    set-up and tests; pages use slots and page_of)."""
    found, tickable = slots(user, now, days, person)
    return subjects_missing(found), tickable


def overdue_rows(pending, tickable: set[int], now: datetime, user=None) -> list[Row]:
    """Rows of these overdue (item, occurrence, subject), with their unticked marks (who
    took a tick back, who self-checked) and recorded values, for the page shown only."""
    keys = [(i.id, o.period.key, s.id) for i, o, s in pending]
    marks = mark_views(keys, undone_only=True)
    # A self-check waiting for review shows the holder's figures; confirming keeps them.
    values = _values([i for i, _, _ in pending], [k for k in keys if k in marks])
    return [make_row(i, o, marks.get(k), now, i.position_id in tickable,
                     user is not None and may_self_check_occurrence(user, i, s.id, s.thing), values.get(k, ()), s)
            for (i, o, s), k in zip(pending, keys)]


def overdue(user, now: datetime | None = None, days: int = 62) -> list[Row]:
    """The overdue rows (see overdue_pending), newest first."""
    now = now or clock.local_now()
    pending, tickable = overdue_pending(user, now, days)
    return overdue_rows(pending, tickable, now, user)


def overdue_summary(user, now: datetime | None = None, days: int = 62) -> list[dict]:
    """Per position the user ticks: how many occurrences are overdue and the newest one,
    newest first, from the counts (no person listed, no mark loaded, no slot made)."""
    now = now or clock.local_now()
    visible = visible_positions(user)
    per_item, _ = _missing(user, now, days, position_ids=visible[1], visible=visible)
    groups: dict[int, dict] = {}
    for i, missing in per_item:
        newest = missing[-1][0]  # in due order
        g = groups.setdefault(i.position_id, {"position": i.position, "count": 0, "item": i,
                                              "due_at": newest.due_at})
        g["count"] += sum(n for _, _, n in missing)
        if newest.due_at > g["due_at"]:
            g["item"], g["due_at"] = i, newest.due_at
    ordered = sorted(groups.values(), key=lambda g: g["position"].sort_order)  # the org chart's order
    return sorted(ordered, key=lambda g: g["due_at"], reverse=True)  # newest first, stable

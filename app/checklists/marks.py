"""The marks (state of each occurrence) read in bulk: one query for a page's occurrences,
as ORM objects for the rows that are acted on, or as plain values for grids and print-outs."""
from datetime import datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import String, and_, bindparam, case, cast, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from app.auth.models import User
from app.checklists.models import ChecklistMark, ChecklistTally
from app.database import statement
from app.extensions import db
from app.staff.models import Employee

# `done = true`, as the partial index ix_checklist_mark_done is defined (SQLite uses a
# partial index only for a condition written the same way; `IS 1` would not do).
IS_DONE = ChecklistMark.done == True  # noqa: E712


def pairs_clause(pairs: set) -> tuple[int, dict]:
    """occurrences_clause for a set of (item id, period key, subject id) keys: callers drop
    the extra rows."""
    return occurrences_clause({(i, k) for i, k, _ in pairs}, {s for _, _, s in pairs})


def occurrences_clause(pairs: set, subjects: set) -> tuple[int, dict]:
    """How to read the marks of these (item id, period key) occurrences and subject ids, a
    superset of them (callers drop the extra rows): the shape of the WHERE clauses (for
    marks_where, which the statements are built once with) and their bind parameters.

    Many subjects (a board of everyone): item_id IN (…) AND period_key IN (…), which both
    databases answer from the unique (item_id, period_key, subject_id) index; a row-value IN
    of pairs made SQLite scan the whole table, so the board slowed down with every year of
    ticks. A few subjects (a page of the month grid, a holder's own lines): each item's
    keys as the range from its first to its last (one kind of period sorts by date), for
    subject_id IN (…), on the (item_id, subject_id, period_key) index: one short range per
    item and person. Three IN lists made PostgreSQL 15 scan the whole table instead."""
    if len(subjects) > FEW_SUBJECTS:
        return 0, {"items": sorted({i for i, _ in pairs}), "keys": sorted({k for _, k in pairs})}
    keys: dict[int, set[str]] = {}
    for i, k in pairs:
        keys.setdefault(i, set()).add(k)
    groups: dict[tuple[str, str], list[int]] = {}
    for i, ks in keys.items():
        groups.setdefault((min(ks), max(ks)), []).append(i)
    params = {"subjects": sorted(subjects)}
    for n, ((lo, hi), ids) in enumerate(groups.items()):
        params[f"items{n}"], params[f"lo{n}"], params[f"hi{n}"] = sorted(ids), lo, hi
    return len(groups), params


def marks_where(ranges: int) -> tuple:
    """The WHERE clauses of a shape occurrences_clause gives, its values bind parameters:
    0, the items' and keys' IN lists; else that many groups of items sharing a range of
    keys, for the subjects' IN list (a few: one per kind of period on a board or a month,
    one per range on a page of the overdue list)."""
    if not ranges:
        return (ChecklistMark.item_id.in_(bindparam("items", expanding=True)),
                ChecklistMark.period_key.in_(bindparam("keys", expanding=True)))
    return (or_(*(and_(ChecklistMark.item_id.in_(bindparam(f"items{n}", expanding=True)),
                       ChecklistMark.period_key.between(bindparam(f"lo{n}"), bindparam(f"hi{n}")))
                  for n in range(ranges))),
            ChecklistMark.subject_id.in_(bindparam("subjects", expanding=True)))


FEW_SUBJECTS = 64  # a page of the month grid (twenty people), a holder's own lines, a board's few


def marks_for(pairs, undone_only: bool = False) -> dict[tuple[int, str, int], ChecklistMark]:
    """The marks of these (item id, period key, subject id) occurrences, in one query
    (optionally only the unticked ones)."""
    pairs = set(pairs)
    if not pairs:
        return {}
    ranges, params = pairs_clause(pairs)
    marks = db.session.scalars(_marks(ranges, undone_only), params)
    return {(m.item_id, m.period_key, m.subject_id): m for m in marks
            if (m.item_id, m.period_key, m.subject_id) in pairs}


@statement
def _marks(ranges: int, undone_only: bool):
    stmt = (select(ChecklistMark).where(*marks_where(ranges))
            .options(selectinload(ChecklistMark.by).selectinload(User.employee),
                     selectinload(ChecklistMark.self_by).selectinload(User.employee)))
    if undone_only:  # `= false`, as the partial index ix_checklist_mark_undone is defined
        stmt = stmt.where(ChecklistMark.done == False)  # noqa: E712
    return stmt


class MarkedBy(NamedTuple):
    """Who ticked or self-checked a mark, as the grid shows him: his name only."""
    name: str


class MarkView(NamedTuple):
    """A mark as the month grid and its PDF show it: plain values, no ORM object. `by` is
    who confirmed (确认人, the tick), `self_by` who self-checked it (点检人), if anyone."""
    done: bool
    late: bool
    at: datetime | None
    note: str
    by: MarkedBy | None
    self_by: MarkedBy | None = None
    self_at: datetime | None = None
    review: str = ""
    self_note: str = ""  # the holder's note, kept beside the supervisor's once confirmed
    review_note: str = ""  # why a self-check was returned (退回原因)


def account_name(user=User, employee=Employee):
    """User.name in SQL (the employee's name, else the account's display name or user
    name), for statements that outer-join this Employee on this User's employee_id."""
    return func.coalesce(employee.name, func.nullif(user.display_name, ""), user.username)


ACCOUNT_NAME = account_name()


@lru_cache(maxsize=None)
def _markers():
    """Who confirmed and who self-checked a mark, each an account outer-joined with its
    employee for the name (aliases made at first use, once the mappers are configured)."""
    return aliased(User), aliased(Employee), aliased(User), aliased(Employee)


def mark_views(pairs, undone_only: bool = False) -> dict[tuple[int, str, int], MarkView]:
    """The marks of these occurrences as plain values (optionally only the unticked ones),
    with the names of the people who ticked them, in one query. What boards, grids and
    print-outs show; the writes (ticks.py) read the rows themselves."""
    pairs = set(pairs)
    if not pairs:
        return {}
    ranges, params = pairs_clause(pairs)
    names: dict[int, MarkedBy] = {}  # one MarkedBy per person, as the grid shows him

    def marked_by(user_id, name):
        return None if user_id is None else names.setdefault(user_id, MarkedBy(name))

    return {(r.item_id, r.period_key, r.subject_id): MarkView(
        r.done, r.late, r.at, r.note, marked_by(r.by_id, r.by_name), marked_by(r.self_by_id, r.self_by_name),
        r.self_at, r.review, r.self_note, r.review_note)
        for r in db.session.execute(_views(ranges, undone_only), params)
        if (r.item_id, r.period_key, r.subject_id) in pairs}


@statement
def _views(ranges: int, undone_only: bool):
    by, by_employee, self_by, self_by_employee = _markers()
    stmt = (select(ChecklistMark.item_id, ChecklistMark.period_key, ChecklistMark.subject_id, ChecklistMark.done,
                   ChecklistMark.late, ChecklistMark.at, ChecklistMark.note, ChecklistMark.by_id,
                   ChecklistMark.self_by_id, ChecklistMark.self_at, ChecklistMark.review, ChecklistMark.self_note,
                   ChecklistMark.review_note, account_name(by, by_employee).label("by_name"),
                   account_name(self_by, self_by_employee).label("self_by_name"))
            .outerjoin(by, by.id == ChecklistMark.by_id)
            .outerjoin(by_employee, by_employee.id == by.employee_id)
            .outerjoin(self_by, self_by.id == ChecklistMark.self_by_id)
            .outerjoin(self_by_employee, self_by_employee.id == self_by.employee_id)
            .where(*marks_where(ranges)))
    if undone_only:  # `= false`, as the partial index ix_checklist_mark_undone is defined
        stmt = stmt.where(ChecklistMark.done == False)  # noqa: E712
    return stmt


def subject_done_counts(occurrences, subjects) -> dict[int, dict[tuple[int, str], int]]:
    """For each of these subjects (a holder, the position's shared subject 0), how many of
    his marks of each of these (item id, Period) occurrences are done, by (item id, period
    key): what the overdue figures need outside the positions a user ticks. One GROUP BY
    for all the subjects (the (item_id, subject_id, period_key) index answers it), not a
    statement per subject."""
    occurrences = list(occurrences)
    out: dict[int, dict[tuple[int, str], int]] = {s: {} for s in subjects}
    if not occurrences or not out:
        return out
    wanted = {(i, p.key) for i, p in occurrences}
    for i, k, s, n in db.session.execute(_done_counts(), {"items": sorted({i for i, _ in wanted}),
                                                          "keys": sorted({k for _, k in wanted}),
                                                          "subjects": sorted(out)}):
        if (i, k) in wanted:
            out[s][i, k] = n
    return out


@statement
def _done_counts():
    return (select(ChecklistMark.item_id, ChecklistMark.period_key, ChecklistMark.subject_id, func.count())
            .where(ChecklistMark.item_id.in_(bindparam("items", expanding=True)),
                   ChecklistMark.period_key.in_(bindparam("keys", expanding=True)),
                   ChecklistMark.subject_id.in_(bindparam("subjects", expanding=True)), IS_DONE)
            .group_by(ChecklistMark.item_id, ChecklistMark.period_key, ChecklistMark.subject_id))


def _tally_range(ranges: dict[int, tuple]) -> dict:
    """The parameters of _tally_statement for each item's (first day, last day), grouped
    per range (the daily items share one, the weekly another…), which the (item_id,
    due_at) index answers. Every mark of an occurrence lies in its period, whatever the
    item's rule was when it was ticked, so the range of the occurrences' periods holds them."""
    groups: dict[tuple, list[int]] = {}
    for item_id, span in ranges.items():
        groups.setdefault(span, []).append(item_id)
    params = {}
    for k, ((first, last), ids) in enumerate(groups.items()):
        params[f"items{k}"] = sorted(ids)
        params[f"from{k}"] = datetime.combine(first, time.min)
        params[f"to{k}"] = datetime.combine(last + timedelta(days=1), time.min)
    return params


@statement
def _tally_statement(what: str, ranges: int):
    """checklist_tally's done occurrences of `ranges` groups of items (as _tally_range
    gives the parameters), one row per item: its "key:count,…" (what = "counts"), its
    keys (what = "keys"), or both (what = "both") joined by the database; one statement
    per number of groups."""
    counts = func.aggregate_strings(ChecklistTally.period_key + ":" + cast(ChecklistTally.done, String), ",")
    keys = func.aggregate_strings(ChecklistTally.period_key, ",")
    columns = {"counts": (counts,), "keys": (keys,), "both": (keys, counts)}[what]
    return (select(ChecklistTally.item_id, *columns)
            .where(or_(*(and_(ChecklistTally.item_id.in_(bindparam(f"items{k}", expanding=True)),
                              ChecklistTally.due_at >= bindparam(f"from{k}"),
                              ChecklistTally.due_at < bindparam(f"to{k}"))
                         for k in range(ranges))),
                   ChecklistTally.done > 0)
            .group_by(ChecklistTally.item_id))


def _tally_rows(what: str, ranges: dict[int, tuple]):
    params = _tally_range(ranges)
    return db.session.execute(_tally_statement(what, len(params) // 3), params)


def period_spans(occurrences) -> dict[int, tuple]:
    """Per item id, (first day, last day) of the periods of these (item id, Period)
    occurrences: what tallies and done_keys read checklist_tally by."""
    periods: dict[int, list] = {}
    for item_id, period in occurrences:
        periods.setdefault(item_id, []).append(period)
    return {i: (min(p.start for p in ps), max(p.end for p in ps)) for i, ps in periods.items()}


def tallies(occurrences) -> dict[tuple[int, str], int]:
    """How many subjects of these (item id, Period) occurrences are done, by (item id,
    period key), from checklist_tally (one row per occurrence, kept by triggers): what
    counting everyone's marks would give, without reading them. (It may hold other
    periods of the same items too; callers look up their own.)"""
    return tallies_between(period_spans(occurrences))


def tallies_between(ranges: dict[int, tuple]) -> dict[tuple[int, str], int]:
    """tallies() of every period of each item from its first to its last day (`ranges`:
    item id -> (first, last), as period_spans gives them)."""
    if not ranges:
        return {}
    # One row per item, "key:count,…" joined by the database (as done_keys): a year of a
    # position's daily items for each holder is a few rows, not two thousand.
    out: dict[tuple[int, str], int] = {}
    for i, joined in _tally_rows("counts", ranges):
        _add_counts(out, i, joined)
    return out


def _add_counts(out: dict, item_id: int, joined: str | None) -> None:
    for pair in (joined or "").split(","):
        key, _, n = pair.rpartition(":")
        if key:
            out[item_id, key] = int(n)


def done_keys_and_tallies(key_ranges: dict[int, tuple], count_ranges: dict[int, tuple]) -> tuple[dict, dict]:
    """done_keys(key_ranges) and tallies_between(count_ranges), in one statement: the
    overdue figures need the first for the items done once for the position and the
    second for the others (keys alone are split by C code; counts are parsed pair by pair)."""
    if not key_ranges and not count_ranges:
        return {}, {}
    keys: dict[int, set[str]] = {}
    counts: dict[tuple[int, str], int] = {}
    for i, joined_keys, joined_counts in _tally_rows("both", {**count_ranges, **key_ranges}):
        if i in key_ranges and joined_keys:
            keys[i] = set(joined_keys.split(","))
        if i in count_ranges:
            _add_counts(counts, i, joined_counts)
    return keys, counts


def done_keys(ranges: dict[int, tuple]) -> dict[int, set[str]]:
    """Per item id, the period keys with anything done among its periods from first to
    last day (`ranges`: item id -> (first, last)): for items done once for the position,
    where done is yes or no. One row per item, the keys joined by the database, so two
    months of sixty daily items are sixty rows, not two thousand."""
    if not ranges:
        return {}
    return {i: set(keys.split(",")) for i, keys in _tally_rows("keys", ranges) if keys}


def done_subjects(pairs, subjects) -> dict[tuple[int, str], set[int]]:
    """Which of these subjects are done in each of these (item id, period key)
    occurrences, read as mark_views reads (occurrences_clause): a holder's own lines do
    not read his hundred and sixty colleagues' marks."""
    pairs, subjects = set(pairs), set(subjects)
    if not pairs or not subjects:
        return {}
    ranges, params = occurrences_clause(pairs, subjects)
    out: dict[tuple[int, str], set[int]] = {}
    for i, k, s in db.session.execute(_done(ranges), params):
        if (i, k) in pairs and s in subjects:
            out.setdefault((i, k), set()).add(s)
    return out


@statement
def _done(ranges: int):
    return (select(ChecklistMark.item_id, ChecklistMark.period_key, ChecklistMark.subject_id)
            .where(*marks_where(ranges), IS_DONE))


def done_by_subject(pairs, minute: datetime) -> dict[int, tuple[int, int]]:
    """Per subject: (done marks, of which for occurrences not yet due at `minute`) among
    these (item id, period key), in one GROUP BY: each person's month without a row per
    mark. (The item and period lists are matched as a cross product, as elsewhere here;
    callers pass the occurrences of one position's month, where that adds nothing.)"""
    pairs = set(pairs)
    if not pairs:
        return {}
    rows = db.session.execute(_by_subject(), {"items": sorted({i for i, _ in pairs}),
                                              "keys": sorted({k for _, k in pairs}), "minute": minute})
    return {s: (n, int(e or 0)) for s, n, e in rows}


@statement
def _by_subject():
    early = func.sum(case((ChecklistMark.due_at > bindparam("minute"), 1), else_=0))
    return (select(ChecklistMark.subject_id, func.count(), early)
            .where(ChecklistMark.item_id.in_(bindparam("items", expanding=True)),
                   ChecklistMark.period_key.in_(bindparam("keys", expanding=True)), IS_DONE,
                   ChecklistMark.subject_id != 0)
            .group_by(ChecklistMark.subject_id))

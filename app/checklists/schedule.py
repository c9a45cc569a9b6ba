"""Periods and due moments of recurring checklist items. Pure Python, no database.

For a local date and time this module says which items are due, the period each belongs
to (day, ISO week, month, year), its due moment and whether it is overdue. Nothing is
generated ahead of time: periods are derived on demand.

Rules
- daily: every (working) day; weekly: one weekday of each ISO week; monthly: a day of
  the month, clamped to the month's last day (31 in a 30-day month or February), or the
  month's end; yearly: a month and day, clamped likewise (29 Feb in a common year -> 28 Feb).
- Due time of day: a fixed time (16:30), the end of the working day ("下班前"), or none,
  which means the end of the due day (23:59:59.999999).
- Working weekdays: when the due day is not a working day, the item falls due on the
  nearest earlier working day inside the same period, else the nearest later one; a
  period with no working day has no occurrence (a daily item on a closed day).
- An item is due in a period only if that period's due moment comes after the item was
  created: an item added mid-period after its due moment starts with the next period.
"""
from __future__ import annotations

import calendar
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

DAILY, WEEKLY, MONTHLY, YEARLY = "daily", "weekly", "monthly", "yearly"
KINDS = (DAILY, WEEKLY, MONTHLY, YEARLY)
ALL_DAYS = frozenset(range(7))  # Monday=0 … Sunday=6, as date.weekday()
END_OF_DAY = time(23, 59, 59, 999999)
KIND_LABELS = {DAILY: "每日", WEEKLY: "每周", MONTHLY: "每月", YEARLY: "每年"}
WEEKDAY_LABELS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]

# States of an item in a period, at a moment.
DONE, OPEN, OVERDUE, NOT_YET_DUE = "done", "open", "overdue", "not_yet_due"


@dataclass(frozen=True)
class Rule:
    kind: str
    weekday: int | None = None          # weekly: 0..6
    month_day: int | None = None        # monthly: 1..31, None with month_end
    month_end: bool = False             # monthly: last day of the month
    month: int | None = None            # yearly: 1..12
    day: int | None = None              # yearly: 1..31
    due_time: time | None = None        # a fixed time of day
    end_of_workday: bool = False        # "下班前"
    working_days: frozenset[int] = field(default=ALL_DAYS)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}")
        if self.kind == WEEKLY and self.weekday not in range(7):
            raise ValueError("weekly needs a weekday 0..6")
        if self.kind == MONTHLY and not self.month_end and self.month_day not in range(1, 32):
            raise ValueError("monthly needs a day 1..31 or month_end")
        if self.kind == YEARLY and (self.month not in range(1, 13) or self.day not in range(1, 32)):
            raise ValueError("yearly needs a month 1..12 and a day 1..31")
        if not self.working_days:
            raise ValueError("at least one working day")


@dataclass(frozen=True)
class Period:
    kind: str
    key: str       # "2026-11-26", "2026-W48", "2026-11", "2026"
    start: date
    end: date      # inclusive
    label: str

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end


@dataclass(frozen=True)
class Occurrence:
    period: Period
    due_date: date
    due_at: datetime  # naive local time


@lru_cache(maxsize=8192)
def period_of(kind: str, d: date) -> Period:
    """The period of `kind` containing d. Periods are immutable values, so they are cached:
    the board and the grids ask for the same few hundred periods on every page view."""
    if kind == DAILY:
        return Period(kind, d.isoformat(), d, d, f"{d.month}月{d.day}日")
    if kind == WEEKLY:
        iso = d.isocalendar()
        start = d - timedelta(days=d.weekday())
        return Period(kind, f"{iso.year}-W{iso.week:02d}", start, start + timedelta(days=6),
                      f"{iso.year}年第{iso.week}周")
    if kind == MONTHLY:
        last = calendar.monthrange(d.year, d.month)[1]
        return Period(kind, f"{d.year}-{d.month:02d}", d.replace(day=1), d.replace(day=last),
                      f"{d.year}年{d.month}月")
    if kind == YEARLY:
        return Period(kind, str(d.year), date(d.year, 1, 1), date(d.year, 12, 31), f"{d.year}年")
    raise ValueError(kind)


def next_period(p: Period) -> Period:
    return period_of(p.kind, p.end + timedelta(days=1))


def previous_period(p: Period) -> Period:
    return period_of(p.kind, p.start - timedelta(days=1))


def _nominal_due_date(rule: Rule, p: Period) -> date:
    if rule.kind == DAILY:
        return p.start
    if rule.kind == WEEKLY:
        return p.start + timedelta(days=rule.weekday)
    if rule.kind == MONTHLY:
        if rule.month_end:
            return p.end
        return p.start.replace(day=min(rule.month_day, p.end.day))
    last = calendar.monthrange(p.start.year, rule.month)[1]
    return date(p.start.year, rule.month, min(rule.day, last))


def _working_due_date(rule: Rule, p: Period) -> date | None:
    nominal = _nominal_due_date(rule, p)
    if nominal.weekday() in rule.working_days:
        return nominal
    d = nominal - timedelta(days=1)
    while d >= p.start:
        if d.weekday() in rule.working_days:
            return d
        d -= timedelta(days=1)
    d = nominal + timedelta(days=1)
    while d <= p.end:
        if d.weekday() in rule.working_days:
            return d
        d += timedelta(days=1)
    return None


@lru_cache(maxsize=8192)
def occurrence(rule: Rule, p: Period, workday_end: time, created_at: datetime | None = None) -> Occurrence | None:
    """The item's occurrence in period p, or None if it is not due in p. A pure function
    of immutable values, hence cached like the periods (every board asks for each item's
    current one)."""
    if p.kind != rule.kind:
        raise ValueError("period kind does not match the rule")
    due_date = _working_due_date(rule, p)
    if due_date is None:
        return None
    if rule.due_time is not None:
        at = rule.due_time
    elif rule.end_of_workday:
        at = workday_end
    else:
        at = END_OF_DAY
    due_at = datetime.combine(due_date, at)
    if created_at is not None and due_at < created_at:
        return None
    return Occurrence(p, due_date, due_at)


def current_occurrence(rule: Rule, now: datetime, workday_end: time, created_at: datetime | None = None):
    """The occurrence of the period containing `now` (None if not due in it)."""
    return occurrence(rule, period_of(rule.kind, now.date()), workday_end, created_at)


@lru_cache(maxsize=2048)
def occurrences_between(rule: Rule, start: date, end: date, workday_end: time,
                        created_at: datetime | None = None) -> tuple[Occurrence, ...]:
    """Occurrences whose due date lies in [start, end]. A pure function of immutable
    values (the rule is a frozen value, not the database row), hence cached."""
    out = []
    p = period_of(rule.kind, start)
    while p.start <= end:
        occ = occurrence(rule, p, workday_end, created_at)
        if occ is not None and start <= occ.due_date <= end:
            out.append(occ)
        p = next_period(p)
    return tuple(out)


def state(occ: Occurrence, now: datetime, done: bool) -> str:
    if done:
        return DONE
    if now > occ.due_at:
        return OVERDUE
    if occ.due_date == now.date():
        return OPEN
    return NOT_YET_DUE


def is_late(occ: Occurrence, ticked_at: datetime) -> bool:
    return ticked_at > occ.due_at


def describe(rule: Rule, workday_end: time) -> str:
    """The rule in words, as a supervisor reads it: 每天16:30前, 每月25日前, 每月月末 …"""
    if rule.due_time is not None:
        when = f"{rule.due_time.strftime('%H:%M')}前"
    elif rule.end_of_workday:
        when = "下班前"
    else:
        when = ""
    if rule.kind == DAILY:
        text = "每天" + when
    elif rule.kind == WEEKLY:
        text = f"每{WEEKDAY_LABELS[rule.weekday]}" + when
    elif rule.kind == MONTHLY:
        text = ("每月月末" if rule.month_end else f"每月{rule.month_day}日前") + when
    else:
        text = f"每年{rule.month}月{rule.day}日前" + when
    if rule.working_days != ALL_DAYS:
        closed = [WEEKDAY_LABELS[d] for d in range(7) if d not in rule.working_days]
        text += f"（{'、'.join(closed)}休息）"
    return text


def period_from_key(kind: str, key: str) -> Period:
    """Inverse of Period.key; raises ValueError for a malformed key."""
    if kind == DAILY:
        return period_of(kind, date.fromisoformat(key))
    if kind == WEEKLY:
        year, week = key.split("-W")
        return period_of(kind, date.fromisocalendar(int(year), int(week), 1))
    if kind == MONTHLY:
        year, month = key.split("-")
        return period_of(kind, date(int(year), int(month), 1))
    if kind == YEARLY:
        return period_of(kind, date(int(key), 1, 1))
    raise ValueError(kind)

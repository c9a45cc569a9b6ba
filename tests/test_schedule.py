"""The schedule module: periods, due moments, working days. Pure functions, no database."""
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.checklists.schedule import (ALL_DAYS, DAILY, DONE, MONTHLY, NOT_YET_DUE, OPEN, OVERDUE, WEEKLY, YEARLY,
                                     Rule, current_occurrence, describe, next_period, occurrence,
                                     occurrences_between, period_from_key, period_of, state)

END = time(17, 30)


def occ(rule, d, created=None):
    return occurrence(rule, period_of(rule.kind, d), END, created)


def test_month_day_31_in_short_months_falls_on_last_day():
    rule = Rule(MONTHLY, month_day=31)
    assert occ(rule, date(2026, 4, 10)).due_date == date(2026, 4, 30)
    assert occ(rule, date(2026, 2, 1)).due_date == date(2026, 2, 28)
    assert occ(rule, date(2028, 2, 1)).due_date == date(2028, 2, 29)  # leap year
    assert occ(rule, date(2026, 1, 1)).due_date == date(2026, 1, 31)


def test_month_end_and_leap_years():
    rule = Rule(MONTHLY, month_end=True)
    assert occ(rule, date(2024, 2, 3)).due_date == date(2024, 2, 29)
    assert occ(rule, date(2100, 2, 3)).due_date == date(2100, 2, 28)  # not a leap year
    assert occ(Rule(YEARLY, month=2, day=29), date(2027, 6, 1)).due_date == date(2027, 2, 28)
    assert occ(Rule(YEARLY, month=2, day=29), date(2028, 6, 1)).due_date == date(2028, 2, 29)


def test_iso_weeks_across_new_year():
    p = period_of(WEEKLY, date(2027, 1, 1))  # a Friday
    assert p.key == "2026-W53" and p.start == date(2026, 12, 28) and p.end == date(2027, 1, 3)
    assert period_of(WEEKLY, date(2025, 12, 29)).key == "2026-W01"  # Monday of ISO week 1 of 2026
    rule = Rule(WEEKLY, weekday=0)
    assert occ(rule, date(2027, 1, 2)).due_date == date(2026, 12, 28)
    assert next_period(p).key == "2027-W01"
    assert period_from_key(WEEKLY, "2026-W53") == p


def test_due_times():
    d = date(2026, 11, 26)
    assert occ(Rule(DAILY, due_time=time(16, 30)), d).due_at == datetime(2026, 11, 26, 16, 30)
    assert occ(Rule(DAILY, end_of_workday=True), d).due_at == datetime(2026, 11, 26, 17, 30)
    assert occ(Rule(DAILY), d).due_at == datetime(2026, 11, 26, 23, 59, 59, 999999)


def test_item_created_mid_period():
    rule = Rule(MONTHLY, month_day=16)
    # created on the 20th: this month's due moment has passed, so it starts next month
    assert occ(rule, date(2026, 11, 20), created=datetime(2026, 11, 20, 9)) is None
    assert occ(rule, date(2026, 12, 1), created=datetime(2026, 11, 20, 9)).due_date == date(2026, 12, 16)
    # created on the 10th: due this month
    assert occ(rule, date(2026, 11, 20), created=datetime(2026, 11, 10, 9)).due_date == date(2026, 11, 16)
    daily = Rule(DAILY, due_time=time(16, 30))
    assert occ(daily, date(2026, 11, 26), created=datetime(2026, 11, 26, 17)) is None
    assert occ(daily, date(2026, 11, 26), created=datetime(2026, 11, 26, 10)) is not None


def test_working_days_skip_the_due_day():
    mon_to_sat = frozenset(range(6))
    # weekly due Sunday, closed Sundays: due Saturday of the same week
    assert occ(Rule(WEEKLY, weekday=6, working_days=mon_to_sat), date(2026, 11, 26)).due_date == date(2026, 11, 28)
    # monthly due on the 15th, a Sunday in Nov 2026: due Saturday the 14th
    assert occ(Rule(MONTHLY, month_day=15, working_days=mon_to_sat), date(2026, 11, 1)).due_date == date(2026, 11, 14)
    # a closed day has no daily occurrence
    assert occ(Rule(DAILY, working_days=mon_to_sat), date(2026, 11, 29)) is None
    # due Monday but closed Mondays: the period has no earlier day, so the next working day
    tue_to_sun = frozenset(range(1, 7))
    assert occ(Rule(WEEKLY, weekday=0, working_days=tue_to_sun), date(2026, 11, 26)).due_date == date(2026, 11, 24)
    # month end on a Sunday (May 31, 2026): Saturday the 30th
    assert occ(Rule(MONTHLY, month_end=True, working_days=mon_to_sat), date(2026, 5, 3)).due_date == date(2026, 5, 30)


def test_states():
    o = occ(Rule(DAILY, due_time=time(16, 30)), date(2026, 11, 26))
    assert state(o, datetime(2026, 11, 26, 10), done=False) == OPEN
    assert state(o, datetime(2026, 11, 26, 16, 31), done=False) == OVERDUE
    assert state(o, datetime(2026, 11, 26, 16, 31), done=True) == DONE
    w = occ(Rule(WEEKLY, weekday=4), date(2026, 11, 23))
    assert state(w, datetime(2026, 11, 24, 9), done=False) == NOT_YET_DUE


def test_describe():
    assert describe(Rule(DAILY, due_time=time(16, 30)), END) == "每天16:30前"
    assert describe(Rule(DAILY, end_of_workday=True), END) == "每天下班前"
    assert describe(Rule(MONTHLY, month_day=25), END) == "每月25日前"
    assert describe(Rule(MONTHLY, month_end=True), END) == "每月月末"
    assert describe(Rule(WEEKLY, weekday=0), END) == "每周一"
    assert describe(Rule(YEARLY, month=12, day=31), END) == "每年12月31日前"
    assert describe(Rule(DAILY, working_days=frozenset(range(6))), END) == "每天（周日休息）"


def test_invalid_rules():
    for bad in (dict(kind="hourly"), dict(kind=WEEKLY), dict(kind=MONTHLY), dict(kind=YEARLY, month=13, day=1),
                dict(kind=DAILY, working_days=frozenset())):
        with pytest.raises(ValueError):
            Rule(**bad)


def test_occurrences_between():
    occs = occurrences_between(Rule(WEEKLY, weekday=0), date(2026, 11, 1), date(2026, 11, 30), END)
    assert [o.due_date.day for o in occs] == [2, 9, 16, 23, 30]


# --- properties ----------------------------------------------------------------------

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
working = st.frozensets(st.integers(0, 6), min_size=1)
kinds_rules = st.one_of(
    st.builds(Rule, st.just(DAILY), working_days=working),
    st.builds(Rule, st.just(WEEKLY), weekday=st.integers(0, 6), working_days=working),
    st.builds(Rule, st.just(MONTHLY), month_day=st.integers(1, 31), working_days=working),
    st.builds(Rule, st.just(MONTHLY), month_end=st.just(True), working_days=working),
    st.builds(Rule, st.just(YEARLY), month=st.integers(1, 12), day=st.integers(1, 31), working_days=working),
)


@settings(max_examples=400, deadline=None)
@given(kinds_rules, dates)
def test_due_date_is_a_working_day_inside_the_period(rule, d):
    p = period_of(rule.kind, d)
    o = occurrence(rule, p, END)
    if o is None:
        # every week, month and year holds each weekday: only a closed day lacks an occurrence
        assert rule.kind == DAILY and d.weekday() not in rule.working_days
    else:
        assert p.contains(o.due_date)
        assert o.due_date.weekday() in rule.working_days
        assert o.due_at.date() == o.due_date


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 31), dates)
def test_monthly_day_is_clamped_never_moved_out(day, d):
    o = occurrence(Rule(MONTHLY, month_day=day), period_of(MONTHLY, d), END)
    assert o.due_date.month == d.month and o.due_date.year == d.year
    assert o.due_date.day == min(day, period_of(MONTHLY, d).end.day)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([DAILY, WEEKLY, MONTHLY, YEARLY]), dates)
def test_periods_tile_and_keys_round_trip(kind, d):
    p = period_of(kind, d)
    assert p.contains(d)
    assert next_period(p).start == p.end + timedelta(days=1)
    assert period_from_key(kind, p.key) == p


@settings(max_examples=200, deadline=None)
@given(kinds_rules, dates, st.integers(0, 23))
def test_current_occurrence_matches_period_of_now(rule, d, hour):
    now = datetime.combine(d, time(hour))
    o = current_occurrence(rule, now, END)
    if o is not None:
        assert o.period == period_of(rule.kind, d)
    assert ALL_DAYS == frozenset(range(7))

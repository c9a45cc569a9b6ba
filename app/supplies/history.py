"""What the ledger says over a span of time: a person's year (entries and what he holds of
each item), a category's issues of a month (the 发放登记表), every entry of a date range
(the export). Aggregates are summed in SQL; days are local days (clock.local_day_range)."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db
from app.staff.models import Employee
from app.supplies.models import KIND_LABELS, REVERSAL, StockEntry, SupplyCategory, SupplyItem


def _year(employee: Employee, year: int) -> tuple:
    lo, hi = clock.local_day_range(date(year, 1, 1), date(year, 12, 31))
    return StockEntry.employee_id == employee.id, StockEntry.at >= lo, StockEntry.at < hi


def employee_entries(employee: Employee, year: int):
    """SELECT of the person's entries of the year (issues, returns, their reversals), newest
    first, with their items and slips; the page paginates it."""
    return (select(StockEntry).where(*_year(employee, year)).order_by(StockEntry.at.desc(), StockEntry.id.desc())
            .options(selectinload(StockEntry.item), selectinload(StockEntry.slip)))


def employee_totals(employee: Employee, year: int) -> list[tuple[SupplyItem, int]]:
    """(item, milli-units received less returned) of the year, per item with a balance not
    zero, by name and spec: one aggregate query."""
    return [(item, int(total)) for item, total in db.session.execute(
        select(SupplyItem, -func.sum(StockEntry.qty)).join(StockEntry, StockEntry.item_id == SupplyItem.id)
        .where(*_year(employee, year)).group_by(SupplyItem.id).having(func.sum(StockEntry.qty) != 0)
        .order_by(SupplyItem.name, SupplyItem.spec))]


def category_issues(category: SupplyCategory, year: int, month: int) -> list[StockEntry]:
    """The month's entries with a person (issues, returns, their reversals) of one
    category's items, in time order: the lines of the issue register."""
    start, end = clock.month_days(year, month)
    lo, hi = clock.local_day_range(start, end)
    return list(db.session.scalars(select(StockEntry).join(SupplyItem).where(
        SupplyItem.category_id == category.id, StockEntry.employee_id.is_not(None),
        StockEntry.at >= lo, StockEntry.at < hi).order_by(StockEntry.at, StockEntry.id)
        .options(selectinload(StockEntry.item), selectinload(StockEntry.employee), selectinload(StockEntry.slip),
                 selectinload(StockEntry.reverses))))  # a reversal names the day of what it cancels


@dataclass
class RegisterRow:
    entry: StockEntry
    signs: bool     # the person signs for it (领用人签字)
    note: str = ""  # where no signature is asked, why


@dataclass
class Register:
    """The 发放登记表 of a category and month: the rows to sign, and what was issued and
    taken back (冲销) within the month, printed below the table as (entry, reversal)."""
    rows: list[RegisterRow] = field(default_factory=list)
    left_out: list[tuple[StockEntry, StockEntry]] = field(default_factory=list)


def issue_register(category: SupplyCategory, year: int, month: int) -> Register:
    """category_issues as the register prints them. Nobody signs for what he never got: an
    entry reversed within the month is left out of the table with its reversal (listed
    under it); one reversed after the month is printed with the day of its reversal
    instead of a signature box; a reversal of an earlier month's entry has no box either."""
    entries = category_issues(category, year, month)
    in_month = {e.id for e in entries}
    reversed_by = {r.reverses_id: r for r in db.session.scalars(
        select(StockEntry).where(StockEntry.reverses_id.in_(in_month)))} if in_month else {}
    register = Register()
    for e in entries:
        if e.kind == REVERSAL:
            if e.reverses_id not in in_month:  # else printed with the entry it cancels, below the table
                original = e.reverses
                register.rows.append(RegisterRow(e, False, f"冲销 {clock.to_local(original.at):%m-%d} 的"
                                                           f"{KIND_LABELS[original.kind]}，无需签字"))
            continue
        reversal = reversed_by.get(e.id)
        if reversal is None:
            register.rows.append(RegisterRow(e, True))
        elif reversal.id in in_month:
            register.left_out.append((e, reversal))
        else:
            register.rows.append(RegisterRow(e, False, f"已于 {clock.to_local(reversal.at):%m-%d} 冲销，无需签字"))
    return register


def entries_between(start: date, end: date) -> list[StockEntry]:
    """Every entry from local day `start` to `end` inclusive, in time order, with what the
    export shows of each loaded alongside."""
    lo, hi = clock.local_day_range(start, end)
    return list(db.session.scalars(select(StockEntry).where(StockEntry.at >= lo, StockEntry.at < hi)
                                   .order_by(StockEntry.at, StockEntry.id)
                                   .options(selectinload(StockEntry.item).selectinload(SupplyItem.category),
                                            selectinload(StockEntry.employee), selectinload(StockEntry.slip),
                                            selectinload(StockEntry.user))))

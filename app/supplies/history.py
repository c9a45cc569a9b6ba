"""What the ledger says over a span of time: a person's year (entries and what he holds of
each item), a category's issues of a month (the 发放登记表), every entry of a date range
(the export). Aggregates are summed in SQL; days are local days (clock.local_day_range)."""
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db
from app.staff.models import Employee
from app.supplies.models import StockEntry, SupplyCategory, SupplyItem


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
        StockEntry.at >= lo, StockEntry.at < hi).order_by(StockEntry.at, StockEntry.id)))


def entries_between(start: date, end: date) -> list[StockEntry]:
    """Every entry from local day `start` to `end` inclusive, in time order, with what the
    export shows of each loaded alongside."""
    lo, hi = clock.local_day_range(start, end)
    return list(db.session.scalars(select(StockEntry).where(StockEntry.at >= lo, StockEntry.at < hi)
                                   .order_by(StockEntry.at, StockEntry.id)
                                   .options(selectinload(StockEntry.item).selectinload(SupplyItem.category),
                                            selectinload(StockEntry.employee), selectinload(StockEntry.slip),
                                            selectinload(StockEntry.user))))

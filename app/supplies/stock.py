"""Stock overview queries."""
from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import contains_eager

from app.database import statement
from app.extensions import db
from app.supplies.models import SupplyCategory, SupplyItem


@dataclass
class StockRow:
    item: SupplyItem

    @property
    def stock(self) -> int:
        return self.item.stock

    @property
    def low(self) -> bool:
        return self.item.low


def overview(category_id: int | None = None, include_inactive: bool = False) -> list[StockRow]:
    """Every item with its stored stock: one query, whatever the length of the ledger."""
    stmt = _overview(bool(category_id), include_inactive)
    return [StockRow(i) for i in db.session.scalars(stmt, {"category": category_id} if category_id else {})]


@statement
def _overview(of_category: bool, include_inactive: bool):
    stmt = (select(SupplyItem).join(SupplyCategory).options(contains_eager(SupplyItem.category))
            .order_by(SupplyCategory.sort_order, SupplyItem.name, SupplyItem.spec))
    if of_category:
        stmt = stmt.where(SupplyItem.category_id == bindparam("category"))
    if not include_inactive:
        stmt = stmt.where(SupplyItem.active.is_(True))
    return stmt


def below_minimum_count() -> int:
    """How many active items are below their minimum: read once per request, however often
    the page asks (the navigation badge, on every page of an issuing clerk), or not at all
    where the page counted them already (remember_below_minimum)."""
    if has_request_context() and "_below_minimum" in g:
        return g._below_minimum
    n = db.session.scalar(_below_minimum())
    remember_below_minimum(n)
    return n


@statement
def _below_minimum():
    return select(func.count(SupplyItem.id)).where(SupplyItem.active.is_(True), SupplyItem.stock < SupplyItem.min_stock)


def remember_below_minimum(n: int) -> None:
    """The count below_minimum_count gives, counted by the page itself in the same request
    (the workspace's issuing block, with the rows it shows)."""
    if has_request_context():
        g._below_minimum = n


def below_minimum() -> list[StockRow]:
    return [r for r in overview() if r.low]


def categories() -> list[SupplyCategory]:
    return list(db.session.scalars(select(SupplyCategory).where(SupplyCategory.active.is_(True))
                                   .order_by(SupplyCategory.sort_order, SupplyCategory.id)))

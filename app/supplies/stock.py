"""Stock overview queries."""
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.supplies.ledger import all_stock
from app.supplies.models import SupplyCategory, SupplyItem


@dataclass
class StockRow:
    item: SupplyItem
    stock: int

    @property
    def low(self) -> bool:
        return self.item.active and self.stock < self.item.min_stock


def overview(category_id: int | None = None, include_inactive: bool = False) -> list[StockRow]:
    stmt = select(SupplyItem).join(SupplyCategory).order_by(SupplyCategory.sort_order, SupplyItem.name, SupplyItem.spec)
    if category_id:
        stmt = stmt.where(SupplyItem.category_id == category_id)
    if not include_inactive:
        stmt = stmt.where(SupplyItem.active.is_(True))
    stock = all_stock()
    return [StockRow(i, stock.get(i.id, 0)) for i in db.session.scalars(stmt)]


def below_minimum() -> list[StockRow]:
    return [r for r in overview() if r.low]


def categories() -> list[SupplyCategory]:
    return list(db.session.scalars(select(SupplyCategory).where(SupplyCategory.active.is_(True))
                                   .order_by(SupplyCategory.sort_order, SupplyCategory.id)))
